// The bootstrap every analysis uses, so that the scorecard can put a 95% interval on any
// statistic and on any difference of two statistics of the same analysis. Draw b resamples the
// test images (with replacement) with the same indices for every model of the analysis, so two
// models' statistics stay paired (both see the same images). The image resamples depend only on
// the test set (its domain and size), so statistics of the same test set from different files
// combine paired too. Where there are several replicates (or replicate pairs), draw b also
// resamples them, with replacement. An analysis writes, per statistic, the estimate on the data as
// they are and its draws (`StatisticDraws`); the scorecard reads them.
import { z } from 'zod';
import { Rng } from '../../ml/rng.ts';

/** Draws per statistic: enough for a 2.5–97.5% percentile interval. */
export const BOOTSTRAP_DRAWS = 1000;

export const StatisticDraws = z.object({
  estimate: z.number(),
  /** the statistic on each of the BOOTSTRAP_DRAWS resamples (same resamples for every statistic of one file) */
  draws: z.array(z.number()),
});
export type StatisticDraws = z.infer<typeof StatisticDraws>;

/** Resampled image indices 0..n−1 for each draw, the same for every analysis of one test set. */
export function imageResamples(domain: string, n: number, draws = BOOTSTRAP_DRAWS): Uint32Array[] {
  return resamples(n, `images/${domain}`, draws);
}

/** Resampled indices 0..k−1 of k replicates (or replicate pairs) for each draw. */
export function replicateResamples(k: number, stream: string, draws = BOOTSTRAP_DRAWS): Uint32Array[] {
  return resamples(k, `replicates/${stream}`, draws);
}

function resamples(n: number, stream: string, draws: number): Uint32Array[] {
  const rng = Rng.from('bootstrap', stream, n);
  return Array.from({ length: draws }, () => {
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    return idx;
  });
}

/** Mean of a 0/1 (or any) per-image vector over one resample. */
export function meanAt(values: ArrayLike<number>, idx: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < idx.length; i++) s += values[idx[i]!]!;
  return s / idx.length;
}

/** Percentile interval of draws (2.5%, 97.5% by default). */
export function percentileInterval(draws: readonly number[], level = 0.95): [number, number] {
  if (!draws.length) throw new Error('an interval needs at least one bootstrap draw');
  const sorted = [...draws].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
  return [at((1 - level) / 2), at(1 - (1 - level) / 2)];
}

/** Elementwise combination of the draws of statistics from one file (e.g. a difference). */
export function combine(stats: readonly StatisticDraws[], f: (...xs: number[]) => number): StatisticDraws {
  const n = stats[0]?.draws.length ?? 0;
  for (const s of stats) if (s.draws.length !== n) throw new Error('combine: statistics with different numbers of draws');
  return {
    estimate: f(...stats.map((s) => s.estimate)),
    draws: Array.from({ length: n }, (_, b) => f(...stats.map((s) => s.draws[b]!))),
  };
}
