// Augmentation moves pixels as a flip and a shift should, fills the border with 0, and is drawn
// from the run's seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { augmentBatch } from '../../ml/augment.ts';
import { Rng } from '../../ml/rng.ts';

const g = { height: 4, width: 4, channels: 1 };
const image = () => Float32Array.from({ length: 16 }, (_, i) => i + 1);

test('a flip reverses every row; a shift moves the image and zero-fills the border', () => {
  const flipped = image();
  // find a seed whose first draw flips and whose shift is 0 (pad 0 draws no shift)
  let seed = 0;
  while (Rng.from(seed).float() >= 0.5) seed++;
  augmentBatch(flipped, 1, g, { flip: true, pad: 0 }, Rng.from(seed));
  assert.deepEqual([...flipped.subarray(0, 4)], [4, 3, 2, 1]);
  assert.deepEqual([...flipped.subarray(12, 16)], [16, 15, 14, 13]);

  const shifted = image();
  const rng = Rng.from(3);
  const probe = Rng.from(3);
  const dy = probe.int(3) - 1;
  const dx = probe.int(3) - 1;
  assert.ok(dy !== 0 || dx !== 0, 'seed 3 must draw a non-zero shift for this test to mean anything');
  augmentBatch(shifted, 1, g, { flip: false, pad: 1 }, rng);
  const src = image();
  for (let y = 0; y < 4; y++)
    for (let x = 0; x < 4; x++) {
      const sy = y + dy;
      const sx = x + dx;
      const want = sy < 0 || sy > 3 || sx < 0 || sx > 3 ? 0 : src[sy * 4 + sx]!;
      assert.equal(shifted[y * 4 + x], want, `(${y},${x}) with shift (${dy},${dx})`);
    }
});

test('off means untouched, and the same seed gives the same batch', () => {
  const a = image();
  augmentBatch(a, 1, g, { flip: false, pad: 0 }, Rng.from(1));
  assert.deepEqual(a, image());
  const batch = () => Float32Array.from({ length: 64 }, (_, i) => i);
  const [x, y] = [batch(), batch()];
  augmentBatch(x, 4, g, { flip: true, pad: 1 }, Rng.from(7));
  augmentBatch(y, 4, g, { flip: true, pad: 1 }, Rng.from(7));
  assert.deepEqual(x, y);
  assert.notDeepEqual(x, batch(), 'some image of four changed');
});
