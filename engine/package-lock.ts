// Versions of npm packages as package-lock.json pins them, including everything they depend on,
// so that a stage's fingerprint changes when any package its code can execute changes.
// A package linked from inside the project (`"wt-kernels": "file:native/wt-kernels"`) has no
// version that changes with its code, so it is pinned by the digest of its files instead: an
// edit to the native kernels' C++ reruns what trains with them.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { filesOfLinkedPackage } from './linked-package.ts';
import { sha256 } from './digest.ts';

const LockEntry = z.looseObject({
  version: z.string().optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  optionalDependencies: z.record(z.string(), z.string()).optional(),
  peerDependencies: z.record(z.string(), z.string()).optional(),
  link: z.boolean().optional(),
  resolved: z.string().optional(),
});
const PackageLock = z.looseObject({ packages: z.record(z.string(), LockEntry) });

/** "@scope/pkg/sub/path" → "@scope/pkg"; "pkg/sub" → "pkg"; node builtins → undefined. */
export function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export class PackageVersions {
  private readonly packages: Record<string, z.infer<typeof LockEntry>>;
  private readonly root: string;
  private readonly linkedDigests = new Map<string, string>();

  constructor(lockPath: string) {
    this.root = dirname(resolve(lockPath));
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(lockPath, 'utf8'));
    } catch {
      this.packages = {};
      return;
    }
    const parsed = PackageLock.safeParse(raw);
    this.packages = parsed.success ? parsed.data.packages : {};
  }

  /** name@version of the package and its dependency closure, as npm would resolve them from the root. */
  closure(name: string): Record<string, string> {
    const out: Record<string, string> = {};
    const visit = (name: string, fromPath: string) => {
      const path = this.resolve(name, fromPath);
      if (path === undefined) {
        out[name] ??= 'not-in-lockfile';
        return;
      }
      const key = path.replace(/^node_modules\//, '');
      if (out[key] !== undefined) return;
      const entry = this.packages[path]!;
      out[key] = entry.link && entry.resolved !== undefined ? this.linkedVersion(entry.resolved) : (entry.version ?? 'unknown');
      for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies })) {
        visit(dep, path);
      }
    };
    visit(name, '');
    return out;
  }

  /** "local:<sha256>" over the (path, sha256) of the linked folder's files; only folders inside the project are read. */
  private linkedVersion(resolved: string): string {
    const dir = resolve(this.root, resolved);
    if (relative(this.root, dir).startsWith('..') || !dir.startsWith(this.root + sep)) return 'linked-outside-project';
    let digest = this.linkedDigests.get(dir);
    if (digest === undefined) {
      const files = filesOfLinkedPackage(dir);
      digest = files.length ? `local:${sha256(JSON.stringify(files.map((f) => [f, sha256(readFileSync(join(dir, f)))])))}` : 'local:empty';
      this.linkedDigests.set(dir, digest);
    }
    return digest;
  }

  /** Node's lookup: node_modules of the requiring package first, then each ancestor's. */
  private resolve(name: string, fromPath: string): string | undefined {
    let base = fromPath;
    for (;;) {
      const candidate = base ? join(base, 'node_modules', name) : join('node_modules', name);
      if (this.packages[candidate]) return candidate;
      if (!base) return undefined;
      const idx = base.lastIndexOf('/node_modules/');
      base = idx < 0 ? '' : base.slice(0, idx);
    }
  }
}
