// Module criticality, two ways (paper §3e):
//  • rewinding (Zhang, Bengio & Singer 2019): one module back to its value at the start of
//    training, every other module final; how much does the test metric drop?
//  • Chatterji et al. (ICLR 2020): move one module along a path from its initial to its final
//    value, add Gaussian noise N(0, σ²) to it, and measure the train metric. The criticality
//    μ = min over feasible (α, σ>0) of α²‖θᶠ−θ⁰‖²/σ², feasible meaning the mean perturbed loss is
//    ≤ tolerance × the final model's loss (reference grid: 11 α, 11 σ, 10 draws, 1.01).
// The paper also walks the OPTIMIZATION path (the module's saved per-epoch values).
import { addGaussianNoise, interpolate, l2Distance, paramsOfModule, replaceModule, type Weights } from '../weights.ts';

export interface Metric {
  accuracy: number;
  loss: number;
}
export type Evaluator = (w: Weights) => Metric;

export function rewinding(final: Weights, initial: Weights, modules: readonly string[], evaluate: Evaluator): ({ module: string } & Metric)[] {
  return [{ module: 'none', ...evaluate(final) }, ...modules.map((m) => ({ module: m, ...evaluate(replaceModule(final, initial, m)) }))];
}

export interface Heatmap {
  module: string;
  path: 'direct' | 'optimization';
  /** distance of the module from its initial value at each path point */
  x: number[];
  /** α of each point on the direct path; epoch on the optimization path */
  position: number[];
  sigmas: number[];
  /** [σ index][path index], mean over noise draws */
  accuracy: number[][];
  loss: number[][];
}

export interface HeatmapOptions {
  module: string;
  final: Weights;
  initial: Weights;
  sigmas: readonly number[];
  draws: number;
  evaluate: Evaluator;
  onPoint?: () => void;
}

/** Module values α·θᶠ + (1−α)·θ⁰ for each α. */
export function directPath(o: HeatmapOptions, alphas: readonly number[]): Heatmap {
  const points = alphas.map((alpha) => ({ position: alpha, module: interpolate(pick(o.initial, o.module), pick(o.final, o.module), alpha) }));
  return grid(o, 'direct', points);
}

/** Module values at each saved epoch. */
export function optimizationPath(o: HeatmapOptions, epochs: readonly { epoch: number; weights: Weights }[]): Heatmap {
  return grid(o, 'optimization', epochs.map((e) => ({ position: e.epoch, module: pick(e.weights, o.module) })));
}

function grid(o: HeatmapOptions, path: Heatmap['path'], points: { position: number; module: Weights }[]): Heatmap {
  const start = pick(o.initial, o.module);
  const x = points.map((p) => l2Distance(p.module, start));
  const accuracy: number[][] = [];
  const loss: number[][] = [];
  for (const sigma of o.sigmas) {
    const accRow: number[] = [];
    const lossRow: number[] = [];
    for (const p of points) {
      const base = replaceModule(o.final, p.module, o.module);
      const draws = sigma === 0 ? 1 : o.draws;
      let a = 0;
      let l = 0;
      for (let d = 0; d < draws; d++) {
        // The same standard-normal draws at every σ and path point (common random numbers): smooth maps.
        const m = o.evaluate(sigma === 0 ? base : addGaussianNoise(base, o.module, sigma, d));
        a += m.accuracy;
        l += m.loss;
        o.onPoint?.();
      }
      accRow.push(a / draws);
      lossRow.push(l / draws);
    }
    accuracy.push(accRow);
    loss.push(lossRow);
  }
  return { module: o.module, path, x, position: points.map((p) => p.position), sigmas: [...o.sigmas], accuracy, loss };
}

/**
 * The reference grid's smallest noise level (meta-dataset criticality.py: linspace(1e-16, 1, 11)):
 * a σ = 0 row of the grid is scored as this σ, so (α = 1, σ ≈ 0), the trained model itself, is
 * always feasible and μ is finite (if astronomically large when no noisier point is feasible).
 */
export const MIN_SIGMA = 1e-16;

/** Chatterji et al.'s μ from a direct-path heat-map: min (α/σ)²‖Δθ‖² over feasible (α, σ); 0 if the initial value is feasible. */
export function criticalityScore(map: Heatmap, finalLoss: number, tolerance: number): number | null {
  if (map.path !== 'direct') throw new Error('criticality is defined on the direct path');
  const deltaSq = map.x.at(-1)! ** 2;
  let best: number | null = null;
  map.sigmas.forEach((sigma, s) => {
    map.position.forEach((alpha, i) => {
      if (map.loss[s]![i]! > tolerance * finalLoss) return;
      const score = alpha === 0 ? 0 : (alpha / Math.max(sigma, MIN_SIGMA)) ** 2 * deltaSq;
      if (best === null || score < best) best = score;
    });
  });
  return best;
}

function pick(w: Weights, module: string): Weights {
  return new Map(paramsOfModule(w, module).map((n) => [n, w.get(n)!]));
}
