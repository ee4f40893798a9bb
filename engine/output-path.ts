// The name of a file inside a store entry's out/ folder. Manifests come from remotes and shared
// stores, so a name is untrusted until it passes this check: it is joined under a staging folder
// and written, and a name such as `../../pipeline.ts` would otherwise overwrite the user's code.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { BIDI_CONTROL, CONTROL_CHARACTER } from './printable.ts';

/** Longest name accepted, in characters; most folders deep; longest single segment (Linux NAME_MAX). */
export const MAX_OUTPUT_PATH = 512;
const MAX_SEGMENTS = 32;
const MAX_SEGMENT_BYTES = 255;
/** More files than any stage writes; a manifest listing more is refused before anything is fetched. */
export const MAX_OUTPUT_FILES = 100_000;

/** Why `path` cannot name an output file, or undefined if it can. */
export function outputPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'it is empty';
  if (path.length > MAX_OUTPUT_PATH) return `it is longer than ${MAX_OUTPUT_PATH} characters`;
  if (path.startsWith('/') || isAbsolute(path)) return 'it is absolute';
  if (path.includes('\\')) return 'it contains a backslash';
  if (CONTROL_CHARACTER.test(path)) return 'it contains a control character (NUL, newline, …)';
  if (BIDI_CONTROL.test(path)) return 'it contains a bidirectional-text control character';
  const segments = path.split('/');
  if (segments.length > MAX_SEGMENTS) return `it is more than ${MAX_SEGMENTS} folders deep`;
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') return `it has a "${segment}" segment`;
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) return `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}

/** Why a list of output names cannot be one entry's files (duplicates, or a file that is also a folder). */
export function outputListProblem(paths: readonly string[]): string | undefined {
  if (paths.length > MAX_OUTPUT_FILES) return `it lists ${paths.length} files (at most ${MAX_OUTPUT_FILES})`;
  const seen = new Set<string>();
  for (const p of paths) {
    if (seen.has(p)) return `"${p}" is listed twice`;
    seen.add(p);
  }
  for (const p of paths) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (seen.has(folder)) return `"${folder}" is both a file and the folder of "${p}"`;
    }
  }
  return undefined;
}

export const OutputPath = z.string().superRefine((path, ctx) => {
  const problem = outputPathProblem(path);
  if (problem) ctx.addIssue({ code: 'custom', message: `output path ${JSON.stringify(path.slice(0, 80))} is refused: ${problem}` });
});

/**
 * `root/path`, after checking that it resolves inside `root`: the last line of defence when a
 * file is written, whatever the schema let through.
 */
export function pathInside(root: string, path: string): string {
  const problem = outputPathProblem(path);
  if (problem) throw new UnsafePathError(`refused to write ${JSON.stringify(path.slice(0, 80))} under ${root}: ${problem}`);
  const full = resolve(root, path);
  const rel = relative(resolve(root), full);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel))
    throw new UnsafePathError(`refused to write ${JSON.stringify(path.slice(0, 80))}: it resolves outside ${root}`);
  return full;
}

export class UnsafePathError extends Error {
  override name = 'UnsafePathError';
}
