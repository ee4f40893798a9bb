// barrier (Fig. 4, appendix Fig. 16): test accuracy and loss along the straight line between two
// final models, every tensor interpolated (head and Fixup scalars included; no BatchNorm, so
// nothing is re-estimated), for replicate pairs of P-T & P-T, RI-T & RI-T (different inits) and
// RI-T & P-T (never sharing a seed), for two RI-T runs from the SAME init, and for a control: the
// first P-T model with itself (barrier 0 by definition). Per pair, the scalar barrier heights
// (ml/analysis/barrier.ts); per pair type, their mean over the replicate pairs with bootstrap
// draws over replicate pairs and test images (stages/common/bootstrap.ts).
import { z } from 'zod';
import type { Dataset } from '../data/dataset.ts';
import { defineStage } from '../engine/stage.ts';
import { tensorResources } from './common/resources.ts';
import { initBackend } from '../ml/backend.ts';
import { replicateMean } from './common/replicate-mean.ts';
import { accuracyBarrier, barrierDraws, linspace, lossBarrier, type PathOutcomes, type PathPoint } from '../ml/analysis/barrier.ts';
import { evaluate } from '../ml/evaluate.ts';
import { interpolate } from '../ml/weights.ts';
import { imageResamples, replicateResamples, StatisticDraws } from './common/bootstrap.ts';
import { finalModel, type TrainedModel } from './common/models.ts';
import { PAIR, replicatePairs, type PairName } from './common/pairs.ts';
import { readSplit } from './common/training.ts';

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

export const barrier = defineStage(import.meta.url, {
  name: 'barrier',
  params: z.strictObject({ points: z.number().int().min(3) }),
  deps: { pt: 'many', rit: 'many', ritSameInit: 'one', data: 'one' },
  resources: tensorResources(1024),
  async run(ctx) {
    ctx.setMetadata('backend', await initBackend());
    const test = readSplit(ctx.deps.data, 'test');
    const pt = ctx.deps.pt.map(finalModel);
    const rit = ctx.deps.rit.map(finalModel);
    const same = finalModel(ctx.deps.ritSameInit);
    const plan = barrierPairs(pt, rit, same, (m) => m.id);
    if (same.run.initKey !== rit[0]!.run.initKey) throw new Error(`${same.id} does not share the init of ${rit[0]!.id} (init keys ${same.run.initKey} and ${rit[0]!.run.initKey})`);
    const lambdas = linspace(0, 1, ctx.params.points);
    const total = plan.reduce((s, p) => s + (p.a === p.b ? 1 : lambdas.length), 0);
    let done = 0;
    const evaluated = plan.map((p) =>
      evaluatePath(p, lambdas, test, (lambda) => ctx.progress({ done: done++, total, message: `${p.pair} #${p.replicate} λ=${lambda.toFixed(2)}` })),
    );
    const domain = pt[0]!.run.domain;
    ctx.writeJson('barrier.json', {
      domain,
      points: lambdas.length,
      examples: test.header.count,
      pairs: evaluated.map(({ outcomes: _, ...row }) => row),
      summary: barrierSummary(domain, evaluated),
    } satisfies BarrierOutput);
  },
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
 * The path of one pair, with the per-image outcomes at each λ. A model against itself is the model
 * at every λ, so it is evaluated once and that evaluation stands for every point: its barrier is
 * then exactly 0, on the data and on every resample.
 */
function evaluatePath(p: PlannedPair<TrainedModel>, lambdas: readonly number[], test: Dataset, tick: (lambda: number) => void): EvaluatedPath {
  const once = p.a === p.b ? evaluate(p.a.model, p.a.weights, test) : undefined;
  const results = lambdas.map((lambda) => {
    if (once) return once;
    tick(lambda);
    return evaluate(p.a.model, interpolate(p.a.weights, p.b.weights, lambda), test);
  });
  if (once) tick(0);
  const path = lambdas.map((lambda, k) => ({ lambda, accuracy: results[k]!.accuracy, loss: results[k]!.meanLoss }));
  const outcomes = { lambdas, correct: results.map((r) => r.correct), losses: results.map((r) => r.losses) };
  return { pair: p.pair, replicate: p.replicate, a: p.a.id, b: p.b.id, path, accuracyBarrier: accuracyBarrier(path), lossBarrier: lossBarrier(path), outcomes };
}

/**
 * Per pair type: the mean barrier over its replicate pairs, and draws that resample the replicate
 * pairs (stream `barrier/<pair>`) and the test images (`imageResamples(domain, n)`, the same for
 * every path and λ point, so pair types are paired on images).
 */
export function barrierSummary(domain: string, paths: readonly ({ pair: string } & Pick<EvaluatedPath, 'accuracyBarrier' | 'lossBarrier' | 'outcomes'>)[]): BarrierOutput['summary'] {
  if (!paths.length) throw new Error('barrierSummary: no paths');
  const n = paths[0]!.outcomes.correct[0]!.length;
  for (const p of paths) if (p.outcomes.correct[0]!.length !== n) throw new Error(`barrierSummary: a ${p.pair} path has outcomes on ${p.outcomes.correct[0]!.length} images, the first on ${n}`);
  const images = imageResamples(domain, n);
  const summary: BarrierOutput['summary'] = {};
  for (const pair of [...new Set(paths.map((p) => p.pair))]) {
    const group = paths.filter((p) => p.pair === pair);
    const draws = group.map((p) => barrierDraws(p.outcomes, images));
    const picks = replicateResamples(group.length, `barrier/${pair}`);
    summary[pair] = {
      pairs: group.length,
      accuracyBarrier: replicateMean(group.map((p, k) => ({ estimate: p.accuracyBarrier, draws: draws[k]!.accuracy })), picks),
      lossBarrier: replicateMean(group.map((p, k) => ({ estimate: p.lossBarrier, draws: draws[k]!.loss })), picks),
    };
  }
  return summary;
}
