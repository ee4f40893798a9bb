// `gc`: remove store entries no lock file references, oldest use first, and the debris of dead
// processes (staging folders, stale locks, old scratch and quarantine folders).
import { existsSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './errors.ts';
import { tryAcquire } from './entry-lock.ts';
import { LockFile } from './lock-file.ts';
import type { Store } from './store.ts';

const DAY_MS = 86_400_000;
const SCRATCH_MAX_AGE_MS = 7 * DAY_MS;

export interface GcOptions {
  lockFiles: string[];
  dryRun: boolean;
  /** also keep this many of the most recently used unreferenced entries */
  keep: number;
  /** if set, remove unreferenced entries (least recently used first) only until the store fits */
  maxSizeBytes?: number | undefined;
}

export interface GcReport {
  referenced: number;
  kept: number;
  removed: { fingerprint: string; bytes: number }[];
  freedBytes: number;
  storeBytesAfter: number;
  debris: string[];
}

export function collectGarbage(store: Store, opts: GcOptions): GcReport {
  const referenced = new Set<string>();
  for (const f of opts.lockFiles) for (const fp of new LockFile(f).fingerprints()) referenced.add(fp);
  const candidates = store
    .fingerprints()
    .filter((fp) => !referenced.has(fp))
    .map((fp) => ({ fingerprint: fp, lastUsed: statSync(store.entryDir(fp)).mtimeMs, bytes: store.entrySize(fp) }))
    .sort((a, b) => b.lastUsed - a.lastUsed); // most recent first
  let removable = candidates.slice(opts.keep);
  const referencedBytes = [...referenced].filter((fp) => store.has(fp)).reduce((s, fp) => s + store.entrySize(fp), 0);
  let total = referencedBytes + candidates.reduce((s, c) => s + c.bytes, 0);
  if (opts.maxSizeBytes !== undefined) {
    const chosen: typeof removable = [];
    for (const c of [...removable].reverse()) {
      if (total <= opts.maxSizeBytes) break;
      chosen.push(c);
      total -= c.bytes;
    }
    removable = chosen;
  } else {
    total -= removable.reduce((s, c) => s + c.bytes, 0);
  }
  const report: GcReport = {
    referenced: referenced.size,
    kept: candidates.length - removable.length,
    removed: removable.map(({ fingerprint, bytes }) => ({ fingerprint, bytes })),
    freedBytes: removable.reduce((s, c) => s + c.bytes, 0),
    storeBytesAfter: total,
    debris: [],
  };
  if (opts.dryRun) return report;
  for (const c of removable) {
    // Never remove an entry a running build holds the lock of.
    const lock = tryAcquire(store.lockPath(c.fingerprint), 'gc');
    if (!lock.ok) continue;
    try {
      store.remove(c.fingerprint);
    } finally {
      lock.lock.release();
    }
  }
  report.debris.push(...store.cleanDeadStaging().map((n) => `staging/${n}`));
  report.debris.push(...removeOld(store.quarantineDir, SCRATCH_MAX_AGE_MS));
  report.debris.push(...removeOld(store.scratchRoot, SCRATCH_MAX_AGE_MS, (fp) => (tryAcquireFree(store, fp) ? SCRATCH_MAX_AGE_MS : Infinity)));
  report.debris.push(...removeOld(store.failedDir, 30 * DAY_MS));
  return report;
}

function tryAcquireFree(store: Store, fp: string): boolean {
  const r = tryAcquire(store.lockPath(fp), 'gc');
  if (r.ok) r.lock.release();
  return r.ok;
}

function removeOld(dir: string, maxAgeMs: number, ageLimit?: (name: string) => number): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const limit = ageLimit ? ageLimit(name) : maxAgeMs;
    if (Date.now() - statSync(p).mtimeMs >= limit) {
      rmSync(p, { recursive: true, force: true });
      removed.push(p);
    }
  }
  return removed;
}

/** Mark entries as used now (at most hourly per entry), for least-recently-used eviction. */
export function touchEntries(store: Store, fingerprints: Iterable<string>): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const fp of fingerprints) {
    const dir = store.entryDir(fp);
    try {
      if (statSync(dir).mtimeMs < hourAgo) {
        const now = new Date();
        utimesSync(dir, now, now);
      }
    } catch {
      /* gone meanwhile */
    }
  }
}

export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--max-size "${text}" is not a size; write e.g. 500M, 20G or 1.5T.`);
  const power = ['', 'k', 'm', 'g', 't'].indexOf(m[2]!.toLowerCase());
  return Math.round(Number(m[1]) * 1024 ** power);
}
