// Remotes for the fault campaign's remote rows: a directory remote holding honest copies of some
// of the reference store's entries (which a trial then makes lie), a runner config naming it, and
// a trial wrapper that checks nothing outside the store changed.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Manifest } from '../../engine/manifest.ts';
import type { Row } from '../faults.ts';
import { outsideChanges, snapshotOutside } from './outside-store.ts';

export const REPO = join(fileURLToPath(import.meta.url), '..', '..', '..');

/** The reference store's entry for an instance: fingerprint, manifest and folder. */
export function entryOf(store: string, instanceId: string): { fp: string; manifest: Manifest; dir: string } {
  const root = join(store, 'entries');
  for (const shard of readdirSync(root)) {
    for (const fp of readdirSync(join(root, shard))) {
      const dir = join(root, shard, fp);
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
      if (manifest.instanceId === instanceId) return { fp, manifest, dir };
    }
  }
  throw new Error(`no entry of ${instanceId} in ${store}`);
}

/** Copy entries into a directory remote (ac/ + cas/), as an honest `cache push` would. */
export function honestRemote(remote: string, store: string, ids: readonly string[]): void {
  rmSync(remote, { recursive: true, force: true });
  mkdirSync(join(remote, 'ac'), { recursive: true });
  mkdirSync(join(remote, 'cas'), { recursive: true });
  for (const id of ids) {
    const e = entryOf(store, id);
    for (const f of e.manifest.outputs.files) cpSync(join(e.dir, 'out', f.path), join(remote, 'cas', f.sha256));
    cpSync(join(e.dir, e.manifest.log.path), join(remote, 'cas', e.manifest.log.sha256));
    cpSync(join(e.dir, 'manifest.json'), join(remote, 'ac', e.fp));
  }
}

/** A runner config with one remote called "lab". */
export function labConfig(dir: string, remote: object): string {
  const path = join(dir, 'runner.json');
  writeFileSync(path, JSON.stringify({ remotes: { lab: remote } }));
  return path;
}

export interface TrialResult {
  detected: boolean;
  recovered: boolean;
  identical?: boolean;
  note?: string;
}

/** Run trials in `sandbox`, each on a fresh `sandbox/store`, counting writes outside the store. */
export async function trials(
  sandbox: string,
  names: readonly string[],
  run: (name: string, store: string) => Promise<TrialResult>,
): Promise<{ results: TrialResult[]; outside: string[] }> {
  const results: TrialResult[] = [];
  const outside: string[] = [];
  for (const name of names) {
    const store = join(sandbox, 'store');
    rmSync(store, { recursive: true, force: true });
    // The trial's own setup (the remote it serves, its runner config) may change, and so may the
    // report a `figures` build publishes beside its store (<store>/../report); nothing else may.
    const own = [store, join(sandbox, 'remote'), join(sandbox, 'runner.json'), join(sandbox, 'report')];
    const before = snapshotOutside(REPO, sandbox, own);
    results.push(await run(name, store));
    outside.push(...outsideChanges(before, snapshotOutside(REPO, sandbox, own)).map((p) => `${name}: ${p}`));
  }
  return { results, outside };
}

export function rowOf(fault: string, names: readonly string[], r: { results: TrialResult[]; outside: string[] }, workLost: string): Row {
  const count = (f: (t: TrialResult) => boolean) => r.results.filter(f).length;
  const notes = r.results.flatMap((t, i) => (t.note ? [`${names[i]}: ${t.note}`] : []));
  const identical = r.results.filter((t) => t.identical !== undefined);
  return {
    fault,
    trials: r.results.length,
    detected: count((t) => t.detected),
    recovered: count((t) => t.recovered),
    identical: identical.length
      ? identical.every((t) => t.identical)
        ? `yes (${identical.length}/${identical.length})`
        : `NO: ${identical.filter((t) => !t.identical).length} differ`
      : '—',
    workLost,
    outside: r.outside.length ? `CHANGED: ${r.outside.slice(0, 3).join('; ')}` : 'none',
    ...(notes.length ? { notes: notes.join(' | ').slice(0, 400) } : {}),
  };
}
