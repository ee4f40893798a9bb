// Reading a committed entry's outputs from inside a running stage (entry-seal.ts writes the seal). Files are checked against the
// manifest before they are handed out: a stat matching the entry's seal (taken at commit) is
// trusted, anything else is re-hashed, so a flipped byte is caught when the entry is next read
// rather than silently trained on.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { sha256File } from './digest.ts';
import { entryFiles, MANIFEST_FILE } from './entry-layout.ts';
import { readSeal } from './entry-seal.ts';
import { CorruptEntryError } from './errors.ts';
import { statSignature } from './file-hasher.ts';
import type { Manifest } from './manifest.ts';
import type { Upstream } from './stage.ts';
import type { JobDep } from './job.ts';
import type { Store } from './store.ts';
import { zodIssuesInline } from './zod-errors.ts';

export async function verifyEntryFile(entryDir: string, manifest: Manifest, name: string): Promise<string> {
  const meta = manifest.outputs.files.find((f) => f.path === name);
  const path = join(entryFiles(entryDir).out, name);
  if (!meta)
    throw new Error(
      `Entry ${manifest.instanceId} has no output named "${name}" (it has: ${manifest.outputs.files.map((f) => f.path).join(', ')})`,
    );
  let sig: string;
  try {
    sig = statSignature(statSync(path, { bigint: true }));
  } catch {
    throw new CorruptEntryError(`Output ${path} of ${manifest.instanceId} is missing from the store.`, entryDir, name);
  }
  if (readSeal(entryDir)?.files[name] === sig) return path;
  const digest = await sha256File(path);
  if (digest !== meta.sha256) {
    throw new CorruptEntryError(
      `Output ${path} of ${manifest.instanceId} does not match its manifest (sha256 ${digest.slice(0, 12)}…, expected ${meta.sha256.slice(0, 12)}…): the store entry is corrupt.`,
      entryDir,
      name,
    );
  }
  return path;
}

/**
 * The Upstream a stage sees. Verification is synchronous-looking for stage authors: all of the
 * entry's files are checked up front (cheap when the seal matches), before the stage starts.
 */
export async function openUpstream(store: Store, dep: JobDep): Promise<Upstream> {
  const manifest = store.readManifest(dep.fingerprint);
  const entryDir = store.entryDir(dep.fingerprint);
  if (!manifest)
    throw new CorruptEntryError(
      `Upstream ${dep.id} (entry ${dep.fingerprint.slice(0, 12)}) is no longer in the store.`,
      entryDir,
      MANIFEST_FILE,
    );
  if (manifest.outputs.digest !== dep.outputDigest) {
    // The fingerprint of this stage was computed from dep.outputDigest; reading other bytes would
    // commit a result under a fingerprint that does not describe it.
    throw new Error(
      `Upstream ${dep.id} (entry ${dep.fingerprint.slice(0, 12)}) has output digest ${manifest.outputs.digest.slice(0, 12)}…, but this stage was planned with ${dep.outputDigest.slice(0, 12)}…. Run the build again to plan it from the current entry.`,
    );
  }
  for (const f of manifest.outputs.files) await verifyEntryFile(entryDir, manifest, f.path);
  const dir = entryFiles(entryDir).out;
  const names = new Set(manifest.outputs.files.map((f) => f.path));
  const file = (name: string) => {
    if (!names.has(name)) throw new Error(`Upstream ${dep.id} has no output named "${name}" (it has: ${[...names].join(', ')})`);
    return join(dir, name);
  };
  return {
    id: dep.id,
    stage: dep.stage,
    outputDigest: manifest.outputs.digest,
    dir,
    files: [...names],
    file,
    json<T>(name: string, schema?: z.ZodType<T>): T {
      const path = file(name);
      const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (!schema) return value as T;
      const parsed = schema.safeParse(value);
      if (!parsed.success)
        throw new Error(`${path} (output of ${dep.id}) does not have the expected shape: ${zodIssuesInline(parsed.error, Infinity)}`);
      return parsed.data;
    },
  };
}
