// A mutex file: a file whose existence holds the mutex, naming its owner (a random runner token,
// host, boot id, PID namespace, pid and start time: host.ts). It guards a build of one
// fingerprint (the store's build locks, locks/<fp>.lock), a lock file's rewrite, and an
// experiment record's update. The owner refreshes the file's mtime as a heartbeat.
// An owner whose pid can be checked from here (same host, boot and PID namespace) and is gone
// loses its mutex at once, without asking anybody to "unlock"; any other owner (another PID
// namespace on this machine, another machine — even one with the same hostname) keeps it until
// its heartbeat is STALE_REMOTE_MS old. A mutex is released, and refreshed, only by its own token.
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ownerState, processStartTime, SELF, type Owner } from './host.ts';

export const HEARTBEAT_MS = 15_000;
export const STALE_REMOTE_MS = 120_000;

const MutexHolder = z.object({
  pid: z.number(),
  host: z.string(),
  bootId: z.string(),
  startTime: z.string().optional(),
  /** absent in locks written before runner tokens: those are judged by host, boot id and pid */
  token: z.string().optional(),
  pidNs: z.string().optional(),
  createdAt: z.string(),
  purpose: z.string(),
  /** the worker process building the entry: an orphaned worker keeps the lock alive until it exits */
  worker: z.object({ pid: z.number(), startTime: z.string().optional() }).optional(),
});
export type MutexHolder = z.infer<typeof MutexHolder>;

export interface HeldMutex {
  path: string;
  /** record the worker process that builds the entry (same host) */
  setWorker(pid: number): void;
  release(): void;
}

export type AcquireResult = { ok: true; lock: HeldMutex } | { ok: false; holder: MutexHolder | undefined };

export function tryAcquire(path: string, purpose: string, owner: Owner = SELF): AcquireResult {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      const content: MutexHolder = { ...owner, createdAt: new Date().toISOString(), purpose };
      writeSync(fd, JSON.stringify(content));
      closeSync(fd);
      return { ok: true, lock: heldLock(path, owner.token) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(path);
    if (holder === 'gone') continue;
    if (!isStale(path, holder)) return { ok: false, holder: holder ?? undefined };
    breakStaleLock(path, holder);
  }
  return { ok: false, holder: undefined };
}

/** Wait until the lock is ours; calls `onWait` while another live process holds it. */
export async function acquire(
  path: string,
  purpose: string,
  onWait?: (holder: MutexHolder | undefined) => void,
  pollMs = 100,
): Promise<HeldMutex> {
  let announced = false;
  for (;;) {
    const r = tryAcquire(path, purpose);
    if (r.ok) return r.lock;
    if (!announced) {
      onWait?.(r.holder);
      announced = true;
    }
    await new Promise((res) => setTimeout(res, pollMs));
  }
}

function readHolder(path: string): MutexHolder | null | 'gone' {
  try {
    const parsed = MutexHolder.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return null; // unreadable or half-written: judged by age below
  }
}

function isStale(path: string, holder: MutexHolder | null): boolean {
  let ageMs: number;
  try {
    ageMs = Date.now() - statSync(path).mtimeMs;
  } catch {
    return false;
  }
  if (holder === null) return ageMs > 5_000; // garbage, or a writer that died between open and write
  const state = ownerState(holder);
  if (state === 'dead' && holder.worker) {
    // The runner died but its worker (same machine and namespace) may still be finishing (it stops at its next checkpoint).
    return ownerState({ ...holder, pid: holder.worker.pid, startTime: holder.worker.startTime }) !== 'alive';
  }
  if (state !== 'unknown') return state === 'dead';
  return ageMs > STALE_REMOTE_MS;
}

/**
 * Rename first, so of two processes that found the same stale lock only one removes it. If what
 * was renamed is not the lock judged stale (another process broke it and took a fresh lock in
 * between), it is put back.
 */
function breakStaleLock(path: string, judged: MutexHolder | null): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else broke it first
  }
  const moved = readHolder(aside);
  const same =
    moved === judged || (moved !== 'gone' && moved !== null && judged !== null && JSON.stringify(moved) === JSON.stringify(judged));
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      /* a newer lock exists already */
    }
  }
  rmSync(aside, { force: true });
}

/** Is the lock at `path` still the one `token` took? (Unreadable: assume so, it is ours until proven otherwise.) */
function stillOurs(path: string, token: string | undefined): boolean | 'gone' {
  const holder = readHolder(path);
  if (holder === 'gone') return 'gone';
  // Unreadable means someone else's lock in the instant between its create and its write: ours are
  // complete before they are handed out, and rewritten only by rename.
  return holder !== null && (holder.token === undefined || holder.token === token);
}

function heldLock(path: string, token: string | undefined): HeldMutex {
  const timer = setInterval(() => {
    // A lock judged stale (e.g. this process was suspended for minutes) and taken over is not
    // refreshed any more: the new owner's heartbeat is its own.
    if (stillOurs(path, token) !== true) return clearInterval(timer);
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      /* lock removed under us (e.g. by gc of a dead store); nothing to refresh */
    }
  }, HEARTBEAT_MS);
  timer.unref();
  let released = false;
  return {
    path,
    setWorker(pid: number) {
      try {
        const content = MutexHolder.parse(JSON.parse(readFileSync(path, 'utf8')));
        if (stillOurs(path, token) !== true) return;
        const next = { ...content, worker: { pid, startTime: processStartTime(pid) } };
        const tmp = `${path}.tmp-${process.pid}`;
        writeFileSync(tmp, JSON.stringify(next));
        renameSync(tmp, path);
      } catch {
        /* the lock still protects the entry; only orphan detection is weaker */
      }
    },
    release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      if (stillOurs(path, token) === true) rmSync(path, { force: true });
    },
  };
}
