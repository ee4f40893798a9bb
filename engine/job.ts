// A job: everything a worker needs to build one stage instance, as plain JSON, so the same job
// runs inline, in a local child process, or as a cluster job reading it from a file.
import { z } from 'zod';
import { FingerprintSchema, OutputDigestSchema } from './digest.ts';
import { InputRecordSchema } from './manifest.ts';

const JobDep = z.object({ id: z.string(), stage: z.string(), fingerprint: FingerprintSchema, outputDigest: OutputDigestSchema });
export type JobDep = z.infer<typeof JobDep>;

export const Job = z.object({
  instanceId: z.string(),
  stageName: z.string(),
  moduleUrl: z.string(),
  params: z.unknown(),
  fingerprint: FingerprintSchema,
  record: InputRecordSchema,
  projectRoot: z.string(),
  storeRoot: z.string(),
  deps: z.record(z.string(), z.union([JobDep, z.array(JobDep), z.null()])),
  inputs: z.record(z.string(), z.object({ root: z.string(), files: z.array(z.string()) })),
  /** a forced rebuild replaces an existing entry */
  replace: z.boolean(),
  executor: z.string(),
  /** cores granted to this job (the stage's context.cpus; under Slurm the worker replaces it by the allocation) */
  cpus: z.number().int().positive().default(1),
});
export type Job = z.infer<typeof Job>;

/** Messages a worker sends to whoever started it. */
export type WorkerMessage =
  | { type: 'progress'; done?: number | undefined; total?: number | undefined; message?: string | undefined }
  | { type: 'done'; result: 'committed' | 'replaced' | 'exists' }
  | { type: 'failed'; message: string; usage: boolean; corruptEntry?: string | undefined };
