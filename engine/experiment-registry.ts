// The store's own list of the experiments built into it: experiments/<name>.json holds each
// one's settings, the entries its lock file references now, and every entry it ever used. A store
// may be shared by several checkouts, each with its own locks/ folder; this list is how `gc` in one
// checkout keeps another's results, and says which experiment an entry it removes belonged to.
// Files here may be written by anyone who can write the store: each is size-capped, parsed, and
// must name the experiment its file is named after.
import { existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { readSmallRegularFile } from './bounded-read.ts';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-fs.ts';
import { acquire } from './entry-lock.ts';
import { experimentNameProblem, type Experiment } from './experiment.ts';
import { HOST } from './host.ts';
import type { Store } from './store.ts';

const MAX_RECORD_BYTES = 64 << 20;
const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const ExperimentRecord = z.object({
  version: z.literal(1),
  name: z.string(),
  settingsDigest: Hex64,
  settings: z.unknown(),
  /** the lock file of the checkout that last built it (for messages) */
  lockFile: z.string(),
  host: z.string(),
  updatedAt: z.string(),
  /** what its lock file references now */
  current: z.array(Hex64),
  /** every entry it has used, with the last time it did */
  history: z.record(Hex64, z.string()),
});
export type ExperimentRecord = z.infer<typeof ExperimentRecord>;

export function experimentsDir(store: Store): string {
  return join(store.root, 'experiments');
}

const recordPath = (store: Store, name: string) => join(experimentsDir(store), `${name}.json`);

/** One experiment's record; throws a message naming the file when it exists but is not valid. */
export function readExperimentRecord(store: Store, name: string): ExperimentRecord | undefined {
  const path = recordPath(store, name);
  if (!existsSync(path) && !isSymlink(path)) return undefined;
  const problem = (why: string) => new Error(`${path} ${why}. It records which entries experiment "${name}" needs; fix or delete it (gc then no longer keeps that experiment's results for other checkouts).`);
  let text: string;
  try {
    text = readSmallRegularFile(path, MAX_RECORD_BYTES);
  } catch (err) {
    throw problem((err as NodeJS.ErrnoException).code === 'ELOOP' ? 'is a symbolic link' : (err as Error).message);
  }
  let parsed;
  try {
    parsed = ExperimentRecord.safeParse(JSON.parse(text));
  } catch (err) {
    throw problem(`is not JSON (${(err as Error).message})`);
  }
  if (!parsed.success) throw problem(`is not an experiment record (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  if (parsed.data.name !== name) throw problem(`names experiment "${parsed.data.name}"`);
  return parsed.data;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Every experiment recorded in the store, and a message for each record that cannot be read. */
export function readExperimentRecords(store: Store): { records: ExperimentRecord[]; problems: string[] } {
  const records: ExperimentRecord[] = [];
  const problems: string[] = [];
  const dir = experimentsDir(store);
  const names = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)) : [];
  for (const name of names.sort()) {
    if (experimentNameProblem(name)) continue; // not a file this tool writes
    try {
      const r = readExperimentRecord(store, name);
      if (r) records.push(r);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return { records, problems };
}

/** After a build: the experiment's current entries, added to its history. */
export async function recordExperiment(store: Store, experiment: Experiment, lockFile: string, current: readonly string[]): Promise<void> {
  const path = recordPath(store, experiment.name);
  const unchanged = (r: ExperimentRecord | undefined) => !!r && r.settingsDigest === experiment.settingsDigest && r.lockFile === lockFile && sameSet(r.current, current);
  if (unchanged(readOrNothing(store, experiment.name))) return; // a no-op build writes nothing and takes no lock
  mkdirSync(experimentsDir(store), { recursive: true });
  const mutex = await acquire(`${path}.writing`, 'experiment record write');
  try {
    const previous = readOrNothing(store, experiment.name);
    if (unchanged(previous)) return;
    const now = new Date().toISOString();
    const history = { ...(previous?.history ?? {}) };
    for (const fp of current) history[fp] = now;
    const record: ExperimentRecord = { version: 1, name: experiment.name, settingsDigest: experiment.settingsDigest, settings: experiment.settings, lockFile, host: HOST, updatedAt: now, current: [...new Set(current)].sort(), history };
    writeFileAtomic(path, `${JSON.stringify(record, null, 1)}\n`);
  } finally {
    mutex.release();
  }
}

/** An unreadable record is replaced by this checkout's. */
function readOrNothing(store: Store, name: string): ExperimentRecord | undefined {
  try {
    return readExperimentRecord(store, name);
  } catch {
    return undefined;
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(b);
  return a.length === set.size && a.every((x) => set.has(x));
}
