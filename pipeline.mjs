#!/usr/bin/env node
// what-transfers, precompiled: the same CLI as `npx tsx pipeline.ts`, started without the
// TypeScript loader (dist/pipeline.cjs, rebuilt on the first run after any source edit).
// `node pipeline.mjs figures` is the command to repeat all day. See README.md.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCli } from './engine/precompiled/load-cli.mjs';

const { cli, ran } = await loadCli(dirname(fileURLToPath(import.meta.url)));
const code = await cli.main('node pipeline.mjs');
ran();
cli.exitAfterGrace(code);
