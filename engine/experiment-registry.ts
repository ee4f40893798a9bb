// Reading and writing the store's experiment records (experiment-record.ts). A build writes its
// checkout's slot under the record's mutex, in the same step as its lock file (lock-file.ts calls
// back while it holds the lock file's mutex), so the record never lags behind a lock file that gc
// could read. gc prunes: slots of lock files on this host that no longer exist (a deleted lock
// file lets gc forget that checkout's results), and history of entries no longer stored.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { writeFileAtomic } from './atomic-fs.ts';
import { acquire, tryAcquire } from './mutex-file.ts';
import { experimentNameProblem, type Experiment } from './experiment.ts';
import { experimentsDir, readExperimentRecord, recordPath, type CheckoutSlot, type ExperimentRecord } from './experiment-record.ts';
import { HOST } from './host.ts';
import type { Store } from './store.ts';

/** Every experiment recorded in the store, and a message for each record that cannot be read. */
export function readExperimentRecords(store: Store): { records: ExperimentRecord[]; problems: string[] } {
  const records: ExperimentRecord[] = [];
  const problems: string[] = [];
  const dir = experimentsDir(store);
  const names = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -'.json'.length))
    : [];
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

/** A slot of a lock file on this machine that is gone: its checkout (or experiment) was deleted. */
export const deadSlot = (s: CheckoutSlot) => s.host === HOST && !existsSync(s.lockFile);

export interface RecordUpdate {
  experiment: Experiment;
  lockFile: string;
  fingerprints: readonly string[];
  /** --force-name: the record takes these settings even if it has others */
  force: boolean;
}

/** This checkout's slot of the experiment's record, and its entries added to the history. */
export async function recordExperiment(store: Store, u: RecordUpdate): Promise<void> {
  if (isCurrent(readOrNothing(store, u.experiment.name), u)) return; // a no-op build writes nothing and takes no lock
  mkdirSync(experimentsDir(store), { recursive: true });
  await withRecordMutex(store, u.experiment.name, () => {
    const previous = u.force ? readOrNothing(store, u.experiment.name) : readExperimentRecord(store, u.experiment.name);
    if (isCurrent(previous, u)) return;
    if (previous && previous.settingsDigest !== u.experiment.settingsDigest && !u.force) {
      throw new Error(`experiment "${u.experiment.name}" was recorded with other settings by another build meanwhile`);
    }
    const now = new Date().toISOString();
    const slot: CheckoutSlot = { host: HOST, lockFile: u.lockFile, updatedAt: now, current: [...new Set(u.fingerprints)].sort() };
    const others = (previous?.checkouts ?? []).filter((s) => !(s.host === HOST && s.lockFile === u.lockFile));
    const history = { ...(previous?.history ?? {}) };
    for (const fp of slot.current) history[fp] = now;
    const { name, settings, settingsDigest } = u.experiment;
    write(store, { version: 2, name, settingsDigest, settings, checkouts: [...others, slot], history });
  });
}

/**
 * gc: forget dead slots and the history of removed entries; returns the lock files forgotten. A
 * record another process is writing is left for the next gc (this is housekeeping only).
 */
export function pruneRecords(store: Store, stored: ReadonlySet<string>): string[] {
  const forgotten: string[] = [];
  for (const r of readExperimentRecords(store).records) {
    const mutex = tryAcquire(`${recordPath(store, r.name)}.writing`, 'experiment record prune');
    if (!mutex.ok) continue;
    try {
      const now = readExperimentRecord(store, r.name);
      if (!now) continue;
      const dead = now.checkouts.filter(deadSlot);
      const history = Object.fromEntries(Object.entries(now.history).filter(([fp]) => stored.has(fp)));
      if (!dead.length && Object.keys(history).length === Object.keys(now.history).length) continue;
      forgotten.push(...dead.map((s) => s.lockFile));
      write(store, { ...now, checkouts: now.checkouts.filter((s) => !deadSlot(s)), history });
    } finally {
      mutex.lock.release();
    }
  }
  return forgotten;
}

function isCurrent(r: ExperimentRecord | undefined, u: RecordUpdate): boolean {
  const slot = r?.checkouts.find((s) => s.host === HOST && s.lockFile === u.lockFile);
  return !!slot && r!.settingsDigest === u.experiment.settingsDigest && sameSet(slot.current, u.fingerprints);
}

async function withRecordMutex(store: Store, name: string, fn: () => void): Promise<void> {
  const mutex = await acquire(`${recordPath(store, name)}.writing`, 'experiment record write');
  try {
    fn();
  } finally {
    mutex.release();
  }
}

const write = (store: Store, record: ExperimentRecord) =>
  writeFileAtomic(recordPath(store, record.name), `${JSON.stringify(record, null, 1)}\n`);

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
