// What a stage author writes: `defineStage(import.meta.url, {...})` in one file under stages/.
//
// This file is the only engine module stage code imports, so it stays small and stable; the
// engine folder is excluded from code fingerprints (see project.ts), so editing the runner never
// retrains anything.
import type { z } from 'zod';
import type { Fingerprint, OutputDigest } from './digest.ts';

export const STAGE = Symbol.for('what-transfers.stage');

/** How a stage consumes one named upstream: exactly one instance, zero or one, or a list. */
export type DepKind = 'one' | 'optional' | 'many';
export type DepSpec = Record<string, DepKind>;

/** Hints for schedulers: local slots use `cpus`; cluster executors use all of them. */
export interface Resources {
  cpus?: number;
  /**
   * The stage can also run on fewer cores than `cpus`: when several jobs are ready the local
   * scheduler shares the free cores among them (2 single-threaded trainings beat one 2-threaded
   * one), and the stage learns its share from its context's `cpus`.
   */
  elastic?: boolean;
  memoryMB?: number;
  gpus?: number;
  timeMinutes?: number;
}

/** Files a stage reads from outside the store: a root folder and fast-glob patterns under it. */
export interface InputSet {
  root: string;
  patterns: string[];
}

/** A committed upstream entry, as the running stage sees it. */
export interface Upstream {
  id: string;
  stage: string;
  outputDigest: OutputDigest;
  /** folder holding the upstream's output files */
  dir: string;
  /** names of its output files, relative to `dir` */
  files: string[];
  /** absolute path of one output file, checked against the manifest before it is handed out */
  file(name: string): string;
  /** a JSON output, parsed and (with a schema) validated */
  json<T = unknown>(name: string, schema?: z.ZodType<T>): T;
}

export type UpstreamsOf<D extends DepSpec> = {
  [K in keyof D]: D[K] extends 'many' ? Upstream[] : D[K] extends 'optional' ? Upstream | undefined : Upstream;
};

export interface ProgressUpdate {
  done?: number;
  total?: number;
  /** short text shown beside the stage, e.g. "epoch 3/10 loss 1.23" */
  message?: string;
}

export interface RunContext<P, D extends DepSpec> {
  instanceId: string;
  fingerprint: Fingerprint;
  /** cores granted to this run (under Slurm, its allocation): size thread pools by this, not by the machine */
  cpus: number;
  params: P;
  deps: UpstreamsOf<D>;
  inputs: Record<string, { root: string; files: string[] }>;
  /** staging folder for outputs; becomes the entry's `out/` when the stage succeeds */
  outDir: string;
  /** absolute path for an output file (parent folders created) */
  out(name: string): string;
  /** write an output file, hashing it while it is written */
  writeOutput(name: string, data: string | Uint8Array): void;
  writeJson(name: string, value: unknown): void;
  /** survives a crash; keyed by this fingerprint, so a rerun with the same inputs resumes from it */
  scratchDir: string;
  progress(update: ProgressUpdate): void;
  log(...args: unknown[]): void;
  /** aborted on SIGINT/SIGTERM: stop at the next safe point (after a checkpoint) and throw */
  signal: AbortSignal;
  /** extra facts for the manifest (e.g. which tensor backend ran) */
  setMetadata(key: string, value: unknown): void;
}

export interface StageOptions<S extends z.ZodType, D extends DepSpec> {
  name: string;
  /** bump when outputs change meaning in a way the code hash cannot see */
  version?: number;
  description?: string;
  params: S;
  deps?: D;
  inputs?: (params: z.output<S>) => Record<string, InputSet>;
  /** environment variables that change the result; only these enter the fingerprint */
  env?: string[];
  resources?: Resources | ((params: z.output<S>) => Resources);
  /** 'process' (default): a child process per run, so heavy stages never share a heap; 'inline': in the runner */
  isolation?: 'process' | 'inline';
  /** a short readable label for instance ids, e.g. p => `${p.target},b${p.block}` */
  label?: (params: z.output<S>) => string;
  run(ctx: RunContext<z.output<S>, D>): Promise<void> | void;
}

export interface StageDefinition<S extends z.ZodType = z.ZodType, D extends DepSpec = DepSpec> extends StageOptions<S, D> {
  readonly [STAGE]: true;
  /** file URL of the module that defines (and exports) the stage; child processes import it */
  readonly moduleUrl: string;
  readonly version: number;
  readonly deps: D;
}

export function defineStage<S extends z.ZodType, D extends DepSpec = Record<never, DepKind>>(
  moduleUrl: string,
  options: StageOptions<S, D>,
): StageDefinition<S, D> {
  if (!/^[a-z][a-z0-9-]*$/.test(options.name)) {
    throw new Error(`Stage name "${options.name}" must be lower-case letters, digits and dashes, starting with a letter.`);
  }
  return { version: 1, deps: {} as D, ...options, moduleUrl, [STAGE]: true };
}

export function isStageDefinition(value: unknown): value is StageDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[STAGE] === true;
}
