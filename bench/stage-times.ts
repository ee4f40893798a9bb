// Where a build's time goes: per stage kind, the instances, their summed and longest wall time
// and their share, for the instances of a profile's lock file (each entry's manifest records its run's wall time).
// With --build, first builds the profile cold in a temporary store (-j 2) and times the whole
// build, so the table also shows how well the two cores were kept busy.
//   npx tsx bench/stage-times.ts [--profile default] [--lock locks/default.lock.json] [--store artifacts/store] [--build]
// The baseline is the summed stage time itself: each row's share of it, and the build's wall
// time against the ideal sum / cores.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LockFile } from '../engine/lock-file.ts';
import { Store } from '../engine/store.ts';

const { values: args } = parseArgs({
  options: {
    profile: { type: 'string', default: 'default' },
    lock: { type: 'string' },
    store: { type: 'string' },
    build: { type: 'boolean', default: false },
  },
});
const ROOT = join(import.meta.dirname, '..');
let lockPath = args.lock ?? join(ROOT, 'locks', `${args.profile}.lock.json`);
let wall: number | undefined;
let work: string | undefined;

if (args.build) {
  work = mkdtempSync(join(tmpdir(), 'wt-stage-times-'));
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'pipeline.ts'), 'figures', '-p', args.profile, '-j', '2', '--store', join(work, 'store'), '-q'],
    {
      env: { ...process.env, WT_LOCK_DIR: join(work, 'locks') },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`the cold build failed (exit ${r.status})`);
  lockPath = join(work, 'locks', `${args.profile}.lock.json`);
}

const lock = new LockFile(lockPath);
if (lock.problem || !lock.ids().length)
  throw new Error(`${lockPath}: no build recorded (${lock.problem ?? 'empty'}); build the profile first or pass --build`);
// Times are in the entries' manifests (the lock file records only what decides freshness).
const store = new Store(args.store ?? (work ? join(work, 'store') : join(ROOT, 'artifacts', 'store')));
const byStage = new Map<string, number[]>();
for (const id of lock.ids()) {
  const { locked } = lock.get(id)!;
  const secs = store.readManifest(locked.fingerprint)?.run.wallSeconds;
  if (secs === undefined) throw new Error(`${id}: entry ${locked.fingerprint.slice(0, 16)} is not in ${store.root}; pass --store`);
  byStage.set(locked.stage, [...(byStage.get(locked.stage) ?? []), secs]);
}
const total = [...byStage.values()].flat().reduce((a, b) => a + b, 0);
const rows = [...byStage]
  .map(([stage, ts]) => ({ stage, n: ts.length, sum: ts.reduce((a, b) => a + b, 0), max: Math.max(...ts) }))
  .sort((a, b) => b.sum - a.sum);
console.log(`${args.profile}: ${lock.ids().length} instances, from ${lockPath}\n`);
console.log('| stage | instances | summed wall s | mean s | longest s | share of summed |');
console.log('|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.stage} | ${r.n} | ${r.sum.toFixed(1)} | ${(r.sum / r.n).toFixed(1)} | ${r.max.toFixed(1)} | ${((100 * r.sum) / total).toFixed(1)}% |`,
  );
console.log(`| **all** | ${lock.ids().length} | ${total.toFixed(1)} | | | 100% |`);
if (wall !== undefined) {
  const cores = Math.min(2, cpus().length);
  console.log(
    `\ncold build, -j 2: ${(wall / 60).toFixed(1)} min wall (${wall.toFixed(0)} s); summed stage time / ${cores} cores = ${(total / cores).toFixed(0)} s, so the cores were busy ${((100 * total) / cores / wall).toFixed(0)}% of the time`,
  );
}
if (work) rmSync(work, { recursive: true, force: true });
