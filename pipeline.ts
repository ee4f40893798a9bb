// what-transfers: the CLI entry, run from source. `npx tsx pipeline.ts figures` builds what the
// figures need; `node pipeline.mjs figures` is the same CLI precompiled. See README.md.
import { fileURLToPath } from 'node:url';
import { exitAfterGrace } from './engine/interrupt.ts';
import { main } from './experiment/cli.ts';

if (process.argv[1] === fileURLToPath(import.meta.url)) exitAfterGrace(await main());
