// Runs jobs on a Slurm cluster: one sbatch job per stage instance, running the same worker entry
// point as the local executor (engine/worker-main.ts --job FILE) against the shared store, so the
// job commits its own entry with the same atomic protocol. The DAG stays on the submitting
// machine, which polls job states with ONE batched query per poll (sacct where accounting is
// configured, else `scontrol -o show job`), backing off while nothing changes — clusters' admins
// do not like schedulers that hammer slurmctld.
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { Executor, JobHooks, JobOutcome, JobRequest } from './executor.ts';
import type { WorkerMessage } from './job.ts';
import type { ExecutorConfig } from './runner-config.ts';
import type { Resources } from './stage.ts';

const run = promisify(execFile);
const WORKER = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
const TSX_LOADER = createRequire(import.meta.url).resolve('tsx');
const LOG_TAIL = 40;
const MAX_POLL_SECONDS = 60;
/** Slurm states after which a job will not run again. */
const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'REVOKED', 'SPECIAL_EXIT']);

type SlurmConfig = Extract<ExecutorConfig, { kind: 'slurm' }>;

interface Tracked {
  id: string;
  instance: string;
  logFile: string;
  offset: number;
  state: string;
  hooks: JobHooks;
  tail: string[];
  /** polls in a row that did not list the job */
  missing: number;
  final?: WorkerMessage;
  resolve(o: JobOutcome): void;
}

export class SlurmExecutor implements Executor {
  readonly name = 'slurm';
  readonly slots: number;
  private readonly jobs = new Map<string, Tracked>();
  private accounting: boolean | undefined;
  private timer: NodeJS.Timeout | undefined;
  private interval: number;
  private polling = false;
  /** every job this executor submitted, with its instance id (for tests and the summary) */
  readonly submitted: { jobId: string; instance: string }[] = [];

  constructor(
    private readonly config: SlurmConfig,
    private readonly storeRoot: string,
    private readonly warn: (m: string) => void,
    maxJobs = 500,
  ) {
    this.slots = maxJobs;
    this.interval = config.pollSeconds;
    checkTools();
    const where = sharedStoreProblem(storeRoot);
    if (where) warn(where);
  }

  async run(request: JobRequest, hooks: JobHooks): Promise<JobOutcome> {
    const { job } = request;
    const dir = join(this.storeRoot, 'slurm');
    mkdirSync(dir, { recursive: true });
    const base = join(dir, `${job.fingerprint.slice(0, 16)}-${randomBytes(3).toString('hex')}`);
    const jobFile = `${base}.job.json`;
    const logFile = `${base}.log`;
    const script = `${base}.sh`;
    writeFileSync(jobFile, JSON.stringify({ ...job, executor: 'slurm' }));
    writeFileSync(
      script,
      [
        '#!/bin/bash',
        `# what-transfers: ${job.instanceId}`,
        `cd ${sh(job.projectRoot)}`,
        `exec ${sh(process.execPath)} --import ${sh(TSX_LOADER)} ${sh(WORKER)} --job ${sh(jobFile)}`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const args = ['--parsable', `--job-name=wt:${job.instanceId}`, `--output=${logFile}`, `--error=${logFile}`, ...this.resourceArgs(job.stageName, request.resources), ...this.config.extraArgs, script];
    let id: string;
    try {
      id = (await run('sbatch', args)).stdout.trim().split(';')[0]!;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      return { ok: false, message: `sbatch failed: ${(e.stderr || e.message).trim()}`, usage: false, logTail: [] };
    }
    this.submitted.push({ jobId: id, instance: job.instanceId });
    hooks.progress({ message: `Slurm job ${id} submitted` });
    return new Promise((resolve) => {
      this.jobs.set(id, { id, instance: job.instanceId, logFile, offset: 0, state: 'PENDING', hooks, tail: [], missing: 0, resolve });
      this.interval = this.config.pollSeconds;
      this.schedulePoll();
    });
  }

  interrupt(hard: boolean): void {
    const ids = [...this.jobs.keys()];
    if (ids.length === 0) return;
    // scancel sends SIGTERM (then SIGKILL after KillWait): workers checkpoint and leave no entry.
    try {
      execFileSync('scancel', [...(hard ? ['--signal=KILL'] : []), ...ids], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }

  private resourceArgs(stage: string, hints: Resources): string[] {
    const r = { ...hints, ...this.config.resources[stage] };
    const out: string[] = [];
    if (this.config.partition) out.push(`--partition=${this.config.partition}`);
    if (this.config.account) out.push(`--account=${this.config.account}`);
    out.push(`--cpus-per-task=${r.cpus ?? 1}`);
    if (r.memoryMB) out.push(`--mem=${r.memoryMB}M`);
    if (r.gpus) out.push(`--gpus=${r.gpus}`);
    if (r.timeMinutes) out.push(`--time=${r.timeMinutes}`);
    else if (this.config.time) out.push(`--time=${this.config.time}`);
    return out;
  }

  private schedulePoll(): void {
    if (this.timer || this.jobs.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, this.interval * 1000);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    let changed = false;
    try {
      const states = await this.queryStates([...this.jobs.keys()]);
      for (const t of [...this.jobs.values()]) {
        if (this.readLog(t)) changed = true;
        const state = states.get(t.id);
        t.missing = state === undefined ? t.missing + 1 : 0;
        if (state !== undefined && state !== t.state) {
          changed = true;
          t.state = state;
        }
        // Not listed twice in a row: finished longer ago than the cluster remembers; its log says how.
        if ((state !== undefined && FINAL.has(state)) || t.missing >= 2) this.finish(t);
      }
    } catch (err) {
      this.warn(`Slurm status query failed (${(err as Error).message.split('\n')[0]}); retrying`);
    } finally {
      this.polling = false;
    }
    this.interval = changed ? this.config.pollSeconds : Math.min(MAX_POLL_SECONDS, this.interval * 1.5);
    this.schedulePoll();
  }

  /** One batched query for all jobs: sacct if accounting is configured, else scontrol. */
  private async queryStates(ids: string[]): Promise<Map<string, string>> {
    const states = new Map<string, string>();
    if (this.accounting === undefined) this.accounting = await hasAccounting();
    if (this.accounting) {
      const { stdout } = await run('sacct', ['-n', '-P', '-X', '-j', ids.join(','), '-o', 'JobID,State']);
      for (const line of stdout.split('\n')) {
        const [id, state] = line.split('|');
        if (id && state) states.set(id.trim(), state.trim().split(' ')[0]!);
      }
    } else {
      const { stdout } = await run('scontrol', ['-o', 'show', 'job']);
      for (const line of stdout.split('\n')) {
        const id = /JobId=(\d+)/.exec(line)?.[1];
        const state = /JobState=(\S+)/.exec(line)?.[1];
        if (id && state && this.jobs.has(id)) states.set(id, state);
      }
    }
    return states;
  }

  /** Forward new log lines and worker messages; true if anything arrived. */
  private readLog(t: Tracked): boolean {
    if (!existsSync(t.logFile)) return false;
    const size = statSync(t.logFile).size;
    if (size <= t.offset) return false;
    const fd = openSync(t.logFile, 'r');
    const buf = Buffer.alloc(size - t.offset);
    try {
      readSync(fd, buf, 0, buf.length, t.offset);
    } finally {
      closeSync(fd);
    }
    const text = buf.toString('utf8');
    const complete = text.lastIndexOf('\n') + 1;
    t.offset += Buffer.byteLength(text.slice(0, complete));
    for (const line of text.slice(0, complete).split('\n').filter(Boolean)) {
      if (line.startsWith('@@wt ')) {
        const msg = JSON.parse(line.slice(5)) as WorkerMessage;
        if (msg.type === 'progress') t.hooks.progress(msg);
        else t.final = msg;
        continue;
      }
      t.tail.push(line);
      if (t.tail.length > LOG_TAIL) t.tail.shift();
      t.hooks.log(line);
    }
    return complete > 0;
  }

  private finish(t: Tracked): void {
    this.readLog(t);
    this.jobs.delete(t.id);
    if (t.final?.type === 'done') return t.resolve({ ok: true, result: t.final.result });
    if (t.final?.type === 'failed') return t.resolve({ ok: false, message: t.final.message, usage: t.final.usage, corruptEntry: t.final.corruptEntry, logTail: t.tail });
    t.resolve({ ok: false, message: `Slurm job ${t.id} ended ${t.state} without reporting a result (log: ${t.logFile})`, usage: false, logTail: t.tail });
  }
}

function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function checkTools(): void {
  for (const tool of ['sbatch', 'scontrol', 'scancel']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`--executor slurm needs the Slurm client tools, and ${tool} is not on PATH. Run on a cluster login node, or use the local executor.`);
    }
  }
}

async function hasAccounting(): Promise<boolean> {
  try {
    await run('sacct', ['-n', '-X', '-j', '1', '-o', 'JobID']);
    return true;
  } catch {
    return false; // "Slurm accounting storage is disabled"
  }
}

const SHARED_FS = /^(nfs|nfs4|lustre|gpfs|beegfs|cifs|smb3|ceph|fuse\.ceph|glusterfs|fuse\.glusterfs|panfs|wekafs|fuse\.sshfs|9p|virtiofs)$/;

/** A warning when the store looks local to this machine (compute nodes would not see it). */
export function sharedStoreProblem(store: string): string | undefined {
  let fstype = '';
  try {
    fstype = execFileSync('findmnt', ['-n', '-o', 'FSTYPE', '-T', store], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
  if (SHARED_FS.test(fstype)) return undefined;
  return (
    `The store ${store} is on a ${fstype || 'local'} filesystem, which looks local to this machine: Slurm jobs on other nodes ` +
    `cannot read or commit entries there. That is fine on a single-node cluster; otherwise put the store on a shared filesystem (--store /shared/path or WT_STORE).`
  );
}
