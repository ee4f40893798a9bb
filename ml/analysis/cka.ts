// Linear centred kernel alignment (Kornblith et al., ICML 2019) between two layers' features on
// the same n examples: CKA = ⟨K̄, L̄⟩_F / (‖K̄‖_F ‖L̄‖_F) with K = XXᵀ, L = YYᵀ and K̄, L̄ the
// centred Gram matrices. This is the feature-space formula ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) on
// column-centred X, Y, computed through n×n Grams because layer outputs (C·H·W) are wider than
// the few hundred/thousand examples used. Centring follows the reference implementation
// (google-research representation_similarity): `unbiased` is its debiased-HSIC variant (Song et
// al. 2012), whose expectation is ~0 for independent features at any width, unlike the biased
// estimator's (≈0.9 for n = 200, d = 2000). The features are column-centred in float64 before
// the Gram is formed: uncentred features with a large mean/std ratio lose the signal to rounding
// in XXᵀ. Pre-centring changes neither estimator: the biased one centres the Gram anyway, and
// the debiased HSIC is invariant to translating the features. Everything after the input
// features is float64.

export interface FeatureMatrix {
  /** n rows of d features each, row-major */
  data: Float32Array | Float64Array;
  n: number;
  d: number;
}

/** X with each column's mean subtracted, in float64 (means summed in float64). */
export function centerColumns(x: FeatureMatrix): Float64Array {
  const { data, n, d } = x;
  if (data.length !== n * d) throw new Error(`feature matrix is ${data.length} values, not ${n}×${d}`);
  const means = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) means[t]! += data[i * d + t]!;
  for (let t = 0; t < d; t++) means[t]! /= n;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) out[i * d + t] = data[i * d + t]! - means[t]!;
  return out;
}

/** K = XXᵀ (n×n, float64), of the features as given (see centerColumns). */
export function linearGram(x: FeatureMatrix): Float64Array {
  const { data, n, d } = x;
  if (data.length !== n * d) throw new Error(`feature matrix is ${data.length} values, not ${n}×${d}`);
  const k = new Float64Array(n * n);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) row[t] = data[i * d + t]!;
    for (let j = i; j < n; j++) {
      let s = 0;
      const off = j * d;
      for (let t = 0; t < d; t++) s += row[t]! * data[off + t]!;
      k[i * n + j] = s;
      k[j * n + i] = s;
    }
  }
  return k;
}

/** Centre a Gram matrix in place (H K H), or with the unbiased (debiased HSIC) centring. */
export function centerGram(k: Float64Array, n: number, unbiased = false): Float64Array {
  if (unbiased && n < 4) throw new Error('unbiased CKA needs at least 4 examples');
  const means = new Float64Array(n);
  if (unbiased) {
    for (let i = 0; i < n; i++) k[i * n + i] = 0;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += k[i * n + j]!;
      means[j] = s / (n - 2);
    }
    const total = means.reduce((a, b) => a + b, 0) / (2 * (n - 1));
    for (let j = 0; j < n; j++) means[j]! -= total;
  } else {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += k[i * n + j]!;
      means[j] = s / n;
    }
    const total = means.reduce((a, b) => a + b, 0) / n / 2;
    for (let j = 0; j < n; j++) means[j]! -= total;
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) k[i * n + j]! -= means[i]! + means[j]!;
  if (unbiased) for (let i = 0; i < n; i++) k[i * n + i] = 0;
  return k;
}

/** CKA from two centred Grams of the same n. */
export function ckaFromCenteredGrams(kc: Float64Array, lc: Float64Array): number {
  if (kc.length !== lc.length) throw new Error('CKA: the two Gram matrices are of different sizes');
  let kl = 0;
  let kk = 0;
  let ll = 0;
  for (let i = 0; i < kc.length; i++) {
    kl += kc[i]! * lc[i]!;
    kk += kc[i]! * kc[i]!;
    ll += lc[i]! * lc[i]!;
  }
  const denom = Math.sqrt(kk) * Math.sqrt(ll);
  return denom === 0 ? 0 : kl / denom;
}

export interface CkaEstimates {
  biased: number;
  debiased: number;
}

/**
 * Both estimators from the Grams K, L of two layers' features on the same n examples (Grams of
 * column-centred features, as linearGramOnBackend returns; K and L are not modified).
 */
export function ckaEstimates(k: Float64Array, l: Float64Array, n: number): CkaEstimates {
  const of = (unbiased: boolean) => ckaFromCenteredGrams(centerGram(k.slice(), n, unbiased), centerGram(l.slice(), n, unbiased));
  return { biased: of(false), debiased: of(true) };
}

/** Linear CKA in float64; `unbiased` (the default) selects the debiased-HSIC estimator. */
export function linearCka(x: FeatureMatrix, y: FeatureMatrix, options: { unbiased?: boolean } = {}): number {
  if (x.n !== y.n) throw new Error(`CKA needs the same examples for both layers (${x.n} vs ${y.n})`);
  const unbiased = options.unbiased ?? true;
  const gram = (m: FeatureMatrix) => linearGram({ data: centerColumns(m), n: m.n, d: m.d });
  return ckaFromCenteredGrams(centerGram(gram(x), x.n, unbiased), centerGram(gram(y), y.n, unbiased));
}
