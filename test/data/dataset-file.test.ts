import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  openDatasetFile,
  readDatasetFile,
  readDatasetHeader,
  writeDatasetFile,
  DatasetFileError,
} from '../../data/storage/dataset-file.ts';
import { patternDataset, withTempDir } from './helpers.ts';

test('write then read gives the same dataset, and the streamed reader the same batches', () =>
  withTempDir((dir) => {
    const ds = patternDataset(37, 8, 8, 3);
    const file = join(dir, 'd.wtds');
    writeDatasetFile(file, ds);
    const back = readDatasetFile(file);
    assert.deepEqual(back.header, ds.header);
    assert.deepEqual(back.labels, ds.labels);
    assert.deepEqual(new Uint8Array(back.images), ds.images);
    assert.deepEqual(readDatasetHeader(file), ds.header);
    const reader = openDatasetFile(file);
    try {
      assert.deepEqual(reader.labels, ds.labels);
      assert.deepEqual(reader.readImages(10, 5), ds.images.subarray(10 * 192, 15 * 192));
      assert.deepEqual(reader.readImages(36, 1), ds.images.subarray(36 * 192));
      assert.throws(() => reader.readImages(30, 10), /outside \[0, 37\)/);
    } finally {
      reader.close();
    }
  }));

test('an empty dataset and per-element normalisation round-trip', () =>
  withTempDir((dir) => {
    const empty = patternDataset(0, 4, 4, 1);
    writeDatasetFile(join(dir, 'e.wtds'), empty);
    assert.equal(readDatasetFile(join(dir, 'e.wtds')).header.count, 0);
    const ds = patternDataset(2, 2, 2, 3);
    ds.header.normalization = { mean: Array.from({ length: 12 }, (_, i) => i / 20), std: Array.from({ length: 12 }, () => 0.25) };
    writeDatasetFile(join(dir, 'p.wtds'), ds);
    assert.deepEqual(readDatasetFile(join(dir, 'p.wtds')).header.normalization, ds.header.normalization);
  }));

test('a truncated file is one clear error naming the file and what to do', () =>
  withTempDir((dir) => {
    const file = join(dir, 'cut.wtds');
    writeDatasetFile(file, patternDataset(10, 8, 8, 3));
    const size = readFileSync(file).length;
    truncateSync(file, size - 100);
    assert.throws(
      () => readDatasetFile(file),
      (err: Error) =>
        err instanceof DatasetFileError &&
        err.message.includes(file) &&
        /is truncated: its header describes 10 images of 8x8x3/.test(err.message) &&
        /re-run the stage/.test(err.message),
    );
    assert.throws(() => openDatasetFile(file), /is truncated/);
    truncateSync(file, 30);
    assert.throws(() => readDatasetFile(file), /truncated inside its JSON header/);
    truncateSync(file, 5);
    assert.throws(() => readDatasetFile(file), /shorter than the 16-byte preamble/);
  }));

test('trailing bytes, a foreign file, a bad header and bad labels are refused', () =>
  withTempDir((dir) => {
    const file = join(dir, 'x.wtds');
    writeDatasetFile(file, patternDataset(4, 4, 4, 3));
    appendFileSync(file, Buffer.from([1, 2, 3]));
    assert.throws(() => readDatasetFile(file), /has trailing bytes/);

    writeFileSync(join(dir, 'foreign.wtds'), Buffer.from('PNG\0 this is not a dataset file at all'));
    assert.throws(() => readDatasetFile(join(dir, 'foreign.wtds')), /not a what-transfers dataset file/);

    writeDatasetFile(file, patternDataset(4, 4, 4, 3));
    const bytes = readFileSync(file);
    const text = bytes.toString('latin1');
    const at = text.indexOf('"channels":3');
    bytes.write('"channels":4', at, 'latin1');
    writeFileSync(file, bytes);
    assert.throws(() => readDatasetFile(file), /x\.wtds .*truncated|x\.wtds .*trailing|invalid header/);

    const ds = patternDataset(4, 4, 4, 3);
    writeDatasetFile(file, ds);
    const b2 = readFileSync(file);
    const labelsAt = b2.length - 4 * 48 - 8; // labels are padded to 8 bytes
    b2.writeUInt16LE(999, labelsAt);
    writeFileSync(file, b2);
    assert.throws(() => readDatasetFile(file), /has label 999 at image 0, outside its 3 classes/);

    assert.throws(
      () => readDatasetFile(join(dir, 'missing.wtds')),
      (e: Error) => e.message.includes('missing.wtds') && /cannot be read/.test(e.message),
    );
  }));

test('writing refuses arrays that do not match the header', () =>
  withTempDir((dir) => {
    const ds = patternDataset(3, 4, 4, 3);
    ds.header.count = 4;
    assert.throws(() => writeDatasetFile(join(dir, 'bad.wtds'), ds), /arrays do not match the header/);
  }));
