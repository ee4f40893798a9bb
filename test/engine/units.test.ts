// Unit tests of the engine's building blocks.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, utimesSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { canonicalJson } from '../../engine/canonical-json.ts';
import { Dag } from '../../engine/dag.ts';
import { UsageError } from '../../engine/errors.ts';
import { FileHasher } from '../../engine/file-hasher.ts';
import { outputDigestOf } from '../../engine/manifest.ts';
import { PackageVersions, packageName } from '../../engine/package-lock.ts';
import { parseSize } from '../../engine/gc.ts';
import { defineStage } from '../../engine/stage.ts';
import { diffValues } from '../../engine/explain.ts';
import { grantCpus } from '../../engine/scheduler.ts';

describe('canonicalJson', () => {
  test('sorts keys at every level and drops undefined', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: 2 }], c: null } }),
      '{"a":{"c":null,"d":[1,{"x":2,"z":1}]},"b":1}',
    );
    assert.equal(canonicalJson({ x: -0 }), '{"x":0}');
  });
  test('refuses values JSON cannot represent', () => {
    assert.throws(() => canonicalJson({ a: NaN }), /\$\.a is NaN/);
    assert.throws(() => canonicalJson({ f: () => 1 }), /function/);
  });
});

describe('output digest', () => {
  test('depends on names, sizes and contents, not on order', () => {
    const a = { path: 'a', sha256: '1'.repeat(64), size: 1 };
    const b = { path: 'b', sha256: '2'.repeat(64), size: 2 };
    assert.equal(outputDigestOf([a, b]), outputDigestOf([b, a]));
    assert.notEqual(outputDigestOf([a, b]), outputDigestOf([a, { ...b, path: 'c' }]));
    assert.notEqual(outputDigestOf([a, b]), outputDigestOf([a, { ...b, sha256: '3'.repeat(64) }]));
  });
});

describe('Dag', () => {
  const s = defineStage(import.meta.url, {
    name: 'train',
    params: z.strictObject({ lr: z.number(), seed: z.number().default(0), opt: z.object({ m: z.number() }).default({ m: 0.9 }) }),
    run() {},
  });
  const t = defineStage(import.meta.url, { name: 'eval', params: z.strictObject({}), deps: { model: 'one', extra: 'optional' }, run() {} });

  test('instance ids name the params that vary between instances', () => {
    const dag = new Dag();
    const a = dag.add(s, { lr: 0.1 });
    dag.add(s, { lr: 0.02, seed: 1 });
    dag.add(s, { lr: 0.1, opt: { m: 0.5 } });
    dag.add(t, {}, { model: a });
    dag.finalize();
    assert.deepEqual(
      dag.nodes().map((n) => n.id),
      ['train/lr=0.1,seed=0,opt.m=0.9', 'train/lr=0.02,seed=1,opt.m=0.9', 'train/lr=0.1,seed=0,opt.m=0.5', 'eval'],
    );
  });

  test('adding the same instance twice returns the same node', () => {
    const dag = new Dag();
    const a = dag.add(s, { lr: 0.1 });
    const b = dag.add(s, { lr: 0.1, seed: 0 });
    assert.equal(a.node, b.node);
    assert.equal(dag.nodes().length, 1);
  });

  test('bad params, deps and targets are usage errors that say what is wrong', () => {
    const dag = new Dag();
    assert.throws(
      () => dag.add(s, { lr: 'x' } as never),
      (e: Error) => e instanceof UsageError && /stage "train"/.test(e.message) && /params\.lr: .*expected number/i.test(e.message),
    );
    assert.throws(() => dag.add(s, { lr: 1, bogus: 1 } as never), /params\.bogus: unknown key/);
    assert.throws(() => dag.add(t, {}, {} as never), /dependency "model" is required/);
    const a = dag.add(s, { lr: 1 });
    assert.throws(() => dag.add(t, {}, { model: a, nope: a } as never), /no dependency named "nope"/);
    dag.add(t, {}, { model: a });
    dag.finalize();
    assert.throws(() => dag.closure(['evall']), /Unknown target "evall".*Did you mean "eval"/s);
    assert.deepEqual(
      dag.closure(['eval']).map((n) => n.id),
      ['train', 'eval'],
    );
    assert.deepEqual(
      dag.select(['tr*']).map((n) => n.id),
      ['train'],
    );
  });
});

describe('PackageVersions', () => {
  test('resolves a package and its dependency closure the way node does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-lock-'));
    writeFileSync(
      join(dir, 'package-lock.json'),
      JSON.stringify({
        packages: {
          '': {},
          'node_modules/a': { version: '1.0.0', dependencies: { b: '^2', c: '^1' } },
          'node_modules/b': { version: '2.1.0' },
          'node_modules/a/node_modules/c': { version: '1.5.0', dependencies: { b: '*' } },
          'node_modules/c': { version: '3.0.0' },
        },
      }),
    );
    const v = new PackageVersions(join(dir, 'package-lock.json'));
    assert.deepEqual(v.closure('a'), { a: '1.0.0', b: '2.1.0', 'a/node_modules/c': '1.5.0' });
    assert.deepEqual(v.closure('zzz'), { zzz: 'not-in-lockfile' });
    assert.equal(packageName('@tensorflow/tfjs-core/dist/x'), '@tensorflow/tfjs-core');
    assert.equal(packageName('zod/v4'), 'zod');
    assert.equal(packageName('node:fs'), undefined);
  });
});

describe('FileHasher', () => {
  test('memoises by stat signature, and a content change with a restored mtime still rehashes (ctime)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-hash-'));
    const f = join(dir, 'a.txt');
    writeFileSync(f, 'hello');
    await new Promise((r) => setTimeout(r, 2100)); // outside the racy window
    let reads = 0;
    const hasher = new FileHasher(join(dir, 'memo.json'));
    const upper = (b: Buffer) => (reads++, b.toString().toUpperCase());
    const h1 = await hasher.hash(f, 'code', upper);
    const h2 = await hasher.hash(f, 'code', upper);
    assert.equal(reads, 1);
    assert.deepEqual(h1, h2);
    hasher.save();
    const again = new FileHasher(join(dir, 'memo.json'));
    await again.hash(f, 'code', upper);
    assert.equal(reads, 1, 'memo survives a restart');
    const { mtime } = statSync(f);
    writeFileSync(f, 'jello');
    utimesSync(f, mtime, mtime);
    const h3 = await again.hash(f, 'code', upper);
    assert.equal(reads, 2);
    assert.notEqual(h3.sha256, h1.sha256);
  });
});

describe('explain', () => {
  test('diffs params by key path', () => {
    assert.deepEqual(diffValues({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3] }, d: 'x' }, 'params'), [
      ['b.c', '[1,2]', '[1,3]'],
      ['d', '(absent)', '"x"'],
    ]);
  });
});

describe('parseSize', () => {
  test('reads human sizes', () => {
    assert.equal(parseSize('500M'), 500 * 1024 ** 2);
    assert.equal(parseSize('1.5G'), Math.round(1.5 * 1024 ** 3));
    assert.equal(parseSize('20GiB'), 20 * 1024 ** 3);
    assert.throws(() => parseSize('lots'), /not a size/);
  });
});

describe('grantCpus', () => {
  test('a fixed job gets what it asks for, at most every slot, at least 1', () => {
    assert.equal(grantCpus({ cpus: 2 }, 2, 2, 5), 2);
    assert.equal(grantCpus({ cpus: 8 }, 2, 1, 1), 2);
    assert.equal(grantCpus({}, 2, 2, 1), 1);
  });
  test('an elastic job shares the free cores with the queued jobs', () => {
    assert.equal(grantCpus({ cpus: 2, elastic: true }, 2, 2, 1), 2, 'alone: every core');
    assert.equal(grantCpus({ cpus: 2, elastic: true }, 2, 2, 3), 1, 'with others waiting: one each');
    assert.equal(grantCpus({ cpus: 2, elastic: true }, 2, 1, 1), 1, 'one core free: runs on it');
    assert.equal(grantCpus({ cpus: 4, elastic: true }, 8, 8, 2), 4);
  });
});
