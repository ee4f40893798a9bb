// manifest.json: what a store entry holds and how it was made. Written last into the staging
// folder, so an entry with a readable manifest is a complete one.
import { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';
import { LOG_FILE } from './entry-layout.ts';
import { FingerprintSchema, Hex64, OutputDigestSchema, Sha256Schema, digestAs, type OutputDigest } from './digest.ts';
import { instanceIdProblem } from './instance-id.ts';
import { OutputPath, outputListProblem } from './output-path.ts';

export const MANIFEST_VERSION = 1;
export { LOG_FILE } from './entry-layout.ts';

/** a sha256 in hex, as every digest the engine writes (fingerprints, file and output digests) */
export { Hex64 };

export const OutputFile = z.object({ path: OutputPath, sha256: Sha256Schema, size: z.number().int().nonnegative() });
export type OutputFile = z.output<typeof OutputFile>;

export const InputRecordSchema = z.object({
  format: z.number().int(),
  stage: z.object({ name: z.string(), version: z.number().int() }),
  params: z.unknown(),
  code: z.object({ files: z.record(z.string(), Hex64), packages: z.record(z.string(), z.string()) }),
  inputs: z.record(z.string(), z.record(z.string(), Hex64)),
  env: z.record(z.string(), z.string().nullable()),
  upstream: z.record(z.string(), z.union([Hex64, z.array(Hex64), z.null()])),
});

export const RunInfo = z.object({
  startedAt: z.string(),
  finishedAt: z.string(),
  wallSeconds: z.number(),
  host: z.string(),
  platform: z.string(),
  node: z.string(),
  cpus: z.number(),
  pid: z.number(),
  executor: z.string(),
  gitCommit: z.string().nullable(),
  /** name@version of the project that made the entry (provenance for shared caches) */
  tool: z.string().optional(),
});

export const Manifest = z.object({
  manifestVersion: z.literal(MANIFEST_VERSION),
  fingerprint: FingerprintSchema,
  // Printed in messages and used in Slurm job names: the same strict charset as the DAG's ids.
  instanceId: z.string().superRefine((id, ctx) => {
    const problem = instanceIdProblem(id);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  record: InputRecordSchema,
  outputs: z.object({
    digest: OutputDigestSchema,
    files: z.array(OutputFile).superRefine((files, ctx) => {
      const problem = outputListProblem(files.map((f) => f.path));
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  }),
  // Always log.txt: a manifest is not allowed to choose where its log is written.
  log: z.object({ path: z.literal(LOG_FILE), sha256: Sha256Schema, size: z.number().int().nonnegative() }),
  run: RunInfo,
  metadata: z.record(z.string(), z.unknown()),
});
export type Manifest = z.infer<typeof Manifest>;

/** Digest of a set of output files: names, sizes and contents; nothing about when or where they were made. */
export function outputDigestOf(files: readonly { path: string; sha256: string; size: number }[]): OutputDigest {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return digestAs<OutputDigest>(canonicalJson(sorted.map((f) => [f.path, f.sha256, f.size])));
}
