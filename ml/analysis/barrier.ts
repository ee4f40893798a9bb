// Performance barrier along the linear path θ(λ) = (1−λ)θ1 + λθ2, λ from 0 to 1 (Frankle et al.
// 2020 style height): how far the metric dips below the straight line (the chord) between the
// endpoints. Also the barriers on bootstrap resamples of the test images (every λ point of a path
// sees the same resampled images), from the per-image outcomes at each λ.

export interface PathPoint {
  lambda: number;
  accuracy: number;
  loss: number;
}

export function linspace(from: number, to: number, points: number): number[] {
  if (points < 2) return [from];
  return Array.from({ length: points }, (_, i) => from + ((to - from) * i) / (points - 1));
}

/**
 * max over the path of how far `values` lie below (`sign` 1) or above (`sign` −1) the chord
 * between the first and the last value, and 0 if never. The endpoints lie on the chord by
 * definition; the chord is written a + λ(b − a), so a path whose endpoints are equal has the
 * chord exactly a (a model against itself: barrier exactly 0).
 */
function height(lambdas: ArrayLike<number>, values: ArrayLike<number>, sign: 1 | -1): number {
  const last = values.length - 1;
  const a = values[0]!;
  const b = values[last]!;
  let best = 0;
  for (let k = 1; k < last; k++) {
    const gap = sign * (a + lambdas[k]! * (b - a) - values[k]!);
    if (gap > best) best = gap;
  }
  return best;
}

/** max_λ [(1−λ)·A(θ1) + λ·A(θ2) − A(θ(λ))]: accuracy lost below the chord (0 = no barrier). */
export function accuracyBarrier(path: readonly PathPoint[]): number {
  return height(
    path.map((p) => p.lambda),
    path.map((p) => p.accuracy),
    1,
  );
}

/** max_λ [L(θ(λ)) − ((1−λ)·L1 + λ·L2)]: loss above the chord. */
export function lossBarrier(path: readonly PathPoint[]): number {
  return height(
    path.map((p) => p.lambda),
    path.map((p) => p.loss),
    -1,
  );
}

/** Per-image outcomes at each λ of one path (held in memory for the bootstrap, not written). */
export interface PathOutcomes {
  lambdas: readonly number[];
  /** [λ index]: 1 where the model at λ classifies the test image right */
  correct: readonly Uint8Array[];
  /** [λ index]: its cross-entropy on each test image */
  losses: readonly Float32Array[];
}

/**
 * The path's accuracy and loss barriers on each image resample (indices into the test images):
 * on resample b every λ point is evaluated on the same resampled images.
 */
export function barrierDraws(o: PathOutcomes, resamples: readonly Uint32Array[]): { accuracy: Float64Array; loss: Float64Array } {
  const points = o.lambdas.length;
  if (o.correct.length !== points || o.losses.length !== points)
    throw new Error(`barrierDraws: ${points} λ points, ${o.correct.length} correctness and ${o.losses.length} loss vectors`);
  const n = o.correct[0]!.length;
  for (let k = 0; k < points; k++)
    if (o.correct[k]!.length !== n || o.losses[k]!.length !== n)
      throw new Error(`barrierDraws: λ point ${k} has outcomes for a different number of images than ${n}`);
  const acc = new Float64Array(points);
  const loss = new Float64Array(points);
  const out = { accuracy: new Float64Array(resamples.length), loss: new Float64Array(resamples.length) };
  for (let b = 0; b < resamples.length; b++) {
    const idx = resamples[b]!;
    for (let k = 0; k < points; k++) {
      const c = o.correct[k]!;
      const l = o.losses[k]!;
      let sc = 0;
      let sl = 0;
      for (let i = 0; i < idx.length; i++) {
        const j = idx[i]!;
        sc += c[j]!;
        sl += l[j]!;
      }
      acc[k] = sc / idx.length;
      loss[k] = sl / idx.length;
    }
    out.accuracy[b] = height(o.lambdas, acc, 1);
    out.loss[b] = height(o.lambdas, loss, -1);
  }
  return out;
}
