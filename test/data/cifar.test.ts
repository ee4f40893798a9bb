import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cifarFiles, loadCifar, parseCifarRecords } from '../../data/real/cifar-binary.ts';
import { withTempDir } from './helpers.ts';

/** CIFAR records whose pixel value encodes (image, channel, position) so the HWC layout can be checked. */
function records(n: number, labelBytes: number, label: (i: number) => number[]): Uint8Array {
  const rec = labelBytes + 3072;
  const out = new Uint8Array(n * rec);
  for (let i = 0; i < n; i++) {
    out.set(label(i), i * rec);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[i * rec + labelBytes + c * 1024 + p] = (i * 7 + c * 50 + p) % 256;
  }
  return out;
}

test('CIFAR-10 binary batches are read into HWC images with their labels and class names', () =>
  withTempDir((root) => {
    const dir = join(root, 'cifar-10-batches-bin');
    mkdirSync(dir);
    cifarFiles('cifar10', 'train').forEach((f, b) =>
      writeFileSync(
        join(dir, f),
        records(3, 1, (i) => [(b * 3 + i) % 10]),
      ),
    );
    writeFileSync(
      join(dir, 'test_batch.bin'),
      records(4, 1, (i) => [9 - i]),
    );
    writeFileSync(join(dir, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n');
    const train = loadCifar({ dir: root, variant: 'cifar10', split: 'train' });
    assert.equal(train.header.count, 15);
    assert.equal(train.header.classes.length, 10);
    assert.deepEqual(Array.from(train.labels), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4]);
    const test_ = loadCifar({ dir, variant: 'cifar10', split: 'test' });
    assert.deepEqual(Array.from(test_.labels), [9, 8, 7, 6]);
    // image 2, pixel (y=1, x=3) = position 35, channel 1 → (2·7 + 50 + 35) % 256
    assert.equal(test_.images[2 * 3072 + 35 * 3 + 1], (2 * 7 + 50 + 35) % 256);
    assert.equal(test_.images[2 * 3072 + 35 * 3 + 2], (2 * 7 + 100 + 35) % 256);
    const gray = loadCifar({ dir, variant: 'cifar10', split: 'test', channels: 1, maxPerSplit: 2 });
    assert.equal(gray.header.count, 2);
    assert.equal(gray.images.length, 2 * 1024);
  }));

test('CIFAR-100 fine and coarse labels', () =>
  withTempDir((dir) => {
    writeFileSync(
      join(dir, 'test.bin'),
      records(3, 2, (i) => [i, 50 + i]),
    );
    writeFileSync(
      join(dir, 'train.bin'),
      records(1, 2, () => [1, 2]),
    );
    writeFileSync(join(dir, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n'));
    writeFileSync(join(dir, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `coarse${i}`).join('\n'));
    const fine = loadCifar({ dir, variant: 'cifar100', split: 'test' });
    assert.deepEqual(Array.from(fine.labels), [50, 51, 52]);
    assert.equal(fine.header.classes[50], 'fine50');
    const coarse = loadCifar({ dir, variant: 'cifar100', split: 'test', labels: 'coarse' });
    assert.deepEqual(Array.from(coarse.labels), [0, 1, 2]);
    assert.equal(coarse.header.domain, 'cifar100-coarse');
  }));

test('a truncated or missing CIFAR file is a clear error naming it', () =>
  withTempDir((dir) => {
    writeFileSync(join(dir, 'test_batch.bin'), records(2, 1, () => [1]).subarray(0, 5000));
    assert.throws(
      () => loadCifar({ dir, variant: 'cifar10', split: 'test' }),
      /test_batch\.bin is 5000 bytes, not a whole number of cifar10 records of 3073 bytes/,
    );
    assert.throws(() => loadCifar({ dir, variant: 'cifar10', split: 'train' }), /data_batch_1\.bin is missing/);
    assert.throws(() => loadCifar({ dir: join(dir, 'none'), variant: 'cifar100', split: 'train' }), /No cifar100 binary files in/);
    assert.throws(() => parseCifarRecords(new Uint8Array(0), 'x.bin', 'cifar100', 'fine'), /x\.bin is 0 bytes/);
  }));
