// What changes when the paper's augmentation (crop + flip, here a ≤ 2-pixel shift + flip) and
// mixup (α = 0.7) are on in the default profile's fine-tuning? Trains P-T and RI-T on one target
// under the four combinations, through the real pipeline in a temporary store, and prints final
// test accuracy, optimization speed and the P-T advantage (mean ± s.d. over seeds).
//   npx tsx bench/augmentation.ts [--target real] [--seeds 3] [--set key=value …] [--keep]
// The baseline row is the default profile as it is (both off), run in the same script.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LockFile } from '../engine/lock-file.ts';
import { Store } from '../engine/store.ts';
import { TrainingRun } from '../stages/common/schemas.ts';
import { meanStd } from '../stages/common/stats.ts';

const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: 'real' },
    seeds: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
    set: { type: 'string', multiple: true, default: [] },
  },
});
const seeds = Array.from({ length: Number(args.seeds) }, (_, i) => i);
const work = mkdtempSync(join(tmpdir(), 'wt-augment-'));
const ROOT = join(import.meta.dirname, '..');

const AUG = '{"flip":true,"pad":2}';
const VARIANTS: { name: string; set: string[] }[] = [
  { name: 'off (the default profile; baseline)', set: [] },
  { name: 'flip only', set: ['finetune.augment={"flip":true,"pad":0}'] },
  { name: 'shift ≤ 2 px only', set: ['finetune.augment={"flip":false,"pad":2}'] },
  { name: 'augmentation (shift ≤ 2 px + flip)', set: [`finetune.augment=${AUG}`] },
  { name: 'augmentation in pre-training and fine-tuning', set: [`pretrain.augment=${AUG}`, `finetune.augment=${AUG}`] },
  { name: 'mixup α = 0.7', set: ['finetune.mixupAlpha=0.7'] },
  { name: 'augmentation + mixup in fine-tuning (the paper)', set: [`finetune.augment=${AUG}`, 'finetune.mixupAlpha=0.7'] },
];

function build(variant: (typeof VARIANTS)[number]): Map<string, TrainingRun> {
  const ids = seeds.flatMap((s) => ['P-T', 'RI-T'].map((init) => `finetune/${args.target},${init},seed=${s}`));
  const setArgs = [...args.set, ...variant.set].flatMap((s) => ['--set', s]);
  const env = { ...process.env, WT_LOCK_DIR: join(work, 'locks') };
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'pipeline.ts'), ...ids, '--store', join(work, 'store'), '-q', ...setArgs],
    { env, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`${variant.name}: the build failed (exit ${r.status}):\n${r.stderr.slice(-2000)}`);
  const lock = new LockFile(join(work, 'locks', 'default.lock.json'));
  return new Map(
    ids.map((id) => {
      const fp = lock.get(id)!.locked.fingerprint;
      return [id, TrainingRun.parse(JSON.parse(readFileSync(join(new Store(join(work, 'store')).outDir(fp), 'run.json'), 'utf8')))];
    }),
  );
}

const fmt = (xs: number[]) => {
  const m = meanStd(xs.map((x) => 100 * x));
  return `${m.mean.toFixed(1)} ± ${m.std.toFixed(1)}`;
};

const rows: string[] = [];
const t0 = performance.now();
for (const v of VARIANTS) {
  const runs = [...build(v).values()];
  const of = (kind: string, key: 'finalTestAccuracy' | 'optimizationSpeed') => runs.filter((r) => r.kind === kind).map((r) => r[key]);
  const gaps = seeds.map(
    (s) =>
      runs.find((r) => r.kind === 'P-T' && r.seed === s)!.finalTestAccuracy -
      runs.find((r) => r.kind === 'RI-T' && r.seed === s)!.finalTestAccuracy,
  );
  rows.push(
    `| ${v.name} | ${fmt(of('P-T', 'finalTestAccuracy'))} | ${fmt(of('RI-T', 'finalTestAccuracy'))} | ${fmt(gaps)} | ${fmt(of('P-T', 'optimizationSpeed'))} | ${fmt(of('RI-T', 'optimizationSpeed'))} |`,
  );
  process.stderr.write(`${v.name}: done after ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
console.log(
  `target ${args.target}, seeds ${seeds.join(', ')} (default profile otherwise); % test accuracy / optimization speed, mean ± s.d. over seeds\n`,
);
console.log('| fine-tuning | P-T accuracy | RI-T accuracy | P-T − RI-T (paired) | P-T speed | RI-T speed |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
if (!args.keep) rmSync(work, { recursive: true, force: true });
else console.log(`\nstore kept in ${work}`);
