import type { z } from 'zod';

/** One line per problem, each starting with the key path: "targets.train: 2001 images is not …". */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${path ? `${path}.` : ''}${k}: unknown key`).join('\n');
      return `${path || '(top level)'}: ${issue.message}`;
    })
    .join('\n');
}
