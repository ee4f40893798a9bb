// Performance barrier along the linear path θ(λ) = (1−λ)θ1 + λθ2 (Frankle et al. 2020 style
// height): how far the metric dips below the straight line between the endpoints.

export interface PathPoint {
  lambda: number;
  accuracy: number;
  loss: number;
}

export function linspace(from: number, to: number, points: number): number[] {
  if (points < 2) return [from];
  return Array.from({ length: points }, (_, i) => from + ((to - from) * i) / (points - 1));
}

/** max_λ [(1−λ)·A(θ1) + λ·A(θ2) − A(θ(λ))]: accuracy lost below the chord (0 = no barrier). */
export function accuracyBarrier(path: PathPoint[]): number {
  const a = path[0]!.accuracy;
  const b = path.at(-1)!.accuracy;
  return Math.max(0, ...path.map((p) => (1 - p.lambda) * a + p.lambda * b - p.accuracy));
}

/** max_λ [L(θ(λ)) − ((1−λ)·L1 + λ·L2)]: loss above the chord. */
export function lossBarrier(path: PathPoint[]): number {
  const a = path[0]!.loss;
  const b = path.at(-1)!.loss;
  return Math.max(0, ...path.map((p) => p.loss - ((1 - p.lambda) * a + p.lambda * b)));
}
