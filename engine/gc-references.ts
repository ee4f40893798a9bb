// What gc must keep, by experiment: the entries each lock file references, the entries each
// experiment recorded in the store references (other checkouts sharing the store), and with
// --keep-experiment NAME everything NAME has ever used. A lock file or record that cannot be read
// stops gc: guessing would delete results.
import { basename } from 'node:path';
import { UsageError } from './errors.ts';
import type { ExperimentRecord } from './experiment-record.ts';
import { deadSlot, readExperimentRecords } from './experiment-registry.ts';
import { printable } from './printable.ts';
import { LockFile } from './lock-file.ts';
import type { Store } from './store.ts';

export interface ExperimentReferences {
  name: string;
  /** where the references come from: lock file paths and/or "store record" */
  sources: string[];
  fingerprints: Set<string>;
}

export interface References {
  experiments: ExperimentReferences[];
  all: Set<string>;
  /** the experiment that used an unreferenced entry last, from the store's records */
  lastUsedBy(fp: string): string | undefined;
}

export function collectReferences(store: Store, lockFiles: readonly string[], keepExperiments: readonly string[]): References {
  const byName = new Map<string, ExperimentReferences>();
  const entryOf = (name: string) => byName.get(name) ?? byName.set(name, { name, sources: [], fingerprints: new Set() }).get(name)!;
  for (const path of lockFiles) {
    const lock = new LockFile(path);
    if (lock.problem)
      throw new UsageError(
        `gc stopped: the lock file ${printable(path)} cannot be read (${lock.problem}), so what it references is not known. Fix it (git checkout it, or rebuild its experiment), or move it out of the locks folder to let gc forget that experiment.`,
      );
    const e = entryOf(lock.experiment?.name ?? printable(basename(path).replace(/\.lock\.json$/, '')));
    e.sources.push(path);
    for (const fp of lock.fingerprints()) e.fingerprints.add(fp);
  }
  const { records, problems } = readExperimentRecords(store);
  if (problems.length) throw new UsageError(`gc stopped: ${problems.join(' ')}`); // each already printable
  for (const r of records) {
    // a lock file on this machine that is gone was deleted: its slot no longer keeps anything
    const live = r.checkouts.filter((s) => !deadSlot(s));
    if (!live.length) continue;
    const e = entryOf(r.name);
    e.sources.push(`store record (${live.length} checkout${live.length === 1 ? '' : 's'})`);
    for (const s of live) for (const fp of s.current) e.fingerprints.add(fp);
  }
  for (const name of keepExperiments) keepHistory(name, records, byName);
  const experiments = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  return { experiments, all: new Set(experiments.flatMap((e) => [...e.fingerprints])), lastUsedBy: lastUser(records) };
}

function keepHistory(name: string, records: readonly ExperimentRecord[], byName: Map<string, ExperimentReferences>): void {
  const record = records.find((r) => r.name === name);
  const e = byName.get(name);
  if (!e)
    throw new UsageError(
      `--keep-experiment ${name}: no lock file or store record names that experiment (known: ${[...byName.keys()].join(', ') || 'none'}).`,
    );
  if (!record) return; // only a lock file: its history is not recorded in this store
  for (const fp of Object.keys(record.history)) e.fingerprints.add(fp);
  e.sources.push('its history (--keep-experiment)');
}

function lastUser(records: readonly ExperimentRecord[]): (fp: string) => string | undefined {
  return (fp) => {
    let best: { name: string; at: string } | undefined;
    for (const r of records) {
      const at = r.history[fp];
      if (at !== undefined && (!best || at > best.at)) best = { name: r.name, at };
    }
    return best?.name;
  };
}
