// What a precompiled bundle was built from: every local source file and the package lock, each
// with its size and mtime, as make judges a target. Plain JavaScript, because the launcher reads
// it before any TypeScript loader exists. The builder (build-bundle.ts) writes it; the launcher
// (pipeline.mjs) reads it; a missing, unreadable or foreign record counts as stale.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const BUNDLE_INPUTS_VERSION = 1;

/** dist/pipeline.cjs → dist/pipeline.inputs.json */
export const inputsRecordPath = (bundle) => bundle.replace(/\.c?js$/, '.inputs.json');

/** One input as the record holds it: [path relative to root, size, mtime in ms], stated now. */
export function statInput(root, file) {
  const st = statSync(join(root, file));
  return [file, st.size, st.mtimeMs];
}

/** The record of a bundle built from `entries` (from statInput, taken before each file was read). */
export function inputsRecord(root, entries) {
  const byPath = new Map(entries.map((e) => [e[0], e]));
  // the bundle holds absolute file URLs (each module's import.meta.url), so a moved checkout rebuilds it
  return { version: BUNDLE_INPUTS_VERSION, root, files: [...byPath.keys()].sort().map((p) => byPath.get(p)) };
}

/** Whether every input still has the size and mtime it had when the bundle was built. */
export function inputsAreFresh(recordPath, root) {
  let record;
  try {
    record = JSON.parse(readFileSync(recordPath, 'utf8'));
  } catch {
    return false;
  }
  if (
    !record ||
    record.version !== BUNDLE_INPUTS_VERSION ||
    record.root !== root ||
    !Array.isArray(record.files) ||
    record.files.length === 0
  )
    return false;
  for (const entry of record.files) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') return false;
    let st;
    try {
      st = statSync(join(root, entry[0]));
    } catch {
      return false;
    }
    if (st.size !== entry[1] || st.mtimeMs !== entry[2]) return false;
  }
  return true;
}
