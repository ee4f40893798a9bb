// How fast is "nothing to do"? Builds a synthetic DAG of 1,000 stage instances whose outputs
// total ~2 GB, cold, then times the no-op rerun and `status`, in-process and as whole CLI runs.
// Target: no-op rerun ≤ 0.3 s on a 2-core machine. The baseline row is bare `node --import tsx`
// start-up, measured in the same run. Then the whole-process table on the default profile (built
// in --default-store, artifacts/store unless given) beside Snakemake and make on the same shape.
//   npx tsx bench/noop.ts [--blob-mb 20] [--keep] [--whole-process-only] [--default-store DIR]
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalExecutor } from '../engine/executor-local.ts';
import { Project } from '../engine/project.ts';
import { silentReporter } from '../engine/reporter.ts';
import { build } from '../engine/scheduler.ts';
import { computeStatus } from '../engine/status.ts';
import { dirSize } from '../engine/store.ts';
import { formatBytes } from '../engine/cli.ts';
import { buildDag } from '../experiment/dag.ts';
import { loadProfile } from '../profiles/index.ts';
import { printWholeProcess, wholeProcessRows } from './noop-whole-process.ts';

const { values: args } = parseArgs({
  options: {
    'blob-mb': { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
    'whole-process-only': { type: 'boolean', default: false },
    'default-store': { type: 'string' },
  },
});
process.env.WT_BENCH_BLOB_MB = args['blob-mb'];
const { BLOB_MB, COUNTS, ROOT, makeDag, writeProject } = await import('./noop-dag.ts');

const open = async () =>
  new Project({ dag: await makeDag(), root: ROOT, storeDir: join(ROOT, 'store'), lockFile: join(ROOT, 'bench.lock.json') });

async function timeBuild(): Promise<{ seconds: number; built: number; cached: number }> {
  const t0 = performance.now();
  const project = await open();
  const summary = await build(project, { targets: ['everything'], executor: new LocalExecutor(2), reporter: silentReporter });
  const seconds = (performance.now() - t0) / 1000;
  if (summary.exitCode !== 0) throw new Error(JSON.stringify(summary.outcomes.filter((o) => o.outcome === 'failed').slice(0, 3)));
  return {
    seconds,
    built: summary.outcomes.filter((o) => o.outcome === 'built').length,
    cached: summary.outcomes.filter((o) => o.outcome === 'cached').length,
  };
}

async function timeStatus(): Promise<number> {
  const t0 = performance.now();
  const list = await computeStatus(await open(), ['everything']);
  if (list.some((s) => s.state !== 'fresh')) throw new Error('status: not everything is fresh');
  return (performance.now() - t0) / 1000;
}

function cliSeconds(command: string[]): number {
  const script = join(ROOT, 'cli.ts');
  writeFileSync(
    script,
    `import { runCli } from '../../../engine/cli.ts';
import { join } from 'node:path';
import { ROOT, makeDag } from '../../noop-dag.ts';
process.exitCode = await runCli({ name: 'cli.ts', description: 'bench', root: ROOT, defaultTargets: ['everything'],
  createExperiment: async () => ({ dag: await makeDag(), name: 'bench' }), lockFilesDir: ROOT });\n`,
  );
  const t0 = performance.now();
  execFileSync(process.execPath, ['--import', 'tsx', script, ...command, '--store', join(ROOT, 'store'), '--quiet'], { stdio: 'inherit' });
  return (performance.now() - t0) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

if (!args['whole-process-only']) await syntheticTable();
const defaultNodes = buildDag(loadProfile({ profile: 'default' }))
  .finalize()
  .nodes();
printWholeProcess(wholeProcessRows(defaultNodes, args['default-store'] ?? join(import.meta.dirname, '..', 'artifacts', 'store')));

async function syntheticTable(): Promise<void> {
  writeProject();
  const total = Object.values(COUNTS).reduce((a, b) => a + b, 0);
  console.log(
    `Synthetic DAG: ${total} instances (${COUNTS.blob} × ${BLOB_MB} MB blobs, ${total - COUNTS.blob} small stages), store under ${ROOT}`,
  );
  const cold = await timeBuild();
  const storeBytes = dirSize(join(ROOT, 'store'));
  const noops = [];
  for (let i = 0; i < 5; i++) noops.push(await timeBuild());
  if (noops.some((n) => n.built !== 0)) throw new Error('no-op rerun built something');
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push(await timeStatus());
  const cliNoop = median([0, 1, 2].map(() => cliSeconds([])));
  const cliStatus = median([0, 1, 2].map(() => cliSeconds(['status'])));
  const nodeStartup = median(
    [0, 1, 2].map(() => {
      const t0 = performance.now();
      execFileSync(process.execPath, ['--import', 'tsx', '-e', '0']);
      return (performance.now() - t0) / 1000;
    }),
  );

  const rows: [string, string, string][] = [
    ['cold build (in-process)', `${cold.seconds.toFixed(2)} s`, `${cold.built} built, store ${formatBytes(storeBytes)}`],
    [
      'no-op rerun (in-process, median of 5)',
      `${median(noops.map((n) => n.seconds)).toFixed(3)} s`,
      `target ≤ 0.300 s; ${noops[0]!.cached} cached`,
    ],
    ['status (in-process, median of 5)', `${median(statuses).toFixed(3)} s`, `${total} fresh`],
    ['no-op rerun (whole CLI process)', `${cliNoop.toFixed(3)} s`, 'includes node + tsx start-up'],
    ['status (whole CLI process)', `${cliStatus.toFixed(3)} s`, 'includes node + tsx start-up'],
    ['baseline: `node --import tsx -e 0`', `${nodeStartup.toFixed(3)} s`, 'start-up alone'],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n${'measure'.padEnd(w)}  ${'time'.padStart(9)}  notes`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w)}  ${b.padStart(9)}  ${c}`);
  console.log(`\nno-op rerun / target: ${(median(noops.map((n) => n.seconds)) / 0.3).toFixed(2)}×`);
  if (!args.keep) rmSync(ROOT, { recursive: true, force: true });
}
