// The no-op as a user feels it: whole processes on the default profile (already built), beside
// Snakemake and make answering "nothing to do" for a DAG of the same shape (one rule or target per
// instance, one input per edge, every output present and newer than its inputs). Medians of 5.
// Snakemake comes from Debian (`apt-get install snakemake`); a tool that is not installed gets a
// row saying so instead of a number.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DagNode } from '../engine/dag.ts';

const REPO = join(import.meta.dirname, '..');
const WORK = join(import.meta.dirname, 'out', 'noop-whole-process');
const RUNS = 5;

export interface WholeProcessRow {
  measure: string;
  seconds: number | undefined;
  target?: string;
  note: string;
}

function medianSeconds(cmd: string, args: string[], cwd = REPO): number | undefined {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.error || (r.status !== 0 && !(cmd === 'make' && r.status === 1))) return undefined;
    times.push((performance.now() - t0) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

/** One file per instance, touched in topological order so that every output is newer than its inputs. */
function writeSameShape(nodes: readonly DagNode[]): { snakefile: string; makefile: string } {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(join(WORK, 'out'), { recursive: true });
  const index = new Map(nodes.map((n, i) => [n, i]));
  const file = (n: DagNode) => `out/n${index.get(n)}`;
  const snake = ['rule all:', `    input: ${nodes.map((n) => JSON.stringify(file(n))).join(', ')}`, ''];
  const make = [`all: ${nodes.map(file).join(' ')}`, ''];
  const t0 = Date.now() / 1000 - nodes.length;
  nodes.forEach((n, i) => {
    const ins = [...new Set(n.upstream())].map(file);
    snake.push(
      `rule r${i}:`,
      `    output: ${JSON.stringify(file(n))}`,
      ...(ins.length ? [`    input: ${ins.map((f) => JSON.stringify(f)).join(', ')}`] : []),
      `    shell: "touch {output}"`,
      '',
    );
    make.push(`${file(n)}: ${ins.join(' ')}`, '\ttouch $@', '');
    writeFileSync(join(WORK, file(n)), '');
    utimesSync(join(WORK, file(n)), t0 + i, t0 + i);
  });
  writeFileSync(join(WORK, 'Snakefile'), snake.join('\n'));
  writeFileSync(join(WORK, 'Makefile'), make.join('\n'));
  return { snakefile: join(WORK, 'Snakefile'), makefile: join(WORK, 'Makefile') };
}

export function wholeProcessRows(nodes: readonly DagNode[], store: string): WholeProcessRow[] {
  const edges = nodes.reduce((s, n) => s + new Set(n.upstream()).size, 0);
  writeSameShape(nodes);
  const precompiled = (...a: string[]) => medianSeconds(process.execPath, ['pipeline.mjs', ...a, '--store', store]);
  const fromSource = (...a: string[]) => medianSeconds(process.execPath, ['--import', 'tsx', 'pipeline.ts', ...a, '--store', store]);
  const has = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
  precompiled('status', '-q'); // the first run after an edit rebuilds dist/pipeline.cjs and writes its code cache
  const rows: WholeProcessRow[] = [
    {
      measure: '`node pipeline.mjs figures -q` (no-op, precompiled)',
      seconds: precompiled('figures', '-q'),
      target: '≤ 0.300 s and ≥ 2.5× faster than Snakemake',
      note: `${nodes.length} instances, all fresh`,
    },
    { measure: '`node pipeline.mjs status -q`', seconds: precompiled('status', '-q'), target: '≤ 0.300 s', note: '' },
    {
      measure: '`node pipeline.mjs --help`',
      seconds: medianSeconds(process.execPath, ['pipeline.mjs', '--help']),
      target: '≤ 0.200 s',
      note: '',
    },
    {
      measure: '`node --import tsx pipeline.ts figures -q` (no-op, from source)',
      seconds: fromSource('figures', '-q'),
      note: 'the TypeScript loader and ~400 modules',
    },
    {
      measure: "`npx tsx pipeline.ts figures -q` (the README's command)",
      seconds: medianSeconds('npx', ['tsx', 'pipeline.ts', 'figures', '-q', '--store', store]),
      note: 'npx itself is about 0.5 s',
    },
    { measure: '`node --import tsx pipeline.ts status -q`', seconds: fromSource('status', '-q'), note: '' },
    has('snakemake')
      ? {
          measure: '`snakemake -c2 -q -n`, same shape (baseline)',
          seconds: medianSeconds('snakemake', ['-c2', '-q', '-n', '-s', join(WORK, 'Snakefile'), '-d', WORK]),
          note: `${nodes.length} rules, ${edges} edges, nothing to do`,
        }
      : {
          measure: '`snakemake -n`, same shape (baseline)',
          seconds: undefined,
          note: 'SKIPPED: snakemake is not installed (apt-get install snakemake)',
        },
    has('make')
      ? {
          measure: '`make -q`, same shape',
          seconds: medianSeconds('make', ['-q', '-f', join(WORK, 'Makefile'), '-C', WORK]),
          note: `${nodes.length} targets, up to date`,
        }
      : { measure: '`make -q`, same shape', seconds: undefined, note: 'SKIPPED: make is not installed' },
    {
      measure: '`node --import tsx -e 0`',
      seconds: medianSeconds(process.execPath, ['--import', 'tsx', '-e', '0']),
      note: 'the TypeScript loader alone',
    },
    { measure: '`node -e 0`', seconds: medianSeconds(process.execPath, ['-e', '0']), note: 'node alone' },
  ];
  rmSync(WORK, { recursive: true, force: true });
  return rows;
}

export function printWholeProcess(rows: readonly WholeProcessRow[]): void {
  const snake = rows.find((r) => r.measure.includes('snakemake'))?.seconds;
  console.log('\n| whole process, median of 5 | wall | vs Snakemake | target | notes |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const ratio =
      r.seconds === undefined || snake === undefined
        ? '—'
        : r.seconds <= snake
          ? `${(snake / r.seconds).toFixed(2)}× faster`
          : `${(r.seconds / snake).toFixed(2)}× slower`;
    console.log(
      `| ${r.measure} | ${r.seconds === undefined ? '—' : `${r.seconds.toFixed(3)} s`} | ${ratio} | ${r.target ?? ''} | ${r.note} |`,
    );
  }
}
