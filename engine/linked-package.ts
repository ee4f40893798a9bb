// The files of a package linked from inside the project: what its package.json `files` lists
// (npm's own rule for what a package is), else every file but node_modules/ and build output.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';

const PackageFiles = z.looseObject({ files: z.array(z.string()).optional() });
const SKIPPED = new Set(['node_modules', 'build', '.git']);

/** Paths relative to `dir`, sorted; symlinks are not followed. */
export function filesOfLinkedPackage(dir: string): string[] {
  let listed: string[] | undefined;
  try {
    listed = PackageFiles.parse(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).files;
  } catch {
    listed = undefined;
  }
  const out: string[] = [];
  const walk = (path: string) => {
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isFile()) out.push(relative(dir, path));
    else if (st.isDirectory() && !SKIPPED.has(path.slice(path.lastIndexOf('/') + 1)))
      for (const name of readdirSync(path).sort()) walk(join(path, name));
  };
  for (const entry of ['package.json', ...(listed ?? readdirSync(dir))]) walk(join(dir, entry));
  return [...new Set(out)].sort();
}
