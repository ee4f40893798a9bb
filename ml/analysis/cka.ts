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

import { Rng } from '../rng.ts';

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

// ── Bootstrap by subsampling ─────────────────────────────────────────────────────────────────
// The debiased HSIC is a U-statistic over distinct examples: a resample WITH replacement
// duplicates examples, and the off-diagonal entry of a duplicate is a self-similarity K(x, x) (what
// the estimator's zeroed diagonal removes), biasing the statistic upward. The draws therefore
// subsample m = ⌊n/2⌋ examples WITHOUT replacement (the same examples for every pair of a draw, so
// pairs stay paired), and are not rescaled. For half-samples the finite-population factor
// (1 − m/n) = 1/2 offsets the halved size in the leading (linear) term of the variance, so the
// spread matches the n-example statistic's to first order; the higher-order terms are larger at m
// than at n, so the interval is conservative: about as wide as the sampling spread for related
// features, wider near 0 (≈ 1.5× in sd for independent features: measured at n = 300, where the
// leading term vanishes). The debiased estimator's expectation does not depend on m, so its draws
// centre on the n-example estimate; the biased one's bias grows as m shrinks, so its draws sit off
// its estimate. Each draw extracts the m×m submatrix of Grams computed once on all n examples: no
// features are touched.

/** A layer's n×n Gram of one model, optionally of its examples permuted (K[π(i), π(j)]). */
export interface GramView {
  gram: Float64Array;
  perm?: ArrayLike<number>;
}

/**
 * The m×m submatrix K[p(idx_a), p(idx_b)] of an n×n Gram, p the view's permutation (or identity),
 * into `out` if given (of m² entries) or a new array.
 */
export function subGram(
  view: GramView,
  n: number,
  idx: ArrayLike<number>,
  out: Float64Array = new Float64Array(idx.length * idx.length),
): Float64Array {
  const { gram, perm } = view;
  if (gram.length !== n * n) throw new Error(`subGram: the Gram has ${gram.length} entries, not ${n}×${n}`);
  const m = idx.length;
  if (out.length !== m * m) throw new Error(`subGram: the output has ${out.length} entries, not ${m}×${m}`);
  const rows = new Uint32Array(m);
  for (let a = 0; a < m; a++) rows[a] = perm ? perm[idx[a]!]! : idx[a]!;
  for (let a = 0; a < m; a++) {
    const off = rows[a]! * n;
    for (let b = 0; b < m; b++) out[a * m + b] = gram[off + rows[b]!]!;
  }
  return out;
}

/** `draws` subsets of m of 0..n−1, without replacement, sorted; seeded by `stream`. */
export function subsamples(n: number, m: number, draws: number, stream: string): Uint32Array[] {
  if (m > n) throw new Error(`subsamples: ${m} of ${n} examples`);
  const rng = Rng.from('cka-subsample', stream, n, m);
  const pool = new Uint32Array(n);
  return Array.from({ length: draws }, () => {
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < m; i++) {
      const j = i + rng.int(n - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
    }
    return pool.slice(0, m).sort();
  });
}

/**
 * One layer's CKA on each subsample for every pair of views: `pairs` index into `views`; the
 * result is [pair][draw]. Each view's submatrix is centred once per draw, whatever the number of
 * pairs it enters: O(views·m²) per draw for the centring and O(pairs·m²) for the products.
 */
export function subsampleCka(
  views: readonly GramView[],
  pairs: readonly (readonly [number, number])[],
  n: number,
  samples: readonly Uint32Array[],
  unbiased: boolean,
): Float64Array[] {
  const out = pairs.map(() => new Float64Array(samples.length));
  const used = [...new Set(pairs.flat())];
  const centred: Float64Array[] = [];
  const norms = new Float64Array(views.length);
  samples.forEach((idx, b) => {
    const m = idx.length;
    for (const v of used) {
      // one buffer per view, reused across draws of the same size
      const buffer = centred[v]?.length === m * m ? centred[v] : new Float64Array(m * m);
      const kc = centerGram(subGram(views[v]!, n, idx, buffer), m, unbiased);
      let ss = 0;
      for (let i = 0; i < kc.length; i++) ss += kc[i]! * kc[i]!;
      centred[v] = kc;
      norms[v] = Math.sqrt(ss);
    }
    pairs.forEach(([a, c], p) => {
      const [ka, kb] = [centred[a]!, centred[c]!];
      let kl = 0;
      for (let i = 0; i < ka.length; i++) kl += ka[i]! * kb[i]!;
      const denom = norms[a]! * norms[c]!;
      out[p]![b] = denom === 0 ? 0 : kl / denom;
    });
  });
  return out;
}
