// `npm run prepare` (run by `npm ci`): precompiles the CLI into dist/pipeline.mjs. Never fails the
// install: without a bundle, pipeline.mjs builds one on first use or runs from source.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliBundlePath, precompileCli } from './load-cli.mjs';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
try {
  await precompileCli(root);
} catch (err) {
  process.stderr.write(
    `warning: could not precompile the CLI into ${cliBundlePath(root)} (${err instanceof Error ? err.message : String(err)}); pipeline.mjs will build it on first use or run from source.\n`,
  );
}
