// Loads the CLI for pipeline.mjs: the precompiled bundle when it is up to date with every source
// file it was built from; otherwise it is rebuilt first (about 0.3 s, once per edit); and when it
// cannot be rebuilt (a read-only checkout, no esbuild), the CLI runs from source, as pipeline.ts does.
//
// The bundle runs as a vm.Script with V8's code cache, written after the first run so that it
// holds every function that run compiled, as v8-compile-cache does. Commands compile different
// functions (a no-op build runs the scheduler, `status` does not), so each first word has its own
// cache: dist/pipeline.<word>.code-cache. Only a quick run writes it: during a long build V8
// drops the bytecode of functions it has not run lately (the start-up path among them), and a
// cache made then starts slower than none. V8 itself refuses a cache made for other source text
// or another V8; then it is written again.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { inputsAreFresh, inputsRecordPath } from './bundle-inputs.mjs';

export const CLI_SOURCE = 'experiment/cli.ts';
// WT_PRECOMPILED_DIR moves the bundle out of the checkout (tests do)
const distDir = (root) => process.env.WT_PRECOMPILED_DIR || join(root, 'dist');
export const cliBundlePath = (root) => join(distDir(root), 'pipeline.cjs');
const codeCachePath = (root) => {
  const word = process.argv[2] ?? '';
  return join(distDir(root), `pipeline.${/^[a-z][a-z-]{0,31}$/.test(word) ? word : 'build'}.code-cache`);
};

/** The CLI module (`main`, `exitAfterGrace`) of the checkout at `root`, and a hook to call once it has run. */
export async function loadCli(root) {
  const bundle = cliBundlePath(root);
  if (inputsAreFresh(inputsRecordPath(bundle), root)) return runBundle(bundle, codeCachePath(root), false);
  const { register } = await import('tsx/esm/api');
  register();
  try {
    await precompileCli(root);
    return runBundle(bundle, codeCachePath(root), true);
  } catch (err) {
    process.stderr.write(
      `Note: could not precompile the CLI into ${bundle} (${err instanceof Error ? err.message : err}); running it from source, which is slower to start.\n`,
    );
    return { cli: await import(pathToFileURL(join(root, CLI_SOURCE)).href), ran() {} };
  }
}

/** Builds dist/pipeline.cjs (the TypeScript loader must be registered: the builder is TypeScript). */
export async function precompileCli(root) {
  const { buildBundle } = await import('./build-bundle.ts');
  return buildBundle({ root, entry: CLI_SOURCE, outfile: cliBundlePath(root) });
}

const QUICK_RUN_MS = 3000;

/** `loaderRegistered`: tsx is registered already (a stale bundle was rebuilt with it). */
function runBundle(file, cacheFile, loaderRegistered) {
  const started = performance.now();
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    /* first run of this bundle */
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, {
    filename: file,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  module.exports.runningPrecompiled((url) => import(url), loaderRegistered);
  const ran = () => {
    if ((cachedData && !script.cachedDataRejected) || performance.now() - started > QUICK_RUN_MS) return;
    try {
      const tmp = `${cacheFile}.tmp-${process.pid}`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      /* only a cache: the next run compiles again */
    }
  };
  return { cli: module.exports, ran };
}
