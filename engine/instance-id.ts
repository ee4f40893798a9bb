// What an instance id may contain. Ids are built from stage names, labels and param values —
// for an image-folder suite, from domain names, which are free strings in its config or folder
// names on disk — and they end up in Slurm job names, log lines, file listings and targets on the
// command line. So they use a strict charset: ASCII letters, digits and `. , = + - _ * ~ @ / [ ]`
// plus `∅` (what every profile and the engine's own labels produce, e.g. `finetune/real,b=*,RI-T,seed=0`,
// `dataset/x~1a2b3c`, `train/blocks=[1,2]`, `train/opt.m=∅`), no
// empty, `.` or `..` path segment, and no leading `-` (it would read as an option).
// Whitespace, control characters, quotes, `$`, backticks, `;`, `|`, `&`, `:` and the rest are refused.
import { UsageError } from './errors.ts';

const ID_CHAR = /^[A-Za-z0-9._,=+*~@/[\]∅-]$/u;
/** a domain name is one id part: no `/`, `,` or `=` (they separate the parts of an id) */
const NAME_CHAR = /^[A-Za-z0-9._+~@-]$/;
const MAX_LENGTH = 200;
export const ID_CHARSET = "ASCII letters, digits and . , = + - _ * ~ @ / [ ] (and ∅, the engine's mark for a missing param)";
export const NAME_CHARSET = 'ASCII letters, digits and . + - _ ~ @';

/** Why `id` is not a valid instance id, or undefined if it is. */
export function instanceIdProblem(id: string): string | undefined {
  return textProblem(id, ID_CHAR, ID_CHARSET, true);
}

/** Why `name` cannot be a domain name (one part of an instance id), or undefined if it can. */
export function domainNameProblem(name: string): string | undefined {
  return textProblem(name, NAME_CHAR, NAME_CHARSET, false);
}

/** Throws a UsageError naming the id and what to do when `id` is not a valid instance id. */
export function checkInstanceId(id: string, stage?: string): void {
  const problem = instanceIdProblem(id);
  if (!problem) return;
  throw new UsageError(
    `The instance id ${JSON.stringify(id)}${stage ? ` (stage "${stage}")` : ''} ${problem}. Ids become Slurm job names, ` +
      `file names and command-line targets, so they may use only ${ID_CHARSET}, with no empty, "." or ".." path segment. ` +
      `The id is made from the stage's label or its varying params; for a dataset of an image-folder suite that is the ` +
      `domain name (its "domain" key, or else the folder name of its "root"): set "domain" in the suite config to a name ` +
      `using only those characters (e.g. "real-world"), or change the label or param value in pipeline.ts / the profile.`,
  );
}

function textProblem(text: string, allowed: RegExp, charset: string, pathLike: boolean): string | undefined {
  if (text.length === 0) return 'is empty';
  if (text.length > MAX_LENGTH) return `is ${text.length} characters long (at most ${MAX_LENGTH})`;
  let position = 0;
  for (const ch of text) {
    position++;
    if (!allowed.test(ch)) return `contains ${describeChar(ch)} at position ${position}, which is not one of ${charset}`;
  }
  if (text.startsWith('-')) return 'starts with "-" (it would read as a command-line option)';
  if (pathLike) {
    const bad = text.split('/').find((s) => s === '' || s === '.' || s === '..');
    if (bad !== undefined)
      return bad === '' ? 'has an empty path segment (a leading, trailing or doubled "/")' : `has a "${bad}" path segment`;
  } else if (text === '.' || text === '..') return `is "${text}"`;
  return undefined;
}

function describeChar(ch: string): string {
  const names: Record<string, string> = {
    '\n': 'a newline',
    '\r': 'a carriage return',
    '\t': 'a tab',
    ' ': 'a space',
    "'": "a quote (')",
    '"': 'a quote (")',
    '`': 'a backtick',
  };
  const code = ch.codePointAt(0)!;
  if (names[ch]) return names[ch];
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  return `"${ch}"`;
}
