// Module criticality, two ways (the paper's Figs. 5 and 6):
//  • rewinding (Zhang, Bengio & Singer 2019): one module back to its value at the start of
//    training, every other module final; how much does the test metric drop?
//  • Chatterji et al. (ICLR 2020): move one module i along the direct path θ⁰_i + α(θᶠ_i − θ⁰_i)
//    from its initial to its final value, add Gaussian noise N(0, σ²) to it, and measure the
//    train loss. The module criticality is
//        μ_i = min over feasible (α ∈ [0, 1], σ > 0) of α²‖θᶠ_i − θ⁰_i‖² / σ²,
//    feasible meaning the mean perturbed train loss over the noise draws is ≤ tolerance × the
//    unperturbed final model's train loss; the network criticality is Σ_i μ_i over every module.
//    Chatterji et al.'s reference grid (meta-dataset criticality.py) is 11 α in [0, 1], 11 σ in
//    linspace(1e-16, 1, 11) × a ratio, 10 draws and tolerance 1.01. Its σ = 1e-16 point makes
//    (α = 1, σ ≈ 0), the trained model itself, always feasible with a score of ~1e32 that is
//    about nothing but that stand-in for zero; so here every σ must be > 0, and a module with no
//    feasible grid point says so instead of getting a number. μ is a grid minimum: when its
//    minimiser sits at the grid's largest σ, a larger σ might score lower, so that μ is flagged
//    as an upper bound (`atGridEdge`).
// The paper also walks the OPTIMIZATION path (the module's saved per-epoch values): heat-maps only.
import { z } from 'zod';
import { addGaussianNoise, interpolate, l2Distance, paramsOfModule, replaceModule, type Weights } from '../weights.ts';

/** The σ grid: every σ > 0, strictly increasing (profiles and the criticality stage share the message). */
export const SigmaGrid = z
  .array(
    z.number().gt(0, {
      message:
        'every noise level σ must be > 0: σ = 0 leaves the module unperturbed and the criticality α²‖Δθ‖²/σ² divides by zero ' +
        '(the reference grid scores it as σ = 1e-16, which gives μ ≈ 1e32 for any trained model); start the grid above 0, e.g. 0.0125',
    }),
  )
  .min(1)
  .refine((s) => s.every((v, i) => i === 0 || v > s[i - 1]!), { message: 'the σ grid must be strictly increasing' });

export interface Metric {
  accuracy: number;
  loss: number;
}
export type Evaluator = (w: Weights) => Metric;

/** The final model ('none' rewound), then each module rewound to its initial value; `evaluate` may return more than the metric (e.g. per-image outcomes). */
export function rewinding<M extends Metric>(
  final: Weights,
  initial: Weights,
  modules: readonly string[],
  evaluate: (w: Weights) => M,
): ({ module: string } & M)[] {
  return [{ module: 'none', ...evaluate(final) }, ...modules.map((m) => ({ module: m, ...evaluate(replaceModule(final, initial, m)) }))];
}

/**
 * The test-accuracy drop of rewinding each module, accuracy(final) − accuracy(module rewound): on
 * the data (`estimate`) and on each image resample (`draws`; indices into the test images), from
 * the per-image 0/1 outcomes of `rewinding` (the first entry, 'none', is the final model).
 */
export function rewindingDrops(
  rewound: readonly { module: string; correct: ArrayLike<number> }[],
  resamples: readonly ArrayLike<number>[],
): Record<string, { estimate: number; draws: number[] }> {
  const final = rewound[0];
  if (final?.module !== 'none') throw new Error("rewindingDrops: the first entry must be the final model ('none' rewound)");
  const n = final.correct.length;
  const out: Record<string, { estimate: number; draws: number[] }> = {};
  for (const r of rewound.slice(1)) {
    if (r.correct.length !== n)
      throw new Error(`rewindingDrops: ${r.module} has outcomes on ${r.correct.length} images, the final model on ${n}`);
    const diff = new Int8Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += diff[i] = final.correct[i]! - r.correct[i]!;
    const draws = resamples.map((idx) => {
      let s = 0;
      for (let i = 0; i < idx.length; i++) s += diff[idx[i]!]!;
      return s / idx.length;
    });
    out[r.module] = { estimate: sum / n, draws };
  }
  return out;
}

export interface Heatmap {
  module: string;
  path: 'direct' | 'optimization';
  /** ‖θᶠ − θ⁰‖ of the module */
  deltaNorm: number;
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
  return grid(
    o,
    'direct',
    alphas.map((alpha) => ({ position: alpha, module: pathPoint(o, alpha) })),
  );
}

/** Module values at each saved epoch. */
export function optimizationPath(o: HeatmapOptions, epochs: readonly { epoch: number; weights: Weights }[]): Heatmap {
  return grid(
    o,
    'optimization',
    epochs.map((e) => ({ position: e.epoch, module: pick(e.weights, o.module) })),
  );
}

function grid(o: HeatmapOptions, path: Heatmap['path'], points: { position: number; module: Weights }[]): Heatmap {
  assertPositive(o.sigmas);
  const start = pick(o.initial, o.module);
  const accuracy: number[][] = [];
  const loss: number[][] = [];
  for (const sigma of o.sigmas) {
    const accRow: number[] = [];
    const lossRow: number[] = [];
    for (const p of points) {
      const base = replaceModule(o.final, p.module, o.module);
      let a = 0;
      let l = 0;
      for (let d = 0; d < o.draws; d++) {
        // The same standard-normal draws at every σ and path point (common random numbers): smooth maps.
        const m = o.evaluate(addGaussianNoise(base, o.module, sigma, d));
        a += m.accuracy;
        l += m.loss;
        o.onPoint?.();
      }
      accRow.push(a / o.draws);
      lossRow.push(l / o.draws);
    }
    accuracy.push(accRow);
    loss.push(lossRow);
  }
  const x = points.map((p) => l2Distance(p.module, start));
  return {
    module: o.module,
    path,
    deltaNorm: l2Distance(pick(o.final, o.module), start),
    x,
    position: points.map((p) => p.position),
    sigmas: [...o.sigmas],
    accuracy,
    loss,
  };
}

/** How a module's μ came out. */
export type CriticalityStatus = 'feasible' | 'feasible at alpha = 0' | typeof AT_LARGEST_SIGMA | 'no feasible point on the grid';

/**
 * The minimiser sits at the grid's largest σ: a larger σ might be feasible too and score lower,
 * so the true μ may be lower than the grid minimum.
 */
export const AT_LARGEST_SIGMA = 'feasible at the largest σ: μ is an upper bound';

/** One module's Chatterji criticality, in a form a reader can check. */
export interface ModuleCriticality {
  module: string;
  status: CriticalityStatus;
  /** min over feasible grid points of α²‖Δθ‖²/σ²; 0 when α = 0 is feasible; null when no grid point is */
  mu: number | null;
  /** log10 μ; null when μ is 0 or null */
  log10Mu: number | null;
  /** the minimising grid point (for μ = 0: α = 0 with the largest feasible σ); null when none is feasible */
  alpha: number | null;
  sigma: number | null;
  /** mean perturbed train loss at the minimiser (≤ the threshold) */
  meanLoss: number | null;
  /** ‖θᶠ_i − θ⁰_i‖ */
  deltaNorm: number;
  /** 'heat-map': read off the full direct-path heat-map; 'search': the same grid, searched with pruning */
  from: 'heat-map' | 'search';
  /** μ > 0 with the minimiser at the largest σ of the grid: μ is an upper bound (see AT_LARGEST_SIGMA) */
  atGridEdge: boolean;
}

/**
 * Chatterji et al.'s μ from a direct-path heat-map. Points are visited α ascending, σ descending,
 * and only a strictly smaller score replaces the best, so ties go to the smaller α, then the
 * larger σ — the same order `searchCriticality` uses, so both give the same minimiser.
 */
export function criticalityScore(map: Heatmap, threshold: number): ModuleCriticality {
  if (map.path !== 'direct') throw new Error('criticality is defined on the direct path');
  assertPositive(map.sigmas);
  const best = new Best();
  for (const i of ascending(map.position))
    for (const s of descending(map.sigmas)) {
      const meanLoss = map.loss[s]![i]!;
      if (meanLoss <= threshold) best.offer(map.position[i]!, map.sigmas[s]!, meanLoss, map.deltaNorm);
    }
  return best.result(map.module, map.deltaNorm, 'heat-map', Math.max(...map.sigmas));
}

export interface SearchOptions {
  module: string;
  final: Weights;
  initial: Weights;
  alphas: readonly number[];
  sigmas: readonly number[];
  draws: number;
  /** tolerance × the unperturbed final model's train loss */
  threshold: number;
  evaluate: Evaluator;
  onPoint?: () => void;
}

/**
 * The same grid minimum as `criticalityScore` on a full direct-path heat-map (same α, σ and noise
 * seeds), without evaluating points that cannot change it: for each α (ascending) the σ are tried
 * from the largest down and the first feasible one ends that α (smaller σ only score higher); a
 * point whose score is not below the best so far is skipped; and a point's draws stop once their
 * running sum already puts the mean above the threshold (losses are ≥ 0). α = 0 feasible ends the
 * search with μ = 0. At most alphas × sigmas × draws evaluations, usually far fewer.
 */
export function searchCriticality(o: SearchOptions): ModuleCriticality & { evaluations: number } {
  assertPositive(o.sigmas);
  const deltaNorm = l2Distance(pick(o.final, o.module), pick(o.initial, o.module));
  const best = new Best();
  let evaluations = 0;
  for (const i of ascending(o.alphas)) {
    const alpha = o.alphas[i]!;
    const base = replaceModule(o.final, pathPoint(o, alpha), o.module);
    for (const s of descending(o.sigmas)) {
      const sigma = o.sigmas[s]!;
      if (!best.couldImprove(score(alpha, sigma, deltaNorm))) break;
      let sum = 0;
      let d = 0;
      for (; d < o.draws && sum / o.draws <= o.threshold; d++) {
        sum += o.evaluate(addGaussianNoise(base, o.module, sigma, d)).loss;
        evaluations++;
        o.onPoint?.();
      }
      const meanLoss = sum / o.draws;
      if (d === o.draws && meanLoss <= o.threshold) {
        best.offer(alpha, sigma, meanLoss, deltaNorm);
        break;
      }
    }
    if (best.mu === 0) break;
  }
  return { ...best.result(o.module, deltaNorm, 'search', Math.max(...o.sigmas)), evaluations };
}

/** Network criticality: Σ_i μ_i over every module of the model. */
export interface NetworkCriticality {
  /** Σ_i μ_i; null when some module had no feasible point on the grid */
  mu: number | null;
  log10Mu: number | null;
  /** Σ μ_i over the modules that had a feasible point: equal to mu when none is missing, else a lower bound (every μ_i ≥ 0) */
  lowerBound: number;
  /** modules summed over (every module of the model) */
  modules: number;
  /** modules with no feasible point on the grid */
  missing: string[];
  /** modules whose μ is an upper bound (minimiser at the grid's largest σ) */
  atGridEdge: string[];
  note: string;
}

export function networkCriticality(perModule: readonly ModuleCriticality[]): NetworkCriticality {
  const lowerBound = perModule.reduce((s, m) => s + (m.mu ?? 0), 0);
  const missing = perModule.filter((m) => m.mu === null).map((m) => m.module);
  const atGridEdge = perModule.filter((m) => m.atGridEdge).map((m) => m.module);
  const mu = missing.length ? null : lowerBound;
  const edge = atGridEdge.length ? `; μ of ${atGridEdge.join(', ')} is an upper bound (minimiser at the grid's largest σ)` : '';
  const note = missing.length
    ? `undefined: no feasible grid point for ${missing.join(', ')} (feasible, if at all, only at a σ below the grid's smallest); ${fmt(lowerBound)}, the sum over the other ${perModule.length - missing.length} modules, is a lower bound${edge}`
    : `sum over all ${perModule.length} modules${edge}`;
  return { mu, log10Mu: log10OrNull(mu), lowerBound, modules: perModule.length, missing, atGridEdge, note };
}

export function log10OrNull(mu: number | null): number | null {
  return mu !== null && mu > 0 ? Math.log10(mu) : null;
}

const score = (alpha: number, sigma: number, deltaNorm: number) => (alpha === 0 ? 0 : (alpha / sigma) ** 2 * deltaNorm ** 2);

/** The running minimum over feasible points; only a strictly smaller score replaces it. */
class Best {
  mu: number | null = null;
  private point: { alpha: number; sigma: number; meanLoss: number } | null = null;

  couldImprove(candidate: number): boolean {
    return this.mu === null || candidate < this.mu;
  }

  offer(alpha: number, sigma: number, meanLoss: number, deltaNorm: number): void {
    const s = score(alpha, sigma, deltaNorm);
    if (!this.couldImprove(s)) return;
    this.mu = s;
    this.point = { alpha, sigma, meanLoss };
  }

  result(module: string, deltaNorm: number, from: ModuleCriticality['from'], largestSigma: number): ModuleCriticality {
    const p = this.point;
    const atGridEdge = p !== null && this.mu !== 0 && p.sigma === largestSigma;
    const status: CriticalityStatus =
      p === null ? 'no feasible point on the grid' : this.mu === 0 ? 'feasible at alpha = 0' : atGridEdge ? AT_LARGEST_SIGMA : 'feasible';
    return {
      module,
      status,
      mu: this.mu,
      log10Mu: log10OrNull(this.mu),
      alpha: p?.alpha ?? null,
      sigma: p?.sigma ?? null,
      meanLoss: p?.meanLoss ?? null,
      deltaNorm,
      from,
      atGridEdge,
    };
  }
}

function assertPositive(sigmas: readonly number[]): void {
  const bad = sigmas.filter((s) => !(s > 0));
  if (bad.length) throw new Error(`criticality: every σ must be > 0 (got ${bad.join(', ')}); σ = 0 would divide α²‖Δθ‖² by zero`);
}

const ascending = (xs: readonly number[]) => xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]! || a - b);
const descending = (xs: readonly number[]) => xs.map((_, i) => i).sort((a, b) => xs[b]! - xs[a]! || a - b);
const fmt = (x: number) => (x === 0 ? '0' : x.toPrecision(3));

/** The module's weights at α on the direct path from its initial to its final value. */
function pathPoint(o: { module: string; initial: Weights; final: Weights }, alpha: number): Weights {
  return interpolate(pick(o.initial, o.module), pick(o.final, o.module), alpha);
}

function pick(w: Weights, module: string): Weights {
  return new Map(paramsOfModule(w, module).map((n) => [n, w.get(n)!]));
}
