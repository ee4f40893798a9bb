// The two seeded front ends share one xoshiro128** core; these pinned streams are what the
// separate generators drew before they were merged, so the datasets and the training runs built
// from them keep their bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng as SuiteRng } from '../../data/random/rng.ts';
import { Rng as TrainingRng } from '../../ml/rng.ts';

describe('xoshiro128** core', () => {
  it('draws the reference stream from the state {1, 2, 3, 4}', () => {
    const r = TrainingRng.fromState([1, 2, 3, 4]);
    // first output by hand: rotl(2·5, 7)·9 = 1280·9
    assert.deepEqual([r.uint32(), r.uint32(), r.uint32()], [11520, 0, 5927040]);
  });

  it('keeps the training stream: labels, normal, beta, state and permutation', () => {
    const r = TrainingRng.from(7, 'init', 3);
    assert.deepEqual([r.uint32(), r.uint32(), r.uint32()], [3591784953, 566061608, 3638087216]);
    assert.equal(r.normal(), -0.14677394346057374);
    assert.equal(r.beta(0.7, 0.7), 0.49448788120126225);
    assert.deepEqual(r.state(), [199973384, 2462234238, 1876649295, 3281812161]);
    assert.deepEqual(Array.from(r.permutation(6)), [5, 2, 4, 3, 1, 0]);
  });

  it('keeps the suite stream: hashed parts, paired normals, integers and raw seeds', () => {
    const r = SuiteRng.from('photo', 12, 'pose');
    assert.deepEqual([r.uint32(), r.uint32(), r.uint32()], [624222043, 288587384, 2930364889]);
    assert.deepEqual([r.normal(), r.normal(), r.normal()], [0.19952399262546489, -0.44182272488539764, -0.9977049537822327]);
    assert.equal(r.int(1000), 883);
    assert.equal(new SuiteRng(0).uint32(), 3809008728);
    assert.equal(new SuiteRng(-5).uint32(), 1409054809);
  });

  it('never starts from the all-zero state, which would draw zeros forever', () => {
    const r = TrainingRng.fromState([0, 0, 0, 0]);
    assert.notDeepEqual([r.uint32(), r.uint32(), r.uint32()], [0, 0, 0]);
  });
});
