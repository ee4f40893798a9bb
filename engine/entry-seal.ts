// The seal of a committed entry: every output made read-only, and seal.json recording each
// output's stat signature, so that a reader (entry-reader.ts) trusts a file whose stat matches
// and re-hashes any other. The format is defined here, where it is written.
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-fs.ts';
import { entryFiles } from './entry-layout.ts';
import { statSignature } from './file-hasher.ts';
import type { Manifest } from './manifest.ts';

const Seal = z.object({ files: z.record(z.string(), z.string()) });
export type Seal = z.infer<typeof Seal>;

/** Record each output file's stat signature, once the entry is in its final place. */
export function writeSeal(entryDir: string, manifest: Manifest): void {
  const { out, seal } = entryFiles(entryDir);
  const files: Record<string, string> = {};
  for (const f of manifest.outputs.files) files[f.path] = statSignature(statSync(join(out, f.path), { bigint: true }));
  try {
    writeFileAtomic(seal, JSON.stringify({ files }));
  } catch {
    /* read-only store (e.g. shared): files will be re-hashed on read */
  }
}

/** The entry's seal, or undefined when it has none or it is unreadable (then every file is re-hashed). */
export function readSeal(entryDir: string): Seal | undefined {
  try {
    const parsed = Seal.safeParse(JSON.parse(readFileSync(entryFiles(entryDir).seal, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function makeReadOnly(paths: string[]): void {
  for (const p of paths) {
    try {
      chmodSync(p, 0o444);
    } catch {
      /* not fatal: read-only is a guard, not a guarantee */
    }
  }
}
