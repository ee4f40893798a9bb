// The CKA estimator and its numerics: the biased estimator's floor for unrelated features, the
// debiased default, and the float32 Gram on features with a large mean. (Table 1's rendering: tables.test.ts.)
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { initBackend } from '../../ml/backend.ts';
import { centerGram, ckaEstimates, ckaFromCenteredGrams, linearCka, linearGram, type FeatureMatrix } from '../../ml/analysis/cka.ts';
import { linearGramOnBackend } from '../../ml/analysis/gram-tf.ts';
import { Rng } from '../../ml/rng.ts';
import { PROFILES } from '../../profiles/index.ts';
import { ProfileSchema } from '../../profiles/schema.ts';

function gaussian(n: number, d: number, rng: Rng, mean = 0): Float64Array {
  return new Float64Array(n * d).map(() => mean + rng.normal());
}

/** Reference: centre the columns here, in float64, then the float64 Gram and centring. */
function referenceCka(x: FeatureMatrix, y: FeatureMatrix, unbiased: boolean): number {
  const gram = (m: FeatureMatrix) => {
    const data = Float64Array.from(m.data);
    for (let t = 0; t < m.d; t++) {
      let s = 0;
      for (let i = 0; i < m.n; i++) s += data[i * m.d + t]!;
      for (let i = 0; i < m.n; i++) data[i * m.d + t]! -= s / m.n;
    }
    return centerGram(linearGram({ data, n: m.n, d: m.d }), m.n, unbiased);
  };
  return ckaFromCenteredGrams(gram(x), gram(y));
}

describe('CKA estimator for independent random features (n = 200, d = 2000)', () => {
  const n = 200;
  const d = 2000;
  const rng = Rng.from(2020, 'cka-estimator');
  const x: FeatureMatrix = { data: gaussian(n, d, rng), n, d };
  const y: FeatureMatrix = { data: gaussian(n, d, rng), n, d };

  test('the biased estimator is far from 0 (> 0.5), the debiased one is ~0 (|x| < 0.05)', () => {
    const biased = linearCka(x, y, { unbiased: false });
    const debiased = linearCka(x, y, { unbiased: true });
    assert.ok(biased > 0.5, `biased ${biased}`);
    assert.ok(Math.abs(debiased) < 0.05, `debiased ${debiased}`);
    // the stage's helper gives the same pair of numbers
    const both = ckaEstimates(linearGram(x), linearGram(y), n);
    assert.ok(Math.abs(both.biased - biased) < 1e-9, `${both.biased} vs ${biased}`);
    assert.ok(Math.abs(both.debiased - debiased) < 1e-9, `${both.debiased} vs ${debiased}`);
  });

  test('the debiased estimator is the default: of linearCka, of the profile schema and in the default profile', () => {
    assert.equal(linearCka(x, y), linearCka(x, y, { unbiased: true }));
    const analyses = ProfileSchema.shape.analyses.shape;
    assert.equal(analyses.cka.parse(undefined).unbiased, true);
    assert.equal(analyses.cka.parse({ examples: 500 }).unbiased, true);
    assert.equal(ProfileSchema.parse(PROFILES.default).analyses.cka.unbiased, true);
  });
});

describe('CKA on the backend Gram (float32) for features with mean/std = 400', () => {
  const n = 200;
  const d = 1024;
  const rng = Rng.from(400, 'cka-precision');
  const xs = gaussian(n, d, rng, 400);
  const x: FeatureMatrix = { data: Float32Array.from(xs), n, d };
  // y = x + independent noise of the same size: CKA well inside (0, 1)
  const y: FeatureMatrix = { data: Float32Array.from(xs, (v) => v + rng.normal()), n, d };

  before(async () => {
    await initBackend({ backend: 'wasm', log: () => {} });
  });

  test('matches the float64 reference on centred data to 1e-4, for both estimators', () => {
    const kx = linearGramOnBackend(x);
    const ky = linearGramOnBackend(y);
    assert.equal(kx.length, n * n);
    assert.equal(ky.length, n * n);
    const got = ckaEstimates(kx, ky, n);
    for (const [name, unbiased] of [
      ['biased', false],
      ['debiased', true],
    ] as const) {
      const ref = referenceCka(x, y, unbiased);
      assert.ok(ref > 0.3 && ref < 0.95, `${name} reference ${ref}`);
      assert.ok(Math.abs(got[name] - ref) < 1e-4, `${name}: backend ${got[name]} vs float64 ${ref}`);
      assert.ok(Math.abs(linearCka(x, y, { unbiased }) - ref) < 1e-10, `${name}: linearCka ${linearCka(x, y, { unbiased })} vs ${ref}`);
    }
  });

  test('identical inputs give CKA 1 with both estimators (control)', () => {
    const kx = linearGramOnBackend(x);
    const both = ckaEstimates(kx, kx, n);
    assert.ok(Math.abs(both.biased - 1) < 1e-12, `biased ${both.biased}`);
    assert.ok(Math.abs(both.debiased - 1) < 1e-12, `debiased ${both.debiased}`);
    for (const unbiased of [false, true]) assert.ok(Math.abs(linearCka(x, x, { unbiased }) - 1) < 1e-12);
  });
});
