// The files of a store entry, and of a staging folder, which becomes an entry by one rename:
//   manifest.json  what it holds and how it was made; written last, so an entry with one is whole
//   log.txt        the log of the run that made it (the manifest's `log`)
//   seal.json      the stat signatures of out/ when it was committed (entry-seal.ts)
//   out/           the stage's outputs, at the paths the manifest lists
// Nothing else in the engine spells these names.
import { join } from 'node:path';

/** The manifest's `log.path`: always this, so that a manifest cannot choose where a log is written. */
export const LOG_FILE = 'log.txt';
export const MANIFEST_FILE = 'manifest.json';

export interface EntryFiles {
  dir: string;
  manifest: string;
  log: string;
  seal: string;
  out: string;
}

export function entryFiles(dir: string): EntryFiles {
  return { dir, manifest: join(dir, MANIFEST_FILE), log: join(dir, LOG_FILE), seal: join(dir, 'seal.json'), out: join(dir, 'out') };
}

/** An output as messages and verify name it, relative to the entry: `out/<path>`. */
export const shownOutput = (path: string): string => `out/${path}`;
