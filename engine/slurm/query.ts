// Job states, asked about OUR jobs only. A cluster-wide listing (`scontrol -o show job`,
// `squeue` without -j) is every user's jobs: tens of MiB on a busy cluster, past Node's default
// 1 MiB output buffer. So: `squeue -j <ids>` (slurmctld's view: pending, running and recently
// finished jobs), then `sacct -j <ids>` for those squeue no longer lists (where accounting is
// configured), then `scontrol -o show job <id>` for a PREEMPTED job, to learn whether Slurm will
// requeue it. Ids go in chunks, and output may be large (maxBuffer) without breaking the poll.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CHUNK = 200;
export const MAX_BUFFER = 64 * 1024 * 1024;

export interface Observed {
  state: string;
  /** for PREEMPTED: whether Slurm will run the job again (scontrol's Requeue=1); undefined if unknown */
  requeue?: boolean | undefined;
  /** which tool listed it */
  from: 'squeue' | 'sacct';
}

export interface QueryOptions {
  accounting: boolean;
  maxBuffer?: number;
  env?: NodeJS.ProcessEnv;
}

export async function queryStates(ids: readonly string[], opts: QueryOptions): Promise<Map<string, Observed>> {
  const out = new Map<string, Observed>();
  const ours = new Set(ids);
  const exec = (cmd: string, args: string[]) =>
    run(cmd, args, { maxBuffer: opts.maxBuffer ?? MAX_BUFFER, env: opts.env ?? process.env, encoding: 'utf8' });
  for (const chunk of chunks(ids)) {
    let stdout = '';
    try {
      stdout = (await exec('squeue', ['-h', '-t', 'all', '-j', chunk.join(','), '-o', '%i|%T'])).stdout;
    } catch (err) {
      // "Invalid job id specified": none of these ids is known to slurmctld any more.
      if (!/invalid job id/i.test(String((err as { stderr?: string }).stderr ?? ''))) throw err;
    }
    for (const [id, state] of parseLines(stdout)) if (ours.has(id)) out.set(id, { state, from: 'squeue' });
  }
  const unlisted = ids.filter((id) => !out.has(id));
  if (opts.accounting && unlisted.length) {
    for (const chunk of chunks(unlisted)) {
      const { stdout } = await exec('sacct', ['-n', '-P', '-X', '-j', chunk.join(','), '-o', 'JobID,State']);
      for (const [id, state] of parseLines(stdout)) if (ours.has(id) && !out.has(id)) out.set(id, { state, from: 'sacct' });
    }
  }
  for (const [id, o] of out) {
    if (o.state !== 'PREEMPTED') continue;
    try {
      const { stdout } = await exec('scontrol', ['-o', 'show', 'job', id]);
      const flag = /(?:^|\s)Requeue=(\d)/.exec(stdout)?.[1];
      o.requeue = flag === undefined ? undefined : flag !== '0';
    } catch {
      /* purged from slurmctld: unknown */
    }
  }
  return out;
}

/** `id|STATE …` lines (sacct says e.g. `CANCELLED by 1000`). */
function parseLines(stdout: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of stdout.split('\n')) {
    const [id, state] = line.split('|');
    const s = state?.trim().split(/\s+/)[0];
    if (id?.trim() && s) out.push([id.trim(), s.replace(/\+$/, '')]);
  }
  return out;
}

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/** Whether sacct works here ("Slurm accounting storage is disabled" otherwise). */
export async function hasAccounting(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  try {
    await run('sacct', ['-n', '-X', '-j', '1', '-o', 'JobID'], { env, maxBuffer: MAX_BUFFER });
    return true;
  } catch {
    return false;
  }
}
