// CKA's defining properties, on random features.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { linearCka, type FeatureMatrix } from '../../ml/analysis/cka.ts';
import { compareMistakes } from '../../ml/analysis/mistakes.ts';
import { singularValues } from '../../ml/analysis/spectrum.ts';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(n: number, d: number, seed: number): FeatureMatrix {
  const r = seeded(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  return { data, n, d };
}

/** A random orthogonal d×d matrix (Gram–Schmidt on Gaussian columns). */
function orthogonal(d: number, seed: number): Float64Array {
  const g = gaussian(d, d, seed).data;
  const q = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    const v = Array.from({ length: d }, (_, r) => g[r * d + c]!);
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < d; r++) dot += v[r]! * q[r * d + p]!;
      for (let r = 0; r < d; r++) v[r]! -= dot * q[r * d + p]!;
    }
    const norm = Math.hypot(...v);
    for (let r = 0; r < d; r++) q[r * d + c] = v[r]! / norm;
  }
  return q;
}

function multiply(x: FeatureMatrix, m: Float64Array, scale = 1): FeatureMatrix {
  const { n, d } = x;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += x.data[i * d + k]! * m[k * d + j]!;
      out[i * d + j] = s * scale;
    }
  return { data: out, n, d };
}

describe('linear CKA', () => {
  const x = gaussian(60, 12, 1);
  const y = gaussian(60, 20, 2);

  for (const unbiased of [false, true]) {
    test(`CKA(X, X) = 1 (${unbiased ? 'debiased' : 'biased'})`, () => {
      assert.ok(Math.abs(linearCka(x, x, { unbiased }) - 1) < 1e-12);
    });
    test(`is invariant to orthogonal transforms and isotropic scaling (${unbiased ? 'debiased' : 'biased'})`, () => {
      const base = linearCka(x, y, { unbiased });
      const xq = multiply(x, orthogonal(12, 3), 7.5);
      assert.ok(Math.abs(linearCka(xq, y, { unbiased }) - base) < 1e-10, `${linearCka(xq, y, { unbiased })} vs ${base}`);
    });
    test(`is symmetric (${unbiased ? 'debiased' : 'biased'})`, () => {
      assert.ok(Math.abs(linearCka(x, y, { unbiased }) - linearCka(y, x, { unbiased })) < 1e-12);
    });
  }

  test('is near 0 for independent features when n is large, and the debiased estimate is closer to 0', () => {
    const a = gaussian(1000, 10, 4);
    const b = gaussian(1000, 10, 5);
    const biased = linearCka(a, b, { unbiased: false });
    const debiased = linearCka(a, b, { unbiased: true });
    assert.ok(biased < 0.03, `biased ${biased}`);
    assert.ok(Math.abs(debiased) < 0.01, `debiased ${debiased}`);
    // and it is not trivially small for related features
    const mixed: FeatureMatrix = { ...b, data: b.data.map((v, i) => v + a.data[i]!) };
    assert.ok(linearCka(a, mixed, { unbiased: false }) > 0.4);
  });

  for (const unbiased of [false, true])
    test(`does not depend on a translation of the features (${unbiased ? 'debiased' : 'biased'})`, () => {
      const shifted: FeatureMatrix = { ...x, data: x.data.map((v, i) => v + (i % 12) * 3) };
      assert.ok(Math.abs(linearCka(shifted, y, { unbiased }) - linearCka(x, y, { unbiased })) < 1e-10);
    });
});

describe('mistakes', () => {
  test('counts common and uncommon mistakes and their overlap', () => {
    const r = compareMistakes([1, 0, 0, 1, 1, 0], [1, 0, 1, 0, 1, 0]);
    assert.equal(r.common, 2);
    assert.equal(r.onlyAWrong, 1);
    assert.equal(r.onlyBWrong, 1);
    assert.equal(r.bothRight, 2);
    assert.equal(r.overlap, 0.5);
    assert.deepEqual(r.indices, { common: [1, 5], onlyBWrong: [3], onlyAWrong: [2] });
  });
});

describe('spectrum', () => {
  test('singular values of a diagonal dense kernel, and of a conv kernel read as out × (kh·kw·in)', () => {
    // dense [in=3, out=2]: columns are the outputs
    const sv = singularValues([3, 2], new Float32Array([3, 0, 0, -4, 0, 0]));
    assert.deepEqual(
      sv.map((v) => Math.round(v * 1e6) / 1e6),
      [4, 3],
    );
    const conv = new Float32Array(2 * 2 * 1 * 2).map((_, i) => (i % 2 === 0 ? 1 : 0)); // out 0 sees all ones, out 1 zeros
    const s = singularValues([2, 2, 1, 2], conv);
    assert.ok(Math.abs(s[0]! - 2) < 1e-9 && Math.abs(s[1]!) < 1e-9);
  });
});
