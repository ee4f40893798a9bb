import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { generateDomain } from '../../data/embedded/generate-domain.ts';
import { sampleGridPng, shuffleStripPng } from '../../data/preview/sample-grid.ts';

test('a sample grid is a PNG with one row per class and the requested columns', async () => {
  const ds = generateDomain({ domain: 'quickdraw', split: 'test', count: 60, size: 16, classes: 20 });
  const png = await sampleGridPng(ds, { rows: 4, cols: 3, scale: 2, gap: 1 });
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, 3 * 32 + 4);
  assert.equal(meta.height, 4 * 32 + 5);
  const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.ok(
    data.some((v) => v < 100),
    'the sketches have dark strokes',
  );
});

test('a shuffle strip shows each image unshuffled and at each block size', async () => {
  const ds = generateDomain({ domain: 'real', split: 'test', count: 20, size: 16, channels: 1 });
  const png = await shuffleStripPng(ds, [0, 1], [16, 4, 1, '*'], 1234, { scale: 1, gap: 0 });
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height], [64, 32]);
  // the first tile (block size 16 = unshuffled) is the image itself
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) assert.equal(data[(y * 64 + x) * 3], ds.images[y * 16 + x]);
});
