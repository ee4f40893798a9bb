// `node --import ./test/support/record-loads.mjs …`: appends the URL of every module the process
// imports to the file named by WT_RECORD_LOADS (resolve hook, so nothing is inferred from timing).
import { register } from 'node:module';

register('./record-loads-hooks.mjs', import.meta.url);
