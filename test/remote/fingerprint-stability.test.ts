// Fingerprints and cache keys must not depend on where the project is checked out (no absolute
// paths, host names or times): CI machines and colleagues share entries by fingerprint.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO, runPipeline } from '../support/tiny-project.ts';

const SKIP = new Set(['node_modules', '.git', 'artifacts', 'test/out', 'bench/out', 'locks']);

const BASE = mkdtempSync(join(tmpdir(), 'wt-checkouts-'));

function checkout(name: string): string {
  const dest = join(BASE, name, 'what-transfers');
  mkdirSync(dest, { recursive: true });
  cpSync(REPO, dest, { recursive: true, filter: (src) => !SKIP.has(relative(REPO, src)) });
  symlinkSync(join(REPO, 'node_modules'), join(dest, 'node_modules'));
  return dest;
}

describe('fingerprints across checkouts', () => {
  let a: string;
  let b: string;
  before(() => {
    a = checkout('first');
    b = checkout('second-one-deeper');
  });
  after(() => rmSync(BASE, { recursive: true, force: true }));

  test('cache-key figures is the same in two checkout paths', async () => {
    const keys = await Promise.all([a, b, REPO].map((root) => runPipeline(['cache-key', 'figures', '--profile', 'tiny'], {}, root)));
    for (const k of keys) assert.equal(k.code, 0, k.stderr);
    assert.match(keys[0]!.stdout, /^[0-9a-f]{64}\n$/);
    assert.equal(keys[0]!.stdout, keys[1]!.stdout);
    assert.equal(keys[0]!.stdout, keys[2]!.stdout);
  });

  test('the fingerprints of every instance that can be computed before building are equal', async () => {
    const status = await Promise.all(
      [a, b].map(async (root) => {
        const r = await runPipeline(
          ['status', 'figures', '--profile', 'tiny', '--json', '--store', join(root, 'artifacts', 'store')],
          {},
          root,
        );
        assert.equal(r.code, 0, r.stderr);
        return (JSON.parse(r.stdout) as { id: string; fingerprint?: string }[]).filter((s) => s.fingerprint);
      }),
    );
    assert.ok(status[0]!.length >= 3, 'the datasets have fingerprints before anything is built');
    assert.deepEqual(status[0], status[1]);
  });

  test('a change of a parameter changes the key', async () => {
    const before = await runPipeline(['cache-key', 'figures', '--profile', 'tiny'], {}, a);
    const changed = await runPipeline(['cache-key', 'figures', '--profile', 'tiny', '--set', 'finetune.epochs=3'], {}, a);
    assert.match(before.stdout, /^[0-9a-f]{64}\n$/);
    assert.match(changed.stdout, /^[0-9a-f]{64}\n$/);
    assert.notEqual(changed.stdout, before.stdout);
  });

  test("a change of a stage's run code changes the key and the fingerprint of that stage", async () => {
    const args = ['status', 'figures', '--profile', 'tiny', '--json', '--store', join(a, 'artifacts', 'store')];
    const fingerprints = async () => {
      const r = await runPipeline(args, {}, a);
      assert.equal(r.code, 0, r.stderr);
      return new Map((JSON.parse(r.stdout) as { id: string; fingerprint?: string }[]).map((s) => [s.id, s.fingerprint]));
    };
    const key = async () => (await runPipeline(['cache-key', 'figures', '--profile', 'tiny'], {}, a)).stdout;
    const [keyBefore, before] = [await key(), await fingerprints()];
    // an edit that changes what the code does (a comment or a reformat would not count)
    const file = join(a, 'stages', 'run', 'dataset.ts');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nexport const editedForTheTest = 1;\n`);
    const [keyAfter, after] = [await key(), await fingerprints()];
    assert.match(keyBefore, /^[0-9a-f]{64}\n$/);
    assert.notEqual(keyAfter, keyBefore);
    const datasets = [...before.keys()].filter((id) => id.startsWith('dataset/'));
    assert.ok(datasets.length >= 2, `${datasets.length} dataset instances`);
    for (const id of datasets) assert.notEqual(after.get(id), before.get(id), `${id} has a new fingerprint`);
  });
});
