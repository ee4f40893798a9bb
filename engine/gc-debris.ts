// What `gc` removes besides entries: the debris of processes that died or finished long ago.
//   staging/     folders of dead builders (staging-owner.ts)
//   quarantine/  a week after the entry was quarantined (the time in its name, not the entry's mtime)
//   scratch/     resume state untouched for a week whose fingerprint nobody is building or pins
//   failed/      logs after 30 days
//   cache/blobs  downloads (.part-*) and verified blobs a day old that no live runner can be pulling
//   slurm/       job, log and script files a week old whose entry nobody is building
//   locks/       locks of dead owners, and temp files of lock writers that died
//   runners/     records of dead runners (last, after their staging folders)
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tryAcquire } from './mutex-file.ts';
import { livePins, liveRunners, runnerAlive, runnerFiles, runnersDir } from './runner.ts';
import type { Store } from './store.ts';
import { asFingerprint } from './digest.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;

export function removeDebris(store: Store, now = Date.now()): string[] {
  const pinned = livePins(store.root); // a pinned fingerprint may be about to resume from its scratch
  return [
    ...store.cleanDeadStaging().map((n) => join(store.stagingRoot, n)),
    ...removeOld(store.quarantineDir, now, (name, mtime) => Math.max(mtime, quarantinedAt(name) ?? 0) <= now - WEEK_MS),
    ...removeOld(store.scratchRoot, now, (name, mtime) => mtime <= now - WEEK_MS && !pinned.has(name) && buildLockFree(store, name)),
    ...removeOld(store.failedDir, now, (_, mtime) => mtime <= now - 30 * DAY_MS),
    ...removeOldBlobs(store, now),
    ...removeOldSlurmJobs(store, now),
    ...removeStaleLocks(store, now),
    ...removeDeadRunners(store, now),
  ];
}

/** Remove each child of `dir` for which `old(name, mtimeMs)` holds. */
/** A folder name that is no fingerprint has no build lock. */
function buildLockFree(store: Store, name: string): boolean {
  const fp = asFingerprint(name);
  return !fp || lockFree(store.buildLockPath(fp));
}

function removeOld(dir: string, now: number, old: (name: string, mtimeMs: number) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    let mtime: number;
    try {
      mtime = statSync(p).mtimeMs;
    } catch {
      continue;
    }
    if (mtime > now || !old(name, mtime)) continue;
    rmSync(p, { recursive: true, force: true });
    removed.push(p);
  }
  return removed;
}

/** The time in a quarantine folder's name (`<fp>.2024-05-01T12-34-56-789Z`), in ms. */
export function quarantinedAt(name: string): number | undefined {
  const m = /\.(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/.exec(name);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/** True if nobody holds the lock at `path` (a stale one is broken; a free one is left absent). */
function lockFree(path: string): boolean {
  const r = tryAcquire(path, 'gc');
  if (r.ok) r.lock.release();
  return r.ok;
}

/** A blob (or partial download) can only be in use by a live runner that was already running when it was last written. */
function removeOldBlobs(store: Store, now: number): string[] {
  const started = liveRunners(store.root).map((r) => Date.parse(r.startedAt));
  return removeOld(join(store.cacheDir, 'blobs'), now, (_, mtime) => mtime <= now - DAY_MS && !started.some((t) => t <= mtime));
}

/** slurm/<fp16>-<hex>.{job.json,log,sh}: removed together, once all are a week old and no lock of that fingerprint is held. */
function removeOldSlurmJobs(store: Store, now: number): string[] {
  const dir = join(store.root, 'slurm');
  if (!existsSync(dir)) return [];
  const groups = new Map<string, string[]>();
  for (const name of readdirSync(dir)) {
    const base = name.split('.')[0]!;
    groups.set(base, [...(groups.get(base) ?? []), name]);
  }
  const locks = existsSync(store.buildLocksDir) ? readdirSync(store.buildLocksDir).filter((n) => n.endsWith('.lock')) : [];
  const removed: string[] = [];
  for (const [base, names] of groups) {
    const newest = Math.max(...names.map((n) => mtimeOr(join(dir, n), now)));
    if (newest > now - WEEK_MS) continue;
    const prefix = /^([0-9a-f]{16})-[0-9a-f]+$/.exec(base)?.[1];
    if (prefix && !locks.filter((l) => l.startsWith(prefix)).every((l) => lockFree(join(store.buildLocksDir, l)))) continue;
    for (const n of names) rmSync(join(dir, n), { recursive: true, force: true });
    removed.push(...names.map((n) => join(dir, n)));
  }
  return removed;
}

/** Locks whose owner is dead (taken over and released), and temp files of lock writers an hour old. */
function removeStaleLocks(store: Store, now: number): string[] {
  if (!existsSync(store.buildLocksDir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(store.buildLocksDir)) {
    const p = join(store.buildLocksDir, name);
    if (name.endsWith('.lock')) {
      if (lockFree(p)) removed.push(p);
    } else if (/\.lock\.(?:stale|tmp)-/.test(name) && mtimeOr(p, now) <= now - HOUR_MS) {
      rmSync(p, { force: true });
      removed.push(p);
    }
  }
  return removed;
}

/** Records of runners that are dead, and their temp files an hour old. */
function removeDeadRunners(store: Store, now: number): string[] {
  const { tokens, other } = runnerFiles(store.root);
  const dir = runnersDir(store.root);
  // Records are written by rename, so an unreadable one is garbage, not one being written.
  const dead = tokens.filter((t) => !runnerAlive(store.root, t, now)).map((t) => join(dir, `${t}.json`));
  const junk = other.map((n) => join(dir, n)).filter((p) => mtimeOr(p, now) <= now - HOUR_MS);
  for (const p of [...dead, ...junk]) rmSync(p, { recursive: true, force: true });
  return [...dead, ...junk];
}

function mtimeOr(path: string, fallback: number): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return fallback;
  }
}
