// Planning touches no tensor, plotting or image code: `status` on the default profile (which
// imports pipeline.ts, loads the profile, builds the DAG and fingerprints every instance) loads no
// module of @tensorflow/*, sharp, vega*, ml-matrix or zx. Stage definitions import their run code
// only when the stage runs (`run: async (ctx) => (await import('./run/<name>.ts')).run(ctx)`).
// Checked with a resolve hook that records every module the process imports, not with a timing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../support/tiny-project.ts';

const HEAVY = /node_modules\/(@tensorflow\/|sharp\/|vega|ml-matrix\/|zx\/)/;

function modulesLoadedBy(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'wt-loads-'));
  try {
    const record = join(dir, 'loads.txt');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        join(REPO, 'test', 'support', 'record-loads.mjs'),
        join(REPO, 'pipeline.ts'),
        ...args,
        '--store',
        join(dir, 'store'),
      ],
      {
        cwd: REPO,
        encoding: 'utf8',
        env: { ...process.env, WT_RECORD_LOADS: record, WT_LOCK_DIR: join(dir, 'locks'), WT_CONFIG: join(dir, 'none.json') },
      },
    );
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    return [...new Set(readFileSync(record, 'utf8').split('\n').filter(Boolean))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('status on the default profile loads no tensor, plotting or image module', () => {
  const loaded = modulesLoadedBy(['status', '--profile', 'default', '-q']);
  assert.ok(
    loaded.some((u) => u.endsWith('/experiment/dag.ts')),
    'the DAG was built',
  );
  assert.ok(
    loaded.some((u) => u.endsWith('/stages/finetune.ts')),
    'the stage definitions were loaded',
  );
  assert.deepEqual(
    loaded.filter((u) => HEAVY.test(u) || /\/stages\/run\//.test(u)),
    [],
  );
});

test('the hook sees a heavy module when one is loaded (the check can fail)', () => {
  const loaded = modulesLoadedBy(['finetune/real,P-T,seed=0', '--profile', 'tiny', '-n']);
  assert.equal(loaded.filter((u) => HEAVY.test(u)).length, 0, 'a dry run plans only');
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', join(REPO, 'test', 'support', 'record-loads.mjs'), '-e', "await import('sharp')"],
    {
      cwd: REPO,
      encoding: 'utf8',
      env: { ...process.env, WT_RECORD_LOADS: join(tmpdir(), `wt-loads-sharp-${process.pid}.txt`) },
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const seen = readFileSync(join(tmpdir(), `wt-loads-sharp-${process.pid}.txt`), 'utf8');
  rmSync(join(tmpdir(), `wt-loads-sharp-${process.pid}.txt`));
  assert.match(seen, HEAVY);
});
