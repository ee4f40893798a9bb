// The runner registry: every process that writes to a store registers itself once as
// <store>/runners/<token>.json. A lock file (locks/<experiment>.lock.json) names an entry only once
// it is flushed, which can be hours after a build made or read it; until then the entry is
// protected by this record, which lists the fingerprints the process pins (every one it has
// built, is building or has read this run; gc keeps them). The record also says who the process
// is (random token, host, boot id, PID namespace, pid, start time) and which runner started it
// (a worker's parent), and its mtime is a heartbeat, so liveness works across PID namespaces and
// machines that share a hostname:
//   host, boot id and PID namespace all ours → its pid (and start time) decides;
//   otherwise → alive while its heartbeat is younger than RUNNER_STALE_MS, or while its parent is.
import { readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { BOOT_ID, HOST, ownerState, PID_NS, RUNNER_TOKEN, SELF_START } from './host.ts';

export const RUNNER_HEARTBEAT_MS = 15_000;
export const RUNNER_STALE_MS = 120_000;
/** Children (forked workers; Slurm jobs, which inherit the environment) learn their parent runner from this. */
export const PARENT_ENV = 'WT_PARENT_RUNNER';
export const TOKEN_RE = /^[0-9a-f]{16}$/;

const PARENT: string | undefined =
  TOKEN_RE.test(process.env[PARENT_ENV] ?? '') && process.env[PARENT_ENV] !== RUNNER_TOKEN ? process.env[PARENT_ENV] : undefined;

export const RunnerRecord = z.object({
  token: z.string().regex(TOKEN_RE),
  pid: z.number(),
  host: z.string(),
  bootId: z.string(),
  pidNs: z.string(),
  startTime: z.string().optional(),
  startedAt: z.string(),
  parent: z.string().regex(TOKEN_RE).optional(),
  pins: z.array(z.string()),
});
export type RunnerRecord = z.infer<typeof RunnerRecord>;

export interface SeenRunner {
  record: RunnerRecord;
  /** the last heartbeat */
  mtimeMs: number;
}

export const runnersDir = (storeRoot: string): string => join(storeRoot, 'runners');
const recordPath = (storeRoot: string, token: string): string => join(runnersDir(storeRoot), `${token}.json`);

/** This process, registered in one store. */
export class Runner {
  readonly token = RUNNER_TOKEN;
  private readonly pins = new Set<string>();
  private readonly startedAt = new Date().toISOString();
  private readonly timer: NodeJS.Timeout;
  /** the record on disk is behind (a write failed, e.g. the disk is full): retried at the next pin or heartbeat */
  private dirty = false;

  constructor(readonly storeRoot: string) {
    this.write();
    this.timer = setInterval(() => this.beat(), RUNNER_HEARTBEAT_MS);
    this.timer.unref();
  }

  /**
   * Pin entries: gc will not remove them while this process lives. The record is on disk when
   * this returns, so pin BEFORE reading an entry's manifest or building it.
   */
  pin(fingerprints: string | Iterable<string>): void {
    let added = false;
    for (const fp of typeof fingerprints === 'string' ? [fingerprints] : fingerprints) {
      if (this.pins.has(fp)) continue;
      this.pins.add(fp);
      added = true;
    }
    if (added || this.dirty) this.write();
  }

  close(): void {
    clearInterval(this.timer);
    try {
      rmSync(recordPath(this.storeRoot, this.token), { force: true });
    } catch {
      /* left for gc: a dead runner's record */
    }
  }

  /** Never throws: a store that cannot take this small file (full disk) must not fail the build; the stage's own writes report that. */
  private write(): void {
    try {
      this.writeRecord();
      this.dirty = false;
    } catch {
      this.dirty = true;
    }
  }

  private writeRecord(): void {
    const record: RunnerRecord = {
      token: this.token,
      pid: process.pid,
      host: HOST,
      bootId: BOOT_ID,
      pidNs: PID_NS,
      startTime: SELF_START,
      startedAt: this.startedAt,
      parent: PARENT,
      pins: [...this.pins],
    };
    const path = recordPath(this.storeRoot, this.token);
    const tmp = `${path}.tmp-${process.pid}`;
    mkdirSync(runnersDir(this.storeRoot), { recursive: true });
    try {
      writeFileSync(tmp, JSON.stringify(record));
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }

  private beat(): void {
    if (this.dirty) {
      this.write();
      return;
    }
    try {
      const now = new Date();
      utimesSync(recordPath(this.storeRoot, this.token), now, now);
    } catch {
      this.write(); // removed by a gc that judged us dead (e.g. after a long suspend): come back
    }
  }
}

const registered = new Map<string, Runner>();

/** This process's registration in the store at `storeRoot` (made on first use). */
export function runnerFor(storeRoot: string): Runner {
  const root = resolve(storeRoot);
  let r = registered.get(root);
  if (r) return r;
  r = new Runner(root);
  if (registered.size === 0) process.once('exit', () => registered.forEach((x) => x.close()));
  registered.set(root, r);
  process.env[PARENT_ENV] = RUNNER_TOKEN;
  return r;
}

export function readRunner(storeRoot: string, token: string): SeenRunner | undefined {
  const path = recordPath(storeRoot, token);
  try {
    const mtimeMs = statSync(path).mtimeMs;
    const parsed = RunnerRecord.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success && parsed.data.token === token ? { record: parsed.data, mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/** Every runner file name: record tokens, and other files (temp files, garbage). */
export function runnerFiles(storeRoot: string): { tokens: string[]; other: string[] } {
  let names: string[];
  try {
    names = readdirSync(runnersDir(storeRoot));
  } catch {
    return { tokens: [], other: [] };
  }
  const tokens = names.filter((n) => n.endsWith('.json') && TOKEN_RE.test(n.slice(0, -5))).map((n) => n.slice(0, -5));
  return { tokens, other: names.filter((n) => !(n.endsWith('.json') && TOKEN_RE.test(n.slice(0, -5)))) };
}

/** Is the runner with this token alive? No record: not alive. */
export function runnerAlive(storeRoot: string, token: string, now = Date.now(), depth = 0): boolean {
  const seen = readRunner(storeRoot, token);
  if (!seen) return false;
  const state = ownerState(seen.record);
  if (state !== 'unknown') return state === 'alive';
  if (now - seen.mtimeMs < RUNNER_STALE_MS) return true;
  return seen.record.parent !== undefined && depth < 3 && runnerAlive(storeRoot, seen.record.parent, now, depth + 1);
}

/** The live runners of a store (their records as last written). */
export function liveRunners(storeRoot: string): RunnerRecord[] {
  const now = Date.now();
  return runnerFiles(storeRoot).tokens.flatMap((t) => {
    const seen = runnerAlive(storeRoot, t, now) ? readRunner(storeRoot, t) : undefined;
    return seen ? [seen.record] : [];
  });
}

/** Every fingerprint a live runner pins. */
export function livePins(storeRoot: string): Set<string> {
  return new Set(liveRunners(storeRoot).flatMap((r) => r.pins));
}
