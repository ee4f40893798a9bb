import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NumpyRandomState, numpyPermutation } from '../../data/random/numpy-mt19937.ts';
import { Rng, hashSeed } from '../../data/random/rng.ts';
import { subsampleIndices } from '../../data/real/subsample.ts';

// Expected values printed by NumPy 2.4 (legacy RandomState), e.g.
//   np.random.RandomState(1234).permutation(16)
test('NumpyRandomState.permutation matches NumPy bit for bit', () => {
  assert.deepEqual(Array.from(numpyPermutation(10, 0)), [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
  assert.deepEqual(Array.from(numpyPermutation(16, 1234)), [13, 11, 0, 12, 14, 2, 10, 7, 1, 9, 8, 4, 5, 6, 3, 15]);
  assert.deepEqual(Array.from(numpyPermutation(3072, 1235).slice(0, 8)), [1938, 2198, 2552, 781, 268, 77, 1433, 2064]);
});

test('choice(len, size, replace=False) and random_sample match NumPy', () => {
  assert.deepEqual(Array.from(new NumpyRandomState(2020).choiceWithoutReplacement(100000, 5)), [36082, 31787, 33964, 26097, 41101]);
  assert.equal(new NumpyRandomState(0).randomSample(), 0.5488135039273248);
  assert.deepEqual(Array.from(subsampleIndices(100000, 5)), [36082, 31787, 33964, 26097, 41101]);
  assert.deepEqual(Array.from(subsampleIndices(4, 10)), [0, 1, 2, 3]);
});

test('NumpyRandomState rejects seeds NumPy rejects', () => {
  assert.throws(() => new NumpyRandomState(-1), /seed must be an integer/);
  assert.throws(() => new NumpyRandomState(2 ** 32), /seed must be an integer/);
  assert.throws(() => new NumpyRandomState(1.5), /seed must be an integer/);
});

test('Rng streams are reproducible and distinct per seed parts', () => {
  const a = Rng.from('x', 1, 2);
  const b = Rng.from('x', 1, 2);
  const c = Rng.from('x', 1, 3);
  const seqA = Array.from({ length: 5 }, () => a.uint32());
  assert.deepEqual(
    seqA,
    Array.from({ length: 5 }, () => b.uint32()),
  );
  assert.notDeepEqual(
    seqA,
    Array.from({ length: 5 }, () => c.uint32()),
  );
  assert.notEqual(hashSeed('ab', 'c'), hashSeed('a', 'bc'));
  assert.notEqual(hashSeed(1, 23), hashSeed(12, 3));
  const r = new Rng(7);
  for (let i = 0; i < 1000; i++) {
    const f = r.float();
    assert.ok(f >= 0 && f < 1);
  }
});
