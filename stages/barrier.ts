// barrier (Fig. 4, appendix Fig. 16): test accuracy and loss along the straight line between two
// final models, every tensor interpolated (head and Fixup scalars included; no BatchNorm, so
// nothing is re-estimated), for replicate pairs of P-T & P-T, RI-T & RI-T (different inits) and
// RI-T & P-T (never sharing a seed), for two RI-T runs from the SAME init, and for a control: the
// first P-T model with itself (barrier 0 by definition). Per pair, the scalar barrier heights
// (ml/analysis/barrier.ts); per pair type, their mean over the replicate pairs with bootstrap
// draws over replicate pairs and test images (stages/common/bootstrap.ts).
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import { tensorResources } from './common/resources.ts';
import { replicateMean } from './common/replicate-mean.ts';
import { barrierDraws, type PathOutcomes, type PathPoint } from '../ml/analysis/barrier.ts';
import { imageResamples, replicateResamples, StatisticDraws } from './common/bootstrap.ts';
import { PAIR, replicatePairs, type PairName } from './common/pairs.ts';

/** Replicate pairs evaluated per pair type: each path costs `points` evaluations of the test set. */
export const MAX_PAIRS_PER_TYPE = 3;

const PathPointSchema = z.object({ lambda: z.number(), accuracy: z.number(), loss: z.number() });
const BarrierStats = z.object({ accuracyBarrier: z.number(), lossBarrier: z.number() });

export const BarrierOutput = z.object({
  domain: z.string(),
  /** λ points per path */
  points: z.number().int(),
  /** test images */
  examples: z.number().int(),
  pairs: z.array(
    BarrierStats.extend({
      pair: z.string(),
      /** index of the replicate pair within its pair type */
      replicate: z.number().int(),
      a: z.string(),
      b: z.string(),
      path: z.array(PathPointSchema),
    }),
  ),
  /** per pair type: the mean over its replicate pairs, with bootstrap draws */
  summary: z.record(z.string(), z.object({ pairs: z.number().int(), accuracyBarrier: StatisticDraws, lossBarrier: StatisticDraws })),
});
export type BarrierOutput = z.infer<typeof BarrierOutput>;

export interface PlannedPair<T> {
  pair: PairName;
  replicate: number;
  a: T;
  b: T;
}

const Params = z.strictObject({ points: z.number().int().min(3) });
const DEPS = { pt: 'many', rit: 'many', ritSameInit: 'one', data: 'one' } as const satisfies DepSpec;

export type BarrierContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const barrier = defineStage(import.meta.url, {
  name: 'barrier',
  params: Params,
  deps: DEPS,
  resources: tensorResources(1024),
  run: async (ctx) => (await import('./run/barrier.ts')).run(ctx),
});

/**
 * The pairs to evaluate, in order: P-T & P-T within the P-T replicates, RI-T & RI-T within the
 * RI-T replicates, RI-T & P-T across them (i ≠ j), each capped at MAX_PAIRS_PER_TYPE; RI-T seed 0
 * with the same-init run; the first P-T model with itself (control).
 */
export function barrierPairs<T>(pt: readonly T[], rit: readonly T[], same: T, id: (m: T) => string): PlannedPair<T>[] {
  const types: [PairName, [T, T][]][] = [
    [PAIR.ptPt, capPairs(replicatePairs(pt), MAX_PAIRS_PER_TYPE, id)],
    [PAIR.ritRit, capPairs(replicatePairs(rit), MAX_PAIRS_PER_TYPE, id)],
    [PAIR.ritPt, capPairs(replicatePairs(rit, pt), MAX_PAIRS_PER_TYPE, id)],
    [PAIR.ritRitSameInit, [[rit[0]!, same]]],
    [PAIR.identical, [[pt[0]!, pt[0]!]]],
  ];
  return types.flatMap(([pair, list]) => list.map(([a, b], replicate) => ({ pair, replicate, a, b })));
}

/**
 * At most `cap` of `pairs`, in their order: the first combination (in lexicographic order of
 * positions) that involves the most distinct models, so that e.g. of the 6 cross pairs of 3 + 3
 * runs it takes (0,1), (1,2), (2,0), every run once, rather than (0,1), (0,2), (1,0).
 */
export function capPairs<T>(pairs: readonly [T, T][], cap: number, id: (m: T) => string): [T, T][] {
  if (pairs.length <= cap) return [...pairs];
  const most = Math.min(2 * cap, new Set(pairs.flatMap(([a, b]) => [id(a), id(b)])).size);
  let best: number[] = [];
  let bestCount = -1;
  const chosen: number[] = [];
  const visit = (from: number): boolean => {
    if (chosen.length === cap) {
      const count = new Set(chosen.flatMap((i) => pairs[i]!.map(id))).size;
      if (count > bestCount) [best, bestCount] = [[...chosen], count];
      return bestCount === most;
    }
    for (let i = from; i <= pairs.length - (cap - chosen.length); i++) {
      chosen.push(i);
      const stop = visit(i + 1);
      chosen.pop();
      if (stop) return true;
    }
    return false;
  };
  visit(0);
  return best.map((i) => pairs[i]!);
}

export interface EvaluatedPath extends PlannedPair<string> {
  path: PathPoint[];
  accuracyBarrier: number;
  lossBarrier: number;
  outcomes: PathOutcomes;
}

/**
 * Per pair type: the mean barrier over its replicate pairs, and draws that resample the replicate
 * pairs (stream `barrier/<pair>`) and the test images (`imageResamples(domain, n)`, the same for
 * every path and λ point, so pair types are paired on images).
 */
export function barrierSummary(
  domain: string,
  paths: readonly ({ pair: string } & Pick<EvaluatedPath, 'accuracyBarrier' | 'lossBarrier' | 'outcomes'>)[],
): BarrierOutput['summary'] {
  if (!paths.length) throw new Error('barrierSummary: no paths');
  const n = paths[0]!.outcomes.correct[0]!.length;
  for (const p of paths)
    if (p.outcomes.correct[0]!.length !== n)
      throw new Error(`barrierSummary: a ${p.pair} path has outcomes on ${p.outcomes.correct[0]!.length} images, the first on ${n}`);
  const images = imageResamples(domain, n);
  const summary: BarrierOutput['summary'] = {};
  for (const pair of [...new Set(paths.map((p) => p.pair))]) {
    const group = paths.filter((p) => p.pair === pair);
    const draws = group.map((p) => barrierDraws(p.outcomes, images));
    const picks = replicateResamples(group.length, `barrier/${pair}`);
    summary[pair] = {
      pairs: group.length,
      accuracyBarrier: replicateMean(
        group.map((p, k) => ({ estimate: p.accuracyBarrier, draws: draws[k]!.accuracy })),
        picks,
      ),
      lossBarrier: replicateMean(
        group.map((p, k) => ({ estimate: p.lossBarrier, draws: draws[k]!.loss })),
        picks,
      ),
    };
  }
  return summary;
}
