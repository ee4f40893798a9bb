// The runner's own settings — where results are shared and where jobs run — in
// what-transfers.config.json (or the file $WT_CONFIG names). They never enter a fingerprint:
// the same experiment gives the same entries whichever cache or cluster it used.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from './errors.ts';
import { SigningConfig } from './remote/signing.ts';
import { formatZodIssues } from './zod-errors.ts';

const DirectoryRemote = z.strictObject({
  type: z.literal('directory'),
  /** a folder all machines see (NFS, a shared disk); relative paths are from the project root */
  path: z.string().min(1),
  readOnly: z.boolean().default(false),
  /** seconds a file-system call may take before the share counts as hung */
  timeoutSeconds: z.number().positive().default(30),
  signing: SigningConfig.optional(),
});

const HttpRemote = z.strictObject({
  type: z.literal('http'),
  /** base URL; entries are <url>/ac/<fingerprint>, files <url>/cas/<sha256> (Bazel's HTTP cache layout) */
  url: z.url(),
  /** name of the environment variable holding a bearer token (the token itself never goes in a file) */
  tokenEnv: z.string().optional(),
  readOnly: z.boolean().default(false),
  /** seconds before a request without progress is abandoned */
  timeoutSeconds: z.number().positive().default(30),
  /** transfers at once */
  parallel: z.number().int().min(1).max(64).default(8),
  signing: SigningConfig.optional(),
});

export const RemoteConfig = z.discriminatedUnion('type', [DirectoryRemote, HttpRemote]);
export type RemoteConfig = z.infer<typeof RemoteConfig>;

export const ExecutorConfig = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('local') }),
  z.strictObject({
    kind: z.literal('slurm'),
    partition: z.string().optional(),
    account: z.string().optional(),
    /** default time limit of a job, e.g. "02:00:00" (per-stage hints override it) */
    time: z.string().optional(),
    /** extra sbatch arguments, e.g. ["--qos=low"] */
    extraArgs: z.array(z.string()).default([]),
    /** per stage kind: resources that override the stage's own hints */
    resources: z
      .record(
        z.string(),
        z.strictObject({
          cpus: z.number().int().min(1).optional(),
          memoryMB: z.number().int().min(1).optional(),
          gpus: z.number().int().min(0).optional(),
          timeMinutes: z.number().int().min(1).optional(),
        }),
      )
      .default({}),
    /** seconds between status queries (one batched squeue/sacct call each), growing ×1.5 up to 60 when nothing changes */
    pollSeconds: z.number().positive().default(5),
  }),
]);
export type ExecutorConfig = z.infer<typeof ExecutorConfig>;

export const RunnerConfig = z.strictObject({
  remotes: z.record(z.string(), RemoteConfig).default({}),
  /** remote used by builds when --remote is not given */
  defaultRemote: z.string().optional(),
  executor: ExecutorConfig.default({ kind: 'local' }),
});
export type RunnerConfig = z.infer<typeof RunnerConfig>;

export function loadRunnerConfig(path: string): RunnerConfig {
  if (!existsSync(path)) return RunnerConfig.parse({});
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`The runner config ${path} is not valid JSON (${(err as Error).message}). Fix it or move it aside.`);
  }
  const parsed = RunnerConfig.safeParse(raw);
  if (!parsed.success) throw new UsageError(`The runner config ${path} is invalid:\n${formatZodIssues(parsed.error, 'config')}`);
  if (parsed.data.defaultRemote && !parsed.data.remotes[parsed.data.defaultRemote]) {
    throw new UsageError(
      `The runner config ${path} sets defaultRemote "${parsed.data.defaultRemote}", which is not one of its remotes (${Object.keys(parsed.data.remotes).join(', ') || 'none'}).`,
    );
  }
  return parsed.data;
}
