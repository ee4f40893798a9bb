// Zod issues as lines a person can act on: `params.lr: expected number, received string`.
import type { z } from 'zod';

export function formatZodIssues(error: z.ZodError, root: string): string {
  return error.issues
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].join('.');
      const keys = 'keys' in issue && Array.isArray(issue.keys) ? ` (${issue.keys.join(', ')})` : '';
      return `  - ${path}: ${issue.message}${keys}`;
    })
    .join('\n');
}
