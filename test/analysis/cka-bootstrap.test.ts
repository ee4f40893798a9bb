// The CKA bootstrap: image subsamples without replacement, the controls (a model with itself: every
// draw 1; unrelated features: debiased ≈ 0), the summary over replicate pairs, and its cost at
// the profile's size (n = 500, d = 1024, 4 layers, 9 models, 18 pairs, CKA_DRAWS draws).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { initBackend } from '../../ml/backend.ts';
import { ckaEstimates, linearGram, subGram, subsampleCka, subsamples, type FeatureMatrix } from '../../ml/analysis/cka.ts';
import { linearGramOnBackend } from '../../ml/analysis/gram-tf.ts';
import { Rng } from '../../ml/rng.ts';
import { replicateResamples } from '../../stages/common/bootstrap.ts';
import { CKA_DRAWS, ckaSummary, subsampleSize } from '../../stages/cka.ts';

function features(n: number, d: number, rng: Rng, base?: Float64Array, noise = 1): FeatureMatrix {
  return { data: new Float64Array(n * d).map((_, i) => (base ? base[i]! : 0) + noise * rng.normal()), n, d };
}

describe('image subsamples', () => {
  test('are m distinct sorted indices of 0..n−1, the same for the same stream, different for another', () => {
    const s = subsamples(20, 10, 50, 'cka/real');
    assert.equal(s.length, 50);
    for (const idx of s) {
      assert.equal(idx.length, 10);
      assert.equal(new Set(idx).size, 10);
      for (let i = 1; i < idx.length; i++) assert.ok(idx[i - 1]! < idx[i]!);
      assert.ok(idx[9]! < 20);
    }
    assert.deepEqual(subsamples(20, 10, 50, 'cka/real'), s);
    assert.notDeepEqual(subsamples(20, 10, 50, 'cka/clipart'), s);
    assert.equal(subsampleSize(500), 250);
    assert.equal(subsampleSize(7), 4);
    assert.equal(subsampleSize(4), 4);
  });

  test('subGram of a permuted view is the Gram of the permuted features', () => {
    const rng = Rng.from(1, 'subgram');
    const x = features(6, 3, rng);
    const perm = Uint32Array.from([2, 0, 5, 1, 4, 3]);
    const permuted: FeatureMatrix = {
      data: new Float64Array(18).map((_, i) => x.data[perm[Math.floor(i / 3)]! * 3 + (i % 3)]!),
      n: 6,
      d: 3,
    };
    const idx = Uint32Array.from([0, 2, 3, 5]);
    const got = subGram({ gram: linearGram(x), perm }, 6, idx);
    const want = linearGram(permuted);
    assert.equal(got.length, 16);
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) assert.ok(Math.abs(got[a * 4 + b]! - want[idx[a]! * 6 + idx[b]!]!) < 1e-12);
  });
});

describe('the CKA controls on synthetic features (n = 200, d = 300)', () => {
  const n = 200;
  const rng = Rng.from(7, 'cka-controls');
  const x = features(n, 300, rng);
  // y shares x's signal: related features, CKA well above 0 on matched examples
  const y = features(n, 300, rng, x.data as Float64Array);
  const [kx, ky] = [linearGram(x), linearGram(y)];
  const perm = Rng.from('cka-unrelated', n).permutation(n);
  const samples = subsamples(n, subsampleSize(n), CKA_DRAWS, 'test');
  const views = [{ gram: kx }, { gram: ky }, { gram: ky, perm }];
  const [identical, related, unrelated] = subsampleCka(
    views,
    [
      [0, 0],
      [0, 1],
      [0, 2],
    ],
    n,
    samples,
    true,
  );

  test('a model with itself: CKA 1 on all images and in every draw (within 1e-9)', () => {
    assert.ok(Math.abs(ckaEstimates(kx, kx, n).debiased - 1) < 1e-12);
    assert.equal(identical!.length, CKA_DRAWS);
    for (const v of identical!) assert.ok(Math.abs(v - 1) < 1e-9, `${v}`);
  });

  test('unrelated features (permuted examples): debiased |CKA| < 0.1, while the matched pair is high', () => {
    const full = ckaEstimates(
      kx,
      subGram(
        views[2]!,
        n,
        Uint32Array.from({ length: n }, (_, i) => i),
      ),
      n,
    );
    assert.ok(Math.abs(full.debiased) < 0.1, `debiased ${full.debiased}`);
    const matched = ckaEstimates(kx, ky, n).debiased;
    assert.ok(matched > 0.3, `matched ${matched}`);
    assert.equal(unrelated!.length, CKA_DRAWS);
    const mean = unrelated!.reduce((s, v) => s + v, 0) / CKA_DRAWS;
    assert.ok(Math.abs(mean) < 0.1, `mean over draws ${mean}`);
    // the subsample draws centre on the full-data value (the debiased estimator is ~unbiased at any m)
    const relatedMean = related!.reduce((s, v) => s + v, 0) / CKA_DRAWS;
    assert.ok(Math.abs(relatedMean - matched) < 0.05, `${relatedMean} vs ${matched}`);
  });
});

describe('ckaSummary', () => {
  const draws = 20;
  const row = (pair: string, values: number[], f: (l: number, b: number) => number) => ({
    pair,
    values,
    draws: values.map((_, l) => Float64Array.from({ length: draws }, (_, b) => f(l, b))),
  });
  const rows = [
    row('A', [0.2, 0.4], (l, b) => 0.2 * (l + 1) + b / 1000),
    row('A', [0.4, 0.6], (l, b) => 0.4 + 0.2 * l + b / 1000),
    row('A', [0.6, 0.8], (l, b) => 0.6 + 0.2 * l + b / 1000),
    row('B', [1, 1], () => 1),
  ];
  const summary = ckaSummary(rows);

  test('estimate = mean over the replicate pairs, per layer; one StatisticDraws per layer, with the draws given', () => {
    assert.deepEqual(Object.keys(summary), ['A', 'B']);
    assert.equal(summary.A!.pairs, 3);
    assert.equal(summary.B!.pairs, 1);
    assert.equal(summary.A!.values.length, 2);
    assert.ok(Math.abs(summary.A!.values[0]!.estimate - 0.4) < 1e-12);
    assert.ok(Math.abs(summary.A!.values[1]!.estimate - 0.6) < 1e-12);
    for (const v of [...summary.A!.values, ...summary.B!.values]) assert.equal(v.draws.length, draws);
    for (const d of summary.B!.values[0]!.draws) assert.equal(d, 1);
  });

  test("draw b is the mean of the picked pairs' draw-b values (picks: replicateResamples(k, 'cka/<pair>'))", () => {
    const picks = replicateResamples(3, 'cka/A', draws);
    assert.equal(picks.length, draws);
    for (let b = 0; b < draws; b++) {
      const want = Array.from(picks[b]!, (j) => rows[j]!.draws[1]![b]!).reduce((s, v) => s + v, 0) / 3;
      assert.ok(Math.abs(summary.A!.values[1]!.draws[b]! - want) < 1e-12);
    }
  });
});

describe('cost at n = 500, d = 1024', () => {
  before(async () => {
    await initBackend({ backend: 'wasm', log: () => {} });
  });

  test(`the bootstrap of one target (9 models, 4 layers, 18 pairs, ${CKA_DRAWS} draws) takes well under 20 s`, (t) => {
    const [n, d, models, layers] = [500, 1024, 9, 4];
    const rng = Rng.from(500, 'cka-cost');
    const base = new Float32Array(n * d).map(() => rng.normal());
    const grams = Array.from({ length: models }, () =>
      Array.from({ length: layers }, () => linearGramOnBackend({ data: Float32Array.from(base, (v) => v + 2 * rng.normal()), n, d })),
    );
    const pairs = Array.from({ length: 18 }, (_, i) => [i % models, (3 * i + 1) % models] as const);
    const start = performance.now();
    const samples = subsamples(n, subsampleSize(n), CKA_DRAWS, 'cost');
    let out: Float64Array[] = [];
    for (let l = 0; l < layers; l++)
      out = subsampleCka(
        grams.map((g) => ({ gram: g[l]! })),
        pairs,
        n,
        samples,
        true,
      );
    const seconds = (performance.now() - start) / 1000;
    t.diagnostic(`CKA bootstrap per target: ${seconds.toFixed(1)} s`);
    assert.equal(out.length, 18);
    for (const draws of out) assert.equal(draws.length, CKA_DRAWS);
    assert.ok(seconds < 20, `${seconds.toFixed(1)} s`);
  });
});
