// Runs jobs on a Slurm cluster: one sbatch job per stage instance, running the same worker entry
// point as the local executor (engine/worker-main.ts --job FILE) against the shared store, so the
// job commits its own entry with the same atomic protocol. The DAG stays on the submitting
// machine, which polls the states of its own jobs (engine/slurm/query.ts: squeue, then sacct, by
// job id — never the whole cluster) once per poll, backing off while nothing changes: clusters'
// admins do not like schedulers that hammer slurmctld. What a job may see and how its states read
// are in engine/slurm/: the batch script names no instance (job-files.ts), the job's environment
// is an explicit list without tokens (environment.ts), and a job missing for a poll or preempted
// and requeued is waited for (tracking.ts).
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { Executor, JobHooks, JobOutcome, JobRequest } from './executor.ts';
import { instanceIdProblem } from './instance-id.ts';
import type { ExecutorConfig } from './runner-config.ts';
import type { Resources } from './stage.ts';
import { configuredTokenNames, exportArg, exportList, sbatchEnvironment } from './slurm/environment.ts';
import { jobName, writeJobFiles } from './slurm/job-files.ts';
import { hasAccounting, MAX_BUFFER, queryStates } from './slurm/query.ts';
import { observe, outcome, readLog, tracked, type Grace, type Tracked } from './slurm/tracking.ts';
export { sharedStoreProblem } from './slurm/shared-store.ts';
import { sharedStoreProblem } from './slurm/shared-store.ts';

const run = promisify(execFile);
const MAX_POLL_SECONDS = 60;

type SlurmConfig = Extract<ExecutorConfig, { kind: 'slurm' }>;

export interface SlurmOptions {
  /** a job missing from squeue and sacct (or PREEMPTED and not requeued) is over after this many polls and seconds */
  grace?: Partial<Grace>;
  /** more variable names never to pass to jobs (the runner config's tokenEnv names always count) */
  secretEnv?: string[];
  /** output limit of one status query (default 64 MiB) */
  maxBuffer?: number;
  /** the submitting environment: where the Slurm tools are found, and what jobs may be given (default process.env) */
  env?: NodeJS.ProcessEnv;
}

export class SlurmExecutor implements Executor {
  readonly name = 'slurm';
  readonly slots: number;
  private readonly jobs = new Map<string, Tracked>();
  private accounting: boolean | undefined;
  private timer: NodeJS.Timeout | undefined;
  private interval: number;
  private polling = false;
  private readonly grace: Grace;
  private secrets: Set<string> | undefined;
  private readonly warned = new Set<string>();
  private readonly env: NodeJS.ProcessEnv;
  /** every job this executor submitted, with its instance id (for tests and the summary) */
  readonly submitted: { jobId: string; instance: string }[] = [];

  constructor(
    private readonly config: SlurmConfig,
    private readonly storeRoot: string,
    private readonly warn: (m: string) => void,
    maxJobs = 500,
    private readonly options: SlurmOptions = {},
  ) {
    this.slots = maxJobs;
    this.interval = config.pollSeconds;
    this.grace = { polls: options.grace?.polls ?? 10, seconds: options.grace?.seconds ?? 600 };
    this.env = options.env ?? process.env;
    checkTools(this.env);
    const where = sharedStoreProblem(storeRoot);
    if (where) warn(where);
  }

  async run(request: JobRequest, hooks: JobHooks): Promise<JobOutcome> {
    const { job } = request;
    const bad = instanceIdProblem(job.instanceId);
    if (bad)
      return {
        ok: false,
        message: `Refusing to submit instance ${JSON.stringify(job.instanceId)} to Slurm: its id ${bad}.`,
        usage: true,
        logTail: [],
      };
    this.secrets ??= new Set([...configuredTokenNames(job.projectRoot, this.env), ...(this.options.secretEnv ?? [])]);
    const { names, skipped } = exportList(Object.keys(job.record.env), this.secrets, this.env);
    // A declared variable is part of the fingerprint: a job run without it would be cached under a
    // fingerprint that claims its value. So refuse, before anything is written.
    if (skipped.length) {
      return {
        ok: false,
        usage: true,
        logTail: [],
        message: `Stage ${job.stageName} declares the env variable${skipped.length > 1 ? 's' : ''} ${skipped.join(', ')}, which look${skipped.length > 1 ? '' : 's'} like a secret (or is not a valid name). A secret must not be part of a fingerprint or reach a Slurm job: read it outside the stage's declared env, or rename the variable.`,
      };
    }
    const files = writeJobFiles(this.storeRoot, job);
    const args = [
      '--parsable',
      `--job-name=${jobName(job.instanceId)}`,
      `--output=${files.logFile}`,
      `--error=${files.logFile}`,
      // a requeued run appends to the log, after what the preempted run wrote
      '--open-mode=append',
      ...this.resourceArgs(job.stageName, request.resources),
      ...this.config.extraArgs,
      exportArg(names),
      files.script,
      files.jobFile,
    ];
    let id: string;
    try {
      id = (await run('sbatch', args, { env: sbatchEnvironment(this.secrets, this.env) })).stdout.trim().split(';')[0]!;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      return { ok: false, message: `sbatch failed: ${(e.stderr || e.message).trim()}`, usage: false, logTail: [] };
    }
    if (!/^\d+$/.test(id))
      return { ok: false, message: `sbatch printed ${JSON.stringify(id.slice(0, 80))} instead of a job id`, usage: false, logTail: [] };
    this.submitted.push({ jobId: id, instance: job.instanceId });
    hooks.progress({ message: `Slurm job ${id} submitted` });
    return new Promise((resolve) => {
      this.jobs.set(id, tracked(id, job.instanceId, files.logFile, hooks, resolve));
      this.interval = this.config.pollSeconds;
      this.schedulePoll();
    });
  }

  interrupt(hard: boolean): void {
    const ids = [...this.jobs.keys()];
    if (ids.length === 0) return;
    // scancel sends SIGTERM (then SIGKILL after KillWait): workers checkpoint and leave no entry.
    try {
      execFileSync('scancel', [...(hard ? ['--signal=KILL'] : []), ...ids], { stdio: 'ignore', env: this.env });
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
      this.accounting ??= await hasAccounting(this.env);
      const states = await queryStates([...this.jobs.keys()], {
        accounting: this.accounting,
        maxBuffer: this.options.maxBuffer ?? MAX_BUFFER,
        env: this.env,
      });
      const now = Date.now();
      for (const t of [...this.jobs.values()]) {
        const before = t.state;
        const over = observe(t, states.get(t.id), now, this.grace);
        if (readLog(t) || t.state !== before) changed = true;
        if (over) this.finish(t);
      }
    } catch (err) {
      this.warnOnce(`Slurm status query failed (${(err as Error).message.split('\n')[0]}); retrying`);
    } finally {
      this.polling = false;
    }
    this.interval = changed ? this.config.pollSeconds : Math.min(MAX_POLL_SECONDS, this.interval * 1.5);
    this.schedulePoll();
  }

  /** Stop polling; jobs still tracked end as failed (they keep running on the cluster). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const t of [...this.jobs.values()]) {
      this.jobs.delete(t.id);
      t.resolve({
        ok: false,
        message: `Slurm job ${t.id} was abandoned (the executor was closed while it was ${t.state})`,
        usage: false,
        logTail: t.tail,
      });
    }
  }

  private finish(t: Tracked): void {
    readLog(t);
    this.jobs.delete(t.id);
    t.resolve(outcome(t));
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.warn(message);
  }
}

function checkTools(env: NodeJS.ProcessEnv): void {
  for (const tool of ['sbatch', 'squeue', 'scontrol', 'scancel']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore', env });
    } catch {
      throw new Error(
        `--executor slurm needs the Slurm client tools, and ${tool} is not on PATH. Run on a cluster login node, or use the local executor.`,
      );
    }
  }
}
