// The store's record of one experiment, experiments/<name>.json: its settings, the entries each
// checkout's lock file references (one slot per host and lock file, so two checkouts building the
// same experiment into one shared store keep each other's results), and every entry it ever used.
// Anyone who can write the store can write these files: each is read as a small regular file
// (never through a symlink), parsed, and must name the experiment its file is named after.
import { existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readSmallRegularFile } from './bounded-read.ts';
import { Hex64 } from './manifest.ts';
import { printable } from './printable.ts';
import type { Store } from './store.ts';
import { zodIssuesInline } from './zod-errors.ts';

const MAX_RECORD_BYTES = 64 << 20;

export const CheckoutSlot = z.object({
  host: z.string(),
  /** absolute path of the lock file on that host */
  lockFile: z.string(),
  updatedAt: z.string(),
  /** what that lock file references */
  current: z.array(Hex64),
});
export type CheckoutSlot = z.infer<typeof CheckoutSlot>;

export const ExperimentRecord = z.object({
  version: z.literal(2),
  name: z.string(),
  settingsDigest: Hex64,
  settings: z.unknown(),
  checkouts: z.array(CheckoutSlot),
  /** every entry it has used, with the last time it did (gc drops entries no longer stored) */
  history: z.record(Hex64, z.string()),
});
export type ExperimentRecord = z.infer<typeof ExperimentRecord>;

export const experimentsDir = (store: Store) => join(store.root, 'experiments');
export const recordPath = (store: Store, name: string) => join(experimentsDir(store), `${name}.json`);

/** One experiment's record; throws a message naming the file when it exists but is not valid. */
export function readExperimentRecord(store: Store, name: string): ExperimentRecord | undefined {
  const path = recordPath(store, name);
  if (!existsSync(path) && !isSymlink(path)) return undefined;
  const problem = (why: string) =>
    new Error(
      printable(
        `${path} ${why}. It records which entries experiment "${name}" needs; fix or delete it (gc then no longer keeps that experiment's results for other checkouts).`,
      ),
    );
  let text: string;
  try {
    text = readSmallRegularFile(path, MAX_RECORD_BYTES, { followSymlinks: false });
  } catch (err) {
    throw problem((err as NodeJS.ErrnoException).code === 'ELOOP' ? 'is a symbolic link' : (err as Error).message);
  }
  let parsed: ReturnType<typeof ExperimentRecord.safeParse>;
  try {
    parsed = ExperimentRecord.safeParse(JSON.parse(text));
  } catch (err) {
    throw problem(`is not JSON (${(err as Error).message})`);
  }
  if (!parsed.success) throw problem(`is not an experiment record (${zodIssuesInline(parsed.error, 1)})`);
  if (parsed.data.name !== name) throw problem(`names experiment ${JSON.stringify(parsed.data.name)}`);
  return parsed.data;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
