// manifest.json: what a store entry holds and how it was made. Written last into the staging
// folder, so an entry with a readable manifest is a complete one.
import { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';
import { isHex64, sha256, type OutputDigest, type Sha256 } from './digest.ts';

export const MANIFEST_VERSION = 1;

const Hex64 = z.string().refine(isHex64, 'not a sha256 hex digest');

export const OutputFile = z.object({ path: z.string(), sha256: Hex64, size: z.number().int().nonnegative() });
export type OutputFile = { path: string; sha256: Sha256; size: number };

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
  fingerprint: Hex64,
  instanceId: z.string(),
  record: InputRecordSchema,
  outputs: z.object({ digest: Hex64, files: z.array(OutputFile) }),
  log: z.object({ path: z.string(), sha256: Hex64, size: z.number() }),
  run: RunInfo,
  metadata: z.record(z.string(), z.unknown()),
});
export type Manifest = z.infer<typeof Manifest>;

/** Digest of a set of output files: names, sizes and contents; nothing about when or where they were made. */
export function outputDigestOf(files: readonly { path: string; sha256: string; size: number }[]): OutputDigest {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return sha256(canonicalJson(sorted.map((f) => [f.path, f.sha256, f.size]))) as unknown as OutputDigest;
}
