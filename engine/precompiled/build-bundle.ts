// Precompiles the CLI into one CommonJS file (dist/pipeline.cjs) so that a command that finds
// nothing to do pays neither the TypeScript loader nor the resolution of ~400 modules. npm runs
// this at install (`prepare`); pipeline.mjs runs it again whenever a source file changed since.
// CommonJS, not an ES module, because node 20 can keep V8's compiled code only for a script
// (load-cli.mjs).
//
// Three things keep the bundle equivalent to running from source:
// - every module keeps its own import.meta.url (stages are identified, and their code is
//   fingerprinted, by their source file);
// - a stage's run code (`import('./run/<name>.ts')`) stays outside the bundle: a stage runs from
//   its source module, in a worker under tsx or inline through source-import.ts;
// - esbuild and tsx stay outside (esbuild is a native binary; code-graph.ts loads it only when a stage's
//   import graph must be read again).
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as esbuild from 'esbuild';
import { inputsRecord, inputsRecordPath, statInput, type BundleInput } from './bundle-inputs.mjs';

export interface BundlePaths {
  root: string;
  /** the module to precompile, relative to root */
  entry: string;
  /** e.g. dist/pipeline.cjs; its inputs record is written beside it as <name>.inputs.json */
  outfile: string;
}

const RUN_CODE = /(^|\/)run\/[^/]+\.ts$/;
// The bundle holds the packages' code too, so a reinstall (which rewrites npm's own record of
// node_modules) rebuilds it.
const PACKAGE_RECORDS = ['package.json', 'package-lock.json', 'node_modules/.package-lock.json'];

/** Keeps each module's import.meta.url, leaves run code outside, and states each source before reading it. */
function keepModuleIdentity(root: string, read: BundleInput[]): esbuild.Plugin {
  return {
    name: 'keep-module-identity',
    setup(build) {
      build.onResolve({ filter: RUN_CODE }, (a) =>
        a.kind === 'dynamic-import' ? { path: pathToFileURL(resolve(a.resolveDir, a.path)).href, external: true } : undefined,
      );
      build.onLoad({ filter: /\.[cm]?ts$/ }, async (a) => {
        const rel = relative(root, a.path);
        if (!rel.startsWith('..') && !rel.startsWith('node_modules')) read.push(statInput(root, rel));
        const source = await readFile(a.path, 'utf8');
        const contents = source
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(a.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(a.path)));
        return { contents, loader: 'ts' };
      });
    },
  };
}

export interface BundleBuilt {
  /** every file esbuild read, relative to root: the project's sources and the packages' files */
  inputs: string[];
}

/** Builds the bundle, then its inputs record, each written whole (a concurrent launcher sees the old or the new). */
export async function buildBundle({ root, entry, outfile }: BundlePaths): Promise<BundleBuilt> {
  const { build } = await import('esbuild');
  const read: BundleInput[] = PACKAGE_RECORDS.filter((f) => existsSync(join(root, f))).map((f) => statInput(root, f));
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: process.env.WT_BUNDLE_MINIFY !== '0',
    write: false,
    metafile: true,
    outfile,
    // tsx registers the TypeScript loader when an inline stage's run code must be imported
    external: ['esbuild', 'tsx'],
    plugins: [keepModuleIdentity(root, read)],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0];
  if (!code) throw new Error(`esbuild produced no ${outfile}`);
  await mkdir(dirname(outfile), { recursive: true });
  await writeWhole(outfile, code.contents);
  await writeWhole(inputsRecordPath(outfile), JSON.stringify(inputsRecord(root, read)));
  return { inputs: Object.keys(result.metafile.inputs) };
}

async function writeWhole(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}
