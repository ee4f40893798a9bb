// The code a stage runs, derived from its module's import graph: every local module it imports,
// transitively, and the npm packages those modules import (with their dependency closure from
// package-lock.json). Nobody lists files by hand.
//
// The graph comes from an esbuild bundle's metafile (esbuild ships with tsx). Local files are
// hashed after esbuild strips comments and whitespace, so editing a comment or reformatting does
// not rerun a week of training; type-only edits vanish too, since types never reach the output.
import { statSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, extname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type * as esbuild from 'esbuild';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-fs.ts';
import type { FileHasher } from './file-hasher.ts';
import { statSignature } from './file-hasher.ts';
import { packageName, type PackageVersions } from './package-lock.ts';
import { canonicalJson } from './canonical-json.ts';
import { sha256, type Sha256 } from './digest.ts';

export interface CodeRecord {
  /** project-relative path → digest of the normalised source */
  files: Record<string, Sha256>;
  /** package (path under node_modules) → version, for every package the code can load */
  packages: Record<string, string>;
}

export function codeDigest(code: CodeRecord): Sha256 {
  return sha256(canonicalJson(code));
}

const GraphCache = z.object({
  version: z.literal(1),
  modules: z.record(z.string(), z.object({ files: z.record(z.string(), z.string()), externals: z.array(z.string()) })),
});
type ModuleGraph = { files: Record<string, string>; externals: string[] };

const ENGINE_DIR = dirname(fileURLToPath(import.meta.url));
// loaded on first use: a run whose import graphs and code hashes are all cached never needs it
const loadEsbuild = (): typeof esbuild => createRequire(import.meta.url)('esbuild') as typeof esbuild;

const LOADERS: Record<string, esbuild.Loader> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
};

export interface CodeGraphOptions {
  root: string;
  hasher: FileHasher;
  packages: PackageVersions;
  /** folders (absolute, or relative to root) whose code is tooling, not experiment code */
  exclude: string[];
  cachePath?: string;
}

export class CodeGraph {
  private graphs = new Map<string, ModuleGraph>();
  private memo = new Map<string, Promise<CodeRecord>>();
  /** a file most stages share (ml/, data/) is stated and looked up once per process, not once per stage */
  private fileDigests = new Map<string, Promise<Sha256>>();
  private dirty = false;

  /** The engine's own folder is always excluded: changing the runner never reruns experiments. */
  private readonly excluded: string[];

  constructor(private readonly opts: CodeGraphOptions) {
    this.excluded = [ENGINE_DIR, ...opts.exclude.map((d) => resolve(opts.root, d))].map((d) => (d.endsWith(sep) ? d : d + sep));
    if (!opts.cachePath) return;
    try {
      const parsed = GraphCache.safeParse(JSON.parse(readFileSync(opts.cachePath, 'utf8')));
      if (parsed.success) this.graphs = new Map(Object.entries(parsed.data.modules));
    } catch {
      /* no cache yet */
    }
  }

  /** Code records for several stage modules; one esbuild run covers every module whose graph is stale. */
  async records(modules: string[]): Promise<Map<string, CodeRecord>> {
    const stale = [...new Set(modules)].filter((m) => !this.memo.has(m) && !this.graphIsFresh(m));
    if (stale.length > 0) await this.rebuildGraphs(stale);
    const out = new Map<string, CodeRecord>();
    for (const m of modules) {
      let rec = this.memo.get(m);
      if (!rec) {
        rec = this.recordFor(this.graphs.get(m)!);
        this.memo.set(m, rec);
      }
      out.set(m, await rec);
    }
    return out;
  }

  save(): void {
    if (!this.opts.cachePath || !this.dirty) return;
    writeFileAtomic(this.opts.cachePath, JSON.stringify({ version: 1, modules: Object.fromEntries(this.graphs) }));
    this.dirty = false;
  }

  private graphIsFresh(module: string): boolean {
    const g = this.graphs.get(module);
    if (!g) return false;
    for (const [file, sig] of Object.entries(g.files)) {
      try {
        if (statSignature(statSync(file, { bigint: true })) !== sig) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  private async rebuildGraphs(modules: string[]): Promise<void> {
    const { root } = this.opts;
    let result: esbuild.BuildResult<{ metafile: true; write: false }>;
    try {
      result = await loadEsbuild().build({
        entryPoints: modules,
        absWorkingDir: root,
        bundle: true,
        write: false,
        metafile: true,
        platform: 'node',
        format: 'esm',
        packages: 'external',
        logLevel: 'silent',
        outdir: resolve(root, '.esbuild-unused-out'),
      });
    } catch (err) {
      const msg = (err as { errors?: esbuild.Message[] }).errors
        ?.map((e) => `${e.location?.file ?? ''}:${e.location?.line ?? ''}: ${e.text}`)
        .join('\n');
      throw new Error(`Cannot derive the import graph of ${modules.map((m) => relative(root, m)).join(', ')}:\n${msg ?? err}`);
    }
    const inputs = result.metafile.inputs;
    const absOf = (p: string) => resolve(root, p);
    for (const module of modules) {
      const files: Record<string, string> = {};
      const externals = new Set<string>();
      const entryKey = Object.keys(inputs).find((k) => absOf(k) === module);
      const queue = entryKey ? [entryKey] : [];
      const seen = new Set(queue);
      while (queue.length) {
        const key = queue.pop()!;
        const abs = absOf(key);
        if (this.isExcluded(abs)) continue;
        files[abs] = statSignature(statSync(abs, { bigint: true }));
        for (const imp of inputs[key]?.imports ?? []) {
          if (imp.external) externals.add(imp.path);
          else if (!seen.has(imp.path) && inputs[imp.path]) {
            seen.add(imp.path);
            queue.push(imp.path);
          }
        }
      }
      this.graphs.set(module, { files, externals: [...externals].sort() });
      this.dirty = true;
    }
  }

  private isExcluded(abs: string): boolean {
    return this.excluded.some((dir) => abs.startsWith(dir));
  }

  private async recordFor(graph: ModuleGraph): Promise<CodeRecord> {
    const files: Record<string, Sha256> = {};
    for (const abs of Object.keys(graph.files).sort()) files[relative(this.opts.root, abs)] = await this.fileDigest(abs);
    const packages: Record<string, string> = {};
    for (const spec of graph.externals) {
      const name = packageName(spec);
      if (name) Object.assign(packages, this.opts.packages.closure(name));
    }
    // frozen: one record is shared by every instance of the stage (canonicalJson sorts it once)
    return Object.freeze({ files: Object.freeze(files), packages: Object.freeze(Object.fromEntries(Object.entries(packages).sort())) });
  }

  private fileDigest(abs: string): Promise<Sha256> {
    let digest = this.fileDigests.get(abs);
    if (!digest) {
      const loader = LOADERS[extname(abs)];
      digest = this.opts.hasher.hash(abs, 'code', loader ? (bytes) => normaliseSource(bytes, loader) : undefined).then((h) => h.sha256);
      this.fileDigests.set(abs, digest);
    }
    return digest;
  }
}

function normaliseSource(bytes: Buffer, loader: esbuild.Loader): string | Buffer {
  try {
    return loadEsbuild().transformSync(bytes.toString('utf8'), { loader, minifyWhitespace: true, legalComments: 'none' }).code;
  } catch {
    return bytes; // a syntax error will surface when the stage runs; hash the raw bytes meanwhile
  }
}
