// Does training with the native kernels learn the same as with the project's wasm kernels?
// Trains the profile's pre-training run (the real pipeline stage, in its own store per kernel
// implementation) for several seeds with each, then prints the per-epoch test accuracy curves
// side by side: the gap between the two implementations' mean curves against the seed-to-seed
// spread (the noise), plus the wall time of each run.
//
//   npx tsx bench/native-parity.ts [--profile default] [--seeds 0,1,2] [--set pretrain.epochs=6]
//
// The two implementations do not round identically (the native GEMMs sum in another order than
// XNNPACK), so their curves differ by noise, not bit for bit.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TrainingRun } from '../stages/common/schemas.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'out', 'native-parity');

const { values: args } = parseArgs({
  options: {
    profile: { type: 'string', default: 'default' },
    seeds: { type: 'string', default: '0,1,2' },
    set: { type: 'string', multiple: true, default: [] },
    keep: { type: 'boolean', default: false },
  },
});
const seeds = args.seeds.split(',').map(Number);

const IMPLEMENTATIONS = [
  { name: 'native', env: {} },
  { name: 'wasm kernels', env: { WT_NATIVE: '0' } },
] as const;

interface Run {
  impl: string;
  seed: number;
  seconds: number;
  run: TrainingRun;
}

function cli(store: string, env: Record<string, string>, extra: string[]): string {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'pipeline.ts'),
      ...extra,
      '-p',
      args.profile,
      '--store',
      store,
      ...args.set.flatMap((s) => ['--set', s]),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, WT_LOCK_DIR: join(store, '..', 'locks') },
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    },
  );
  if (r.status !== 0) throw new Error(`pipeline ${extra.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

rmSync(OUT, { recursive: true, force: true });
const runs: Run[] = [];
for (const seed of seeds) {
  for (const impl of IMPLEMENTATIONS) {
    const store = join(OUT, impl.name.replace(/\W+/g, '-'), 'store');
    mkdirSync(store, { recursive: true });
    const seedArgs = ['--set', `pretrain.seed=${seed}`];
    cli(store, impl.env, ['build', 'dataset/source', '-q']);
    const t0 = performance.now();
    cli(store, impl.env, ['build', 'pretrain', '-q', ...seedArgs]);
    const seconds = (performance.now() - t0) / 1000;
    const status = JSON.parse(cli(store, impl.env, ['status', 'pretrain', '--json', ...seedArgs])) as { id: string; fingerprint: string }[];
    const fp = status.find((s) => s.id === 'pretrain')!.fingerprint;
    const run = TrainingRun.parse(JSON.parse(readFileSync(join(store, 'entries', fp.slice(0, 2), fp, 'out', 'run.json'), 'utf8')));
    runs.push({ impl: impl.name, seed, seconds, run });
    process.stderr.write(
      `${impl.name} seed ${seed}: ${seconds.toFixed(0)} s, final test accuracy ${(run.finalTestAccuracy * 100).toFixed(1)}%\n`,
    );
  }
}

const epochs = runs[0]!.run.history.map((h) => h.epoch);
const curve = (impl: string, seed: number) =>
  runs.find((r) => r.impl === impl && r.seed === seed)!.run.history.map((h) => h.testAccuracy * 100);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));

const header = [
  'epoch',
  ...IMPLEMENTATIONS.flatMap((i) => seeds.map((s) => `${i.name} s${s}`)),
  'mean native',
  'mean wasm',
  'gap',
  'seed sd (pooled)',
];
console.log(`test accuracy (%) of ${args.profile}'s pre-training run per epoch, ${seeds.length} seeds × 2 kernel implementations\n`);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
const gaps: number[] = [];
const sds: number[] = [];
epochs.forEach((epoch, e) => {
  const per = IMPLEMENTATIONS.map((i) => seeds.map((s) => curve(i.name, s)[e]!));
  const gap = mean(per[0]!) - mean(per[1]!);
  const pooled = Math.sqrt((sd(per[0]!) ** 2 + sd(per[1]!) ** 2) / 2);
  gaps.push(Math.abs(gap));
  sds.push(pooled);
  console.log(
    `| ${[epoch, ...per.flat().map((v) => v.toFixed(1)), mean(per[0]!).toFixed(1), mean(per[1]!).toFixed(1), gap.toFixed(1), pooled.toFixed(1)].join(' | ')} |`,
  );
});
// the gap between two means of n seeds each has standard error sd·√(2/n)
const se = sds.map((s) => s * Math.sqrt(2 / seeds.length));
const outside = gaps.filter((g, i) => g > 2 * se[i]!).length;
console.log(
  `\n|gap| > 2 standard errors of the gap at ${outside} of ${epochs.length} epochs; final epoch gap ${gaps.at(-1)!.toFixed(1)} points (2 SE = ${(2 * se.at(-1)!).toFixed(1)})`,
);
for (const impl of IMPLEMENTATIONS) {
  const secs = runs.filter((r) => r.impl === impl.name).map((r) => r.seconds);
  console.log(`${impl.name}: ${mean(secs).toFixed(0)} s per pre-training run (mean of ${secs.length})`);
}
if (!args.keep) rmSync(OUT, { recursive: true, force: true });
