// One submitted job as the submitting machine sees it, and what each poll's observation means.
// A job is over when Slurm says so with a final state, or when it has been missing from squeue and
// sacct for a grace period (slurmdbd lags behind slurmctld, and slurmctld forgets finished jobs
// after MinJobAge): missing for a poll or two is normal and is waited out — for two polls only once
// the worker has logged its result. PREEMPTED is not over while Slurm may requeue the job (it
// comes back PENDING, then RUNNING, and appends to the same log); it is over when scontrol says
// Requeue=0, or when it stays PREEMPTED for the grace period.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { JobHooks, JobOutcome } from '../executor.ts';
import type { WorkerMessage } from '../job.ts';
import type { Observed } from './query.ts';

const LOG_TAIL = 40;
/** Slurm states after which a job will not run again (PREEMPTED is decided separately). */
export const FINAL = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'NODE_FAIL',
  'OUT_OF_MEMORY',
  'BOOT_FAIL',
  'DEADLINE',
  'REVOKED',
  'SPECIAL_EXIT',
]);
/** states of a job that is (again) on its way to running */
const LIVE = new Set([
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'SUSPENDED',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'RESIZING',
  'STAGE_OUT',
  'SIGNALING',
]);

export interface Grace {
  /** polls in a row a job may be missing (or PREEMPTED without a requeue) before it counts as over */
  polls: number;
  /** ... and at least this many seconds */
  seconds: number;
}

export interface Tracked {
  id: string;
  instance: string;
  logFile: string;
  offset: number;
  state: string;
  hooks: JobHooks;
  tail: string[];
  missingPolls: number;
  missingSince?: number | undefined;
  preemptedPolls: number;
  preemptedSince?: number | undefined;
  /** the job was preempted and has not run again yet */
  preempted: boolean;
  /** times it came back after a preemption */
  requeues: number;
  final?: WorkerMessage | undefined;
  /** set when the job is over and why, if Slurm's state does not say */
  lost?: string | undefined;
  resolve(o: JobOutcome): void;
}

export function tracked(id: string, instance: string, logFile: string, hooks: JobHooks, resolve: (o: JobOutcome) => void): Tracked {
  return {
    id,
    instance,
    logFile,
    offset: 0,
    state: 'PENDING',
    hooks,
    tail: [],
    missingPolls: 0,
    preemptedPolls: 0,
    preempted: false,
    requeues: 0,
    resolve,
  };
}

/** Apply one poll's observation; true if the job is over. Sets t.lost when it is over by the grace period. */
export function observe(t: Tracked, seen: Observed | undefined, now: number, grace: Grace): boolean {
  if (!seen) {
    t.missingPolls++;
    t.missingSince ??= now;
    // The worker reported its result and slurmctld has forgotten the job (a short MinJobAge, no accounting).
    if (t.final && t.missingPolls >= 2) return true;
    if (t.missingPolls >= grace.polls && now - t.missingSince >= grace.seconds * 1000) {
      t.lost = `is no longer listed by squeue or sacct (missing for ${t.missingPolls} polls, ${Math.round((now - t.missingSince) / 1000)} s)`;
      return true;
    }
    return false;
  }
  t.missingPolls = 0;
  t.missingSince = undefined;
  const state = seen.state;
  if (state === 'PREEMPTED') {
    t.preempted = true;
    t.preemptedPolls++;
    t.preemptedSince ??= now;
    t.state = state;
    if (seen.requeue === false) return true;
    if (t.preemptedPolls >= grace.polls && now - t.preemptedSince >= grace.seconds * 1000) {
      t.lost = `stayed PREEMPTED for ${t.preemptedPolls} polls without being requeued`;
      return true;
    }
    return false;
  }
  t.preemptedPolls = 0;
  t.preemptedSince = undefined;
  if (t.preempted && (LIVE.has(state) || FINAL.has(state))) {
    // A new run: what the preempted run reported is not the job's result. (Call this before
    // reading the poll's log lines: the new run's messages come after the old run's.)
    t.preempted = false;
    t.requeues++;
    t.final = undefined;
  }
  t.state = state;
  return FINAL.has(state);
}

/** Forward new log lines and worker messages; true if anything arrived. */
export function readLog(t: Tracked): boolean {
  if (!existsSync(t.logFile)) return false;
  const size = statSync(t.logFile).size;
  if (size < t.offset) t.offset = 0; // truncated: a requeued run started the log again
  if (size <= t.offset) return false;
  const fd = openSync(t.logFile, 'r');
  const buf = Buffer.alloc(size - t.offset);
  try {
    readSync(fd, buf, 0, buf.length, t.offset);
  } finally {
    closeSync(fd);
  }
  const complete = buf.lastIndexOf(0x0a) + 1;
  t.offset += complete;
  for (const line of buf.subarray(0, complete).toString('utf8').split('\n').filter(Boolean)) {
    if (line.startsWith('@@wt ')) {
      const msg = parseMessage(line.slice(5));
      if (msg?.type === 'progress') t.hooks.progress(msg);
      else if (msg) t.final = msg;
      if (msg) continue;
    }
    t.tail.push(line);
    if (t.tail.length > LOG_TAIL) t.tail.shift();
    t.hooks.log(line);
  }
  return complete > 0;
}

function parseMessage(text: string): WorkerMessage | undefined {
  try {
    const msg = JSON.parse(text) as WorkerMessage;
    return msg && typeof msg === 'object' && typeof msg.type === 'string' ? msg : undefined;
  } catch {
    return undefined; // a stage printing "@@wt …" itself, or a line cut by a crash
  }
}

export function outcome(t: Tracked): JobOutcome {
  if (t.final?.type === 'done') return { ok: true, result: t.final.result };
  if (t.final?.type === 'failed')
    return { ok: false, message: t.final.message, usage: t.final.usage, corruptEntry: t.final.corruptEntry, logTail: t.tail };
  const how = t.lost ?? `ended ${t.state}`;
  return { ok: false, message: `Slurm job ${t.id} ${how} without reporting a result (log: ${t.logFile})`, usage: false, logTail: t.tail };
}
