import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { imageSize } from '../../data/dataset.ts';
import { blockOrder, invertPermutation, shuffleSourceIndex } from '../../data/shuffle/permutations.ts';
import { shuffleDataset, unshuffleDataset } from '../../data/shuffle/shuffle-dataset.ts';
import { blockSizesForSide, parseBlockSize, type BlockSize } from '../../data/shuffle/shuffle-spec.ts';
import { planReplicateShuffles, WeakShuffleError } from '../../data/shuffle/shuffle-strength.ts';
import { normalized, patternDataset } from './helpers.ts';

const SEED = 1234;

test('a shuffle followed by its inverse gives the input back (every block size and *)', () => {
  const ds = patternDataset(5, 8, 8, 3);
  for (const b of blockSizesForSide(8)) {
    const back = unshuffleDataset(shuffleDataset(ds, { blockSize: b, seed: SEED }), { blockSize: b, seed: SEED });
    assert.deepEqual(back.images, ds.images, `block ${b}`);
    assert.deepEqual(back.labels, ds.labels);
  }
  const perm = shuffleSourceIndex(ds.header, { blockSize: 2, seed: 7 });
  const inv = invertPermutation(perm);
  for (let i = 0; i < perm.length; i++) assert.equal(inv[perm[i]!], i);
});

test('block size = image side is the identity', () => {
  const ds = patternDataset(3, 8, 8, 3);
  const out = shuffleDataset(ds, { blockSize: 8, seed: SEED });
  assert.deepEqual(out.images, ds.images);
  assert.deepEqual(out.header.normalization, ds.header.normalization);
});

test('shuffled images are real permutations and actually move content', () => {
  const ds = patternDataset(4, 8, 8, 3);
  for (const b of ['*', 1, 2, 4] as BlockSize[]) {
    const out = shuffleDataset(ds, { blockSize: b, seed: SEED + 1 });
    assert.notDeepEqual(out.images, ds.images, `block ${b} changed nothing`);
    const n = imageSize(ds.header);
    for (let img = 0; img < ds.header.count; img++) {
      const before = Array.from(ds.images.subarray(img * n, (img + 1) * n)).sort((x, y) => x - y);
      const after = Array.from(out.images.subarray(img * n, (img + 1) * n)).sort((x, y) => x - y);
      assert.deepEqual(after, before, `multiset of values of image ${img} changed under ${b}`);
    }
  }
});

test('block shuffle follows the paper: new block j = old block perm[j], row-major, channels together', () => {
  const ds = patternDataset(2, 8, 8, 3);
  const b = 2;
  const perm = blockOrder(ds.header, b, SEED); // np.random.RandomState(1234).permutation(16)
  assert.deepEqual(Array.from(perm), [13, 11, 0, 12, 14, 2, 10, 7, 1, 9, 8, 4, 5, 6, 3, 15]);
  const out = shuffleDataset(ds, { blockSize: b, seed: SEED });
  const W = 8;
  const C = 3;
  for (let img = 0; img < 2; img++) {
    for (let j = 0; j < 16; j++) {
      const from = perm[j]!;
      for (let y = 0; y < b; y++) {
        for (let x = 0; x < b; x++) {
          for (let c = 0; c < C; c++) {
            const dst = img * 192 + (((Math.floor(j / 4) * b + y) * W + (j % 4) * b + x) * C + c);
            const src = img * 192 + (((Math.floor(from / 4) * b + y) * W + (from % 4) * b + x) * C + c);
            assert.equal(out.images[dst], ds.images[src]);
          }
        }
      }
    }
  }
});

test('pixel shuffle * permutes the flattened C×H×W tensor (mixes channels), like the paper', () => {
  const ds = patternDataset(1, 4, 4, 3);
  const source = shuffleSourceIndex(ds.header, { blockSize: '*', seed: SEED });
  const movedAcrossChannels = Array.from(source).some((s, i) => s % 3 !== i % 3);
  assert.ok(movedAcrossChannels);
  // out_chw[k] = in_chw[perm[k]] with perm = RandomState(1234).permutation(48)
  const out = shuffleDataset(ds, { blockSize: '*', seed: SEED });
  const toChw = (hwc: Uint8Array) => {
    const chw: number[] = [];
    for (let c = 0; c < 3; c++) for (let p = 0; p < 16; p++) chw.push(hwc[p * 3 + c]!);
    return chw;
  };
  const inChw = toChw(ds.images);
  const outChw = toChw(out.images);
  const perm = blockOrder({ height: 48, width: 1 }, 1, SEED); // any n: same NumPy permutation of 48
  outChw.forEach((v, k) => assert.equal(v, inChw[perm[k]!]));
});

test('for 1 channel, * and block size 1 are the same permutation', () => {
  const ds = patternDataset(2, 8, 8, 1);
  assert.deepEqual(shuffleDataset(ds, { blockSize: '*', seed: 5 }).images, shuffleDataset(ds, { blockSize: 1, seed: 5 }).images);
});

test('normalise-then-shuffle (the paper) equals shuffle-then-normalise with the carried statistics', () => {
  for (const ds of [patternDataset(3, 8, 8, 3), patternDataset(2, 8, 8, 1)]) {
    for (const b of ['*', 1, 2, 4] as BlockSize[]) {
      const spec = { blockSize: b, seed: SEED };
      const source = shuffleSourceIndex(ds.header, spec);
      const x = normalized(ds);
      const n = imageSize(ds.header);
      const expected = new Float64Array(x.length);
      for (let img = 0; img < ds.header.count; img++) for (let i = 0; i < n; i++) expected[img * n + i] = x[img * n + source[i]!]!;
      const shuffled = shuffleDataset(ds, spec);
      const actual = normalized(shuffled);
      for (let i = 0; i < x.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) < 1e-12, `block ${b}, element ${i}`);
      // a second shuffle composes exactly too (per-element statistics are permuted again)
      const twice = normalized(shuffleDataset(shuffled, { blockSize: '*', seed: 99 }));
      const s2 = shuffleSourceIndex(ds.header, { blockSize: '*', seed: 99 });
      for (let i = 0; i < n; i++) assert.ok(Math.abs(twice[i]! - actual[s2[i]!]!) < 1e-12);
    }
  }
  const blockOnly = shuffleDataset(patternDataset(1, 8, 8, 3), { blockSize: 2, seed: 1 });
  assert.equal(blockOnly.header.normalization.mean.length, 3, 'a block shuffle keeps per-channel statistics');
  const star = shuffleDataset(patternDataset(1, 8, 8, 3), { blockSize: '*', seed: 1 });
  assert.equal(star.header.normalization.mean.length, 192, '* needs per-element statistics');
});

test('train and test shuffled with the same spec use the same permutation', () => {
  const train = patternDataset(3, 8, 8, 3, 11);
  const test_ = { ...patternDataset(3, 8, 8, 3, 11), header: { ...patternDataset(3, 8, 8, 3, 11).header, split: 'test' as const } };
  assert.deepEqual(shuffleDataset(train, { blockSize: 2, seed: 3 }).images, shuffleDataset(test_, { blockSize: 2, seed: 3 }).images);
  const one = patternDataset(1, 8, 8, 3, 11);
  const first = shuffleDataset(train, { blockSize: 2, seed: 3 }).images.subarray(0, 192);
  assert.deepEqual(shuffleDataset(one, { blockSize: 2, seed: 3 }).images, first, 'per-image result does not depend on the other images');
  assert.notDeepEqual(shuffleDataset(train, { blockSize: 2, seed: 4 }).images, shuffleDataset(train, { blockSize: 2, seed: 3 }).images);
});

test('the same seed gives the same permutation in another process', () => {
  const here = Array.from(shuffleSourceIndex({ height: 32, width: 32, channels: 3 }, { blockSize: 4, seed: 1235 }));
  const moduleUrl = new URL('../../data/shuffle/permutations.ts', import.meta.url).href;
  const script = `import { shuffleSourceIndex } from ${JSON.stringify(moduleUrl)};
    const a = shuffleSourceIndex({ height: 32, width: 32, channels: 3 }, { blockSize: 4, seed: 1235 });
    const b = shuffleSourceIndex({ height: 32, width: 32, channels: 3 }, { blockSize: '*', seed: 1235 });
    process.stdout.write(JSON.stringify([Array.from(a), Array.from(b)]));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    encoding: 'utf8',
  });
  const [block, pixel] = JSON.parse(out) as [number[], number[]];
  assert.deepEqual(block, here);
  assert.deepEqual(pixel, Array.from(shuffleSourceIndex({ height: 32, width: 32, channels: 3 }, { blockSize: '*', seed: 1235 })));
});

test('a block size that does not divide the side is a clear error', () => {
  const ds = patternDataset(1, 28, 28, 1);
  assert.throws(
    () => shuffleDataset(ds, { blockSize: 8, seed: 0 }),
    /block size 8 does not divide the 28x28 image; choose one of 1, 2, 4, 7, 14, 28 or "\*"/,
  );
  assert.throws(() => shuffleDataset(ds, { blockSize: 0, seed: 0 }), /positive integer/);
  assert.equal(parseBlockSize('*'), '*');
  assert.equal(parseBlockSize(' 16 '), 16);
  assert.throws(() => parseBlockSize('3.5'), /positive integer or "\*"/);
  assert.deepEqual(blockSizesForSide(32), ['*', 1, 2, 4, 8, 16, 32]);
  assert.deepEqual(blockSizesForSide(28), ['*', 1, 2, 4, 7, 14, 28]);
});

test('with 4 blocks the paper seed 1234 draws the identity (NumPy permutation(4) = [0 1 2 3])', () => {
  const ds = patternDataset(1, 8, 8, 3);
  const out = shuffleDataset(ds, { blockSize: 4, seed: 1234 });
  assert.deepEqual(out.images, ds.images);
  assert.equal((out.header.provenance.shuffles as { identity: boolean }[])[0]!.identity, true);
  assert.equal(
    (shuffleDataset(ds, { blockSize: 4, seed: 1235 }).header.provenance.shuffles as { identity: boolean }[])[0]!.identity,
    false,
  );
});

test('shuffles are recorded in the provenance', () => {
  const out = shuffleDataset(shuffleDataset(patternDataset(1, 8, 8, 3), { blockSize: 4, seed: 1 }), { blockSize: '*', seed: 2 });
  assert.deepEqual(
    (out.header.provenance.shuffles as { shuffle: unknown }[]).map((s) => s.shuffle),
    [
      { blockSize: 4, seed: 1 },
      { blockSize: '*', seed: 2 },
    ],
  );
});

test('a weak draw is refused, or replaced by the next permutation of the same seed, with the draw in the provenance', () => {
  const shape = { height: 8, width: 8, channels: 3 };
  assert.throws(
    () => planReplicateShuffles(shape, 4, [1234], 'refuse'),
    (e: Error) => e instanceof WeakShuffleError && /block size 4/.test(e.message) && /seed 1234 is the identity/.test(e.message),
  );
  // seed 1235 draws [1 0 2 3] (a swap, half the blocks in place) first: weak too
  assert.throws(() => planReplicateShuffles(shape, 4, [1235], 'refuse'), /moves only 2 of them/);
  const plans = planReplicateShuffles(shape, 4, [1234, 1235], 'redraw');
  assert.equal(plans.length, 2);
  assert.deepEqual(
    plans.map((p) => p.draw),
    [1, 4],
  );
  for (const p of plans) assert.ok(p.moved > p.units / 2, `draw ${p.draw} moves ${p.moved}`);
  const ds = patternDataset(1, 8, 8, 3);
  const out = shuffleDataset(ds, { blockSize: 4, seed: 1234, draw: plans[0]!.draw });
  assert.notDeepEqual(out.images, ds.images);
  assert.deepEqual((out.header.provenance.shuffles as { shuffle: unknown }[])[0]!.shuffle, { blockSize: 4, seed: 1234, draw: 1 });
  assert.deepEqual(Array.from(blockOrder(shape, 4, 1234, 1)), [1, 2, 3, 0]);
  assert.throws(() => planReplicateShuffles(shape, 8, [1234], 'redraw'), /no draw among the first/);
});
