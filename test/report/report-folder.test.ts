// The published report folder of the tiny profile, as a researcher uses it without this tool:
// runs.csv has one row per (training run, epoch) with the documented columns, the README's pandas
// script replots Fig. 2 from it (Debian's pandas and matplotlib, installed if need be), the
// LaTeX tables are booktabs tables that pdflatex compiles, and scorecard.md has a row per claim and control.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { CLAIMS } from '../../stages/scorecard/claims/index.ts';
import { CONTROLS } from '../../stages/scorecard/controls.ts';
import { RUNS_CSV_COLUMNS, RunRole } from '../../stages/runs-table.ts';
import { aptInstall } from '../support/nginx.ts';
import { OUT, REPO, tinyStore } from '../support/tiny-project.ts';

let folder: string;
let store: string;
before(async () => {
  store = await tinyStore();
  folder = join(store, '..', 'report', 'tiny');
});

/** RFC 4180 rows (quoted cells may hold commas) */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.trimEnd().split('\n'))
    rows.push(
      [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"')).slice(0, -1),
    );
  return rows;
}

describe('the report folder', () => {
  test('runs.csv: the documented columns, one row per epoch of every training run, roles from the list', () => {
    const rows = parseCsv(readFileSync(join(folder, 'runs.csv'), 'utf8'));
    assert.deepEqual(rows[0], [...RUNS_CSV_COLUMNS]);
    const lock = JSON.parse(readFileSync(join(OUT, 'locks', 'tiny.lock.json'), 'utf8')) as {
      instances: Record<string, { stage: string; fingerprint: string }>;
    };
    const training = Object.entries(lock.instances).filter(([, i]) => i.stage === 'pretrain' || i.stage === 'finetune');
    assert.ok(training.length > 10);
    const epochs = (fp: string) =>
      JSON.parse(readFileSync(join(store, 'entries', fp.slice(0, 2), fp, 'out', 'run.json'), 'utf8')).history.length as number;
    assert.equal(
      rows.length - 1,
      training.reduce((n, [, i]) => n + epochs(i.fingerprint), 0),
    );
    assert.deepEqual([...new Set(rows.slice(1).map((r) => r[0]))].sort(), training.map(([id]) => id).sort());
    for (const r of rows.slice(1)) {
      assert.equal(r.length, RUNS_CSV_COLUMNS.length);
      assert.ok(RunRole.safeParse(r[1]).success, r[1]);
    }
    assert.ok(rows.some((r) => r[1] === 'block-shuffle' && r[5] === '4'));
  });

  test('the LaTeX tables are booktabs tables, and scorecard.md has a row per claim and control', () => {
    for (const name of ['table1-cka', 'table2-distance']) {
      const tex = readFileSync(join(folder, 'tables', `${name}.tex`), 'utf8');
      assert.match(tex, /^\\begin\{table\}[\s\S]*\\toprule[\s\S]*\\midrule[\s\S]*\\bottomrule[\s\S]*\\end\{table\}\n$/);
      assert.ok(existsSync(join(folder, 'tables', `${name}.csv`)));
    }
    const md = readFileSync(join(folder, 'scorecard.md'), 'utf8');
    const tableRows = md
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| verdict') && !l.startsWith('| result') && !l.startsWith('| ---'));
    assert.equal(tableRows.length, CLAIMS.length + CONTROLS.length);
  });

  test('the LaTeX tables compile with pdflatex (Debian texlive, installed if need be)', (t) => {
    const hasLatex = () => spawnSync('pdflatex', ['--version'], { stdio: 'ignore' }).status === 0;
    if (!hasLatex()) aptInstall(['--no-install-recommends', 'texlive-latex-base', 'texlive-latex-recommended']);
    if (!hasLatex()) {
      console.error('\n!!! SKIPPING the LaTeX compile: Debian texlive could not be installed !!!\n');
      return t.skip('no pdflatex');
    }
    const dir = mkdtempSync(join(tmpdir(), 'wt-latex-'));
    try {
      for (const name of ['table1-cka', 'table2-distance']) copyFileSync(join(folder, 'tables', `${name}.tex`), join(dir, `${name}.tex`));
      const doc =
        '\\documentclass{article}\\usepackage{booktabs}\\begin{document}\\input{table1-cka}\\input{table2-distance}\\end{document}\n';
      writeFileSync(join(dir, 'paper.tex'), doc);
      const r = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'paper.tex'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(
        r.status,
        0,
        r.stdout
          .split('\n')
          .filter((l) => l.startsWith('!'))
          .join('\n'),
      );
      assert.ok(statSync(join(dir, 'paper.pdf')).size > 1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the README's pandas script replots the learning curves from runs.csv", (t) => {
    const python = '/usr/bin/python3';
    const hasPandas = () => existsSync(python) && spawnSync(python, ['-c', 'import pandas, matplotlib'], { stdio: 'ignore' }).status === 0;
    if (!hasPandas()) aptInstall(['python3-pandas', 'python3-matplotlib']);
    if (!hasPandas()) {
      console.error(
        '\n!!! SKIPPING the pandas replot: Debian python3-pandas/python3-matplotlib are not installed and could not be installed !!!\n',
      );
      return t.skip('no pandas');
    }
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const script = /<!-- replot-example -->\n```python\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(script, 'README has the replot example');
    const png = join(OUT, 'report', 'fig2-replotted.png');
    execFileSync(python, ['-c', script, join(folder, 'runs.csv'), png], { stdio: ['ignore', 'ignore', 'inherit'] });
    assert.ok(statSync(png).size > 1000);
  });
});
