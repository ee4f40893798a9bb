// A stage instance's fingerprint: sha256 of the canonical JSON of its input record.
//
// Canonical JSON sorts keys, so the record is hashed in this (alphabetical) order:
//   code      the stage module and every local module it imports, transitively (normalised-source
//             digests), plus name@version of every npm package that code can load
//   env       the values of the environment variables the stage declares (others never count)
//   format    RECORD_FORMAT, bumped when the engine changes what a record means
//   inputs    declared input files, by content digest, keyed by path relative to their set's root
//             (not the absolute root, so a moved dataset folder or another checkout hits the cache)
//   params    the params after zod validation (unknown keys rejected, defaults filled in)
//   stage     name and version (authors bump `version` when outputs change meaning invisibly)
//   upstream  the OUTPUT digests of upstream instances, not their fingerprints: an upstream that
//             reruns and writes identical bytes leaves this record, and everything below, unchanged
// No absolute path, host name or time may enter a record: fingerprints must agree across machines.
import fg from 'fast-glob';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { canonicalJson } from './canonical-json.ts';
import type { CodeRecord } from './code-graph.ts';
import { digestAs, type Fingerprint, type OutputDigest, type Sha256 } from './digest.ts';
import { UsageError } from './errors.ts';
import type { FileHasher } from './file-hasher.ts';
import type { InputSet } from './stage.ts';

export const RECORD_FORMAT = 1;

export interface InputRecord {
  format: number;
  stage: { name: string; version: number };
  params: unknown;
  code: CodeRecord;
  inputs: Record<string, Record<string, Sha256>>;
  env: Record<string, string | null>;
  upstream: Record<string, OutputDigest | OutputDigest[] | null>;
}

export function fingerprintOf(record: InputRecord): Fingerprint {
  return digestAs<Fingerprint>(canonicalJson(record));
}

export interface ResolvedInputSet {
  root: string;
  files: string[];
}

/** Expand a stage's declared input sets and hash every file (memoised by stat). */
export async function hashInputs(
  stageName: string,
  sets: Record<string, InputSet>,
  projectRoot: string,
  hasher: FileHasher,
): Promise<{ record: Record<string, Record<string, Sha256>>; resolved: Record<string, ResolvedInputSet> }> {
  const record: Record<string, Record<string, Sha256>> = {};
  const resolved: Record<string, ResolvedInputSet> = {};
  for (const [name, set] of Object.entries(sets)) {
    const root = resolve(projectRoot, set.root);
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      throw new UsageError(
        `Stage "${stageName}" reads input set "${name}" from ${root}, which is not a folder. ` +
          `Create it or point the stage's params/config at the right place.`,
      );
    }
    // Symlinked files are hashed through the link; symlinked folders are not entered, so a link
    // loop cannot multiply the file list (the loaders refuse such folders with a clear error).
    const files = (await fg(set.patterns, { cwd: root, onlyFiles: true, followSymbolicLinks: false })).sort();
    const digests: Record<string, Sha256> = {};
    for (const f of files) digests[f] = (await hasher.hash(resolve(root, f))).sha256;
    record[name] = digests;
    resolved[name] = { root, files };
  }
  return { record, resolved };
}

export function envRecord(names: readonly string[] | undefined): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const n of [...(names ?? [])].sort()) out[n] = process.env[n] ?? null;
  return out;
}
