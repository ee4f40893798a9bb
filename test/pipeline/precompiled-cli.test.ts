// The precompiled CLI (pipeline.mjs → dist/pipeline.cjs) answers as pipeline.ts does, holds no
// tensor, plotting or image code, is used while it is up to date, is rebuilt when a file it was
// built from changed, and falls back to running from source when it cannot be built.
// WT_PRECOMPILED_DIR keeps every bundle these tests build out of the checkout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inputsRecordPath } from '../../engine/precompiled/bundle-inputs.mjs';
import { cliBundlePath, precompileCli } from '../../engine/precompiled/load-cli.mjs';
import { REPO } from '../support/tiny-project.ts';

const HEAVY = /node_modules\/(@tensorflow\/|sharp\/|vega|ml-matrix\/|zx\/)/;
const work = mkdtempSync(join(tmpdir(), 'wt-precompiled-'));
after(() => rmSync(work, { recursive: true, force: true }));

function cli(program: 'pipeline.mjs' | 'pipeline.ts', args: string[], env: Record<string, string> = {}) {
  const argv = program === 'pipeline.ts' ? ['--import', 'tsx', join(REPO, 'pipeline.ts')] : [join(REPO, 'pipeline.mjs')];
  return spawnSync(process.execPath, [...argv, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: {
      ...process.env,
      WT_PRECOMPILED_DIR: join(work, 'dist'),
      WT_LOCK_DIR: join(work, 'locks'),
      WT_CONFIG: join(work, 'none.json'),
      ...env,
    },
  });
}

test('the bundle holds the engine and the stage definitions, and no tensor, plotting or image code', async () => {
  process.env.WT_PRECOMPILED_DIR = join(work, 'built-here');
  try {
    const { inputs } = await precompileCli(REPO);
    assert.ok(inputs.length > 100, `${inputs.length} inputs`);
    assert.ok(inputs.some((p) => p.endsWith('engine/scheduler.ts')));
    assert.ok(inputs.some((p) => p.endsWith('stages/finetune.ts')));
    assert.deepEqual(
      inputs.filter((p) => HEAVY.test(p) || /stages\/run\//.test(p)),
      [],
    );
  } finally {
    delete process.env.WT_PRECOMPILED_DIR;
  }
});

test('pipeline.mjs gives the fingerprints pipeline.ts gives', () => {
  const args = ['status', '--profile', 'tiny', '--json', '--store', join(work, 'store')];
  const fromSource = cli('pipeline.ts', args);
  const precompiled = cli('pipeline.mjs', args);
  assert.equal(fromSource.status, 0, fromSource.stderr);
  assert.equal(precompiled.status, 0, precompiled.stderr);
  const rows = (out: string) => (JSON.parse(out) as { id: string; fingerprint: string }[]).map((r) => `${r.id} ${r.fingerprint}`);
  assert.equal(rows(precompiled.stdout).length, 61, "the tiny profile's 61 instances");
  assert.deepEqual(rows(precompiled.stdout), rows(fromSource.stdout));
  assert.equal(
    cli('pipeline.mjs', ['--help']).stdout,
    cli('pipeline.ts', ['--help']).stdout.replaceAll('npx tsx pipeline.ts', 'node pipeline.mjs'),
  );
});

test('the bundle is used while its inputs are unchanged, and rebuilt when one changed or the checkout moved', () => {
  const bundle = cliBundlePath(REPO).replace(join(REPO, 'dist'), join(work, 'dist'));
  const record = inputsRecordPath(bundle);
  assert.equal(cli('pipeline.mjs', ['--help']).status, 0);
  const builtAt = statSync(bundle).mtimeMs;
  assert.equal(cli('pipeline.mjs', ['--help']).status, 0);
  assert.equal(statSync(bundle).mtimeMs, builtAt, 'a fresh bundle is not rebuilt');

  const inputs = JSON.parse(readFileSync(record, 'utf8')) as { root: string; files: [string, number, number][] };
  assert.ok(inputs.files.length > 100);
  const edited = inputs.files.findIndex(([p]) => p === 'engine/scheduler.ts');
  assert.ok(edited >= 0, 'the record lists engine/scheduler.ts');
  inputs.files[edited]![2] -= 1000; // as if the file had been edited since the build
  writeFileSync(record, JSON.stringify(inputs));
  assert.equal(cli('pipeline.mjs', ['--help']).status, 0);
  const rebuiltAt = statSync(bundle).mtimeMs;
  assert.ok(rebuiltAt > builtAt, 'an edited input rebuilds the bundle');

  writeFileSync(record, JSON.stringify({ ...inputs, root: '/elsewhere' }));
  assert.equal(cli('pipeline.mjs', ['--help']).status, 0);
  assert.ok(statSync(bundle).mtimeMs > rebuiltAt, 'a moved checkout rebuilds the bundle');
});

test('a bundle that cannot be built leaves the CLI running from source, with a note', () => {
  const blocker = join(work, 'not-a-folder');
  writeFileSync(blocker, '');
  const r = cli('pipeline.mjs', ['--help'], { WT_PRECOMPILED_DIR: join(blocker, 'dist') });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /could not precompile the CLI .*running it from source/);
  assert.match(r.stdout, /Usage: node pipeline\.mjs/);
});
