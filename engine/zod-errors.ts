// Zod issues as lines a person can act on: `params.lr: expected number, received string`. Every
// message about a file or option that failed its schema is made here, as a list or on one line.
import type { z } from 'zod';

export interface IssueLineOptions {
  /** prefixed to every path, e.g. 'params' */
  root?: string;
  /** a line of one's own for an issue (e.g. naming the allowed keys); undefined: the default line */
  explain?: (issue: z.core.$ZodIssue, path: string) => string | undefined;
}

/** One line per problem (one per unknown key), each starting with its key path. */
export function zodIssueLines(error: z.ZodError, options: IssueLineOptions = {}): string[] {
  return error.issues.flatMap((issue) => {
    const path = [...(options.root ? [options.root] : []), ...issue.path.map(String)].join('.');
    const own = options.explain?.(issue, path);
    if (own !== undefined) return own.split('\n');
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${path ? `${path}.` : ''}${k}: unknown key`);
    return [`${path || '(top level)'}: ${issue.message}`];
  });
}

/** The lines as an indented list, for a message of several lines. */
export function formatZodIssues(error: z.ZodError, root: string): string {
  return zodIssueLines(error, { root })
    .map((line) => `  - ${line}`)
    .join('\n');
}

/** The first `max` lines on one line, for a message that must stay one line (a corrupt file in a list). */
export function zodIssuesInline(error: z.ZodError, max = 3): string {
  const lines = zodIssueLines(error);
  return `${lines.slice(0, max).join('; ')}${lines.length > max ? `; and ${lines.length - max} more` : ''}`;
}
