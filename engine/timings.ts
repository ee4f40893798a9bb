// How long each entry took to build: a memo in the store's cache folder (never committed, safe to
// delete), keyed by fingerprint. The lock file holds no times, so that rebuilding with identical
// outputs leaves it byte-identical; the scheduler's critical path, the ETA and `status`'s "last
// took" read the times here instead, and fall back to the entry's manifest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-fs.ts';
import type { DagNode } from './dag.ts';
import type { LockFile } from './lock-file.ts';
import type { Store } from './store.ts';
import type { Fingerprint } from './digest.ts';

const TimingsFile = z.object({
  version: z.literal(1),
  // fingerprint → [stage name, wall seconds]
  runs: z.record(z.string(), z.tuple([z.string(), z.number().nonnegative()])),
});

export class Timings {
  private runs = new Map<string, [string, number]>();
  private added = new Map<string, [string, number]>();
  private readonly path: string;

  constructor(private readonly store: Store) {
    this.path = join(store.cacheDir, 'timings.json');
    this.runs = readRuns(this.path);
  }

  /** Seconds the entry `fp` took, from the memo or else its manifest. */
  seconds(fp: Fingerprint): number | undefined {
    const hit = this.runs.get(fp);
    if (hit) return hit[1];
    const m = this.store.readManifest(fp);
    return m ? m.run.wallSeconds : undefined;
  }

  record(fp: string, stage: string, seconds: number): void {
    const run: [string, number] = [stage, Math.round(seconds * 1000) / 1000];
    const known = this.runs.get(fp);
    if (known && known[0] === run[0] && known[1] === run[1]) return;
    this.runs.set(fp, run);
    this.added.set(fp, run);
  }

  /** Writes what this process recorded, merged into what others wrote meanwhile (it is only a memo). */
  save(): void {
    if (!this.added.size) return;
    const merged = readRuns(this.path);
    for (const [fp, run] of this.added) merged.set(fp, run);
    writeFileAtomic(this.path, JSON.stringify({ version: 1, runs: Object.fromEntries(merged) }));
    this.added.clear();
  }

  /** Drops the times of entries no longer in the store (gc). */
  prune(present: ReadonlySet<string>): void {
    const kept = [...readRuns(this.path)].filter(([fp]) => present.has(fp));
    writeFileAtomic(this.path, JSON.stringify({ version: 1, runs: Object.fromEntries(kept) }));
  }
}

function readRuns(path: string): Map<string, [string, number]> {
  try {
    const parsed = TimingsFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? new Map(Object.entries(parsed.data.runs)) : new Map();
  } catch {
    return new Map();
  }
}

/**
 * The expected seconds of an instance: its last run in this experiment (the lock file's entry),
 * else the mean of this experiment's runs of the same stage; undefined when it never ran.
 */
export function expectedDurations(lock: LockFile, timings: Timings): (node: DagNode) => number | undefined {
  const byStage = new Map<string, { sum: number; n: number }>();
  for (const id of lock.ids()) {
    const l = lock.get(id)!.locked;
    const secs = timings.seconds(l.fingerprint);
    if (secs === undefined) continue;
    const s = byStage.get(l.stage) ?? { sum: 0, n: 0 };
    byStage.set(l.stage, { sum: s.sum + secs, n: s.n + 1 });
  }
  return (node) => {
    const fp = lock.get(node.id)?.locked.fingerprint;
    const own = fp === undefined ? undefined : timings.seconds(fp);
    if (own !== undefined) return own;
    const s = byStage.get(node.stage.name);
    return s ? s.sum / s.n : undefined;
  };
}
