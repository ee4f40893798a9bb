// distance (Table 2): ℓ2 distance between the concatenated parameters of two final models, the
// head excluded, in total and per module, for the replicate pairs of P-T & P-T and RI-T & RI-T,
// and each P-T and each RI-T replicate against the pre-trained model P. P's head has the source's
// classes, so it cannot enter a pair with P; the paper does not say how it handled the head, so
// it is left out of every pair alike. Per pair type, the mean over its replicate pairs with
// bootstrap draws over the replicate pairs (no images enter), and the ratio P-T & P-T / RI-T &
// RI-T (the paper's ≈ 0.24 on DomainNet real), combined per draw.
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import { replicateMean } from './common/replicate-mean.ts';
import { combine, replicateResamples, StatisticDraws } from './common/bootstrap.ts';
import { PAIR, replicatePairs, type PairName } from './common/pairs.ts';

export const DistanceOutput = z.object({
  domain: z.string(),
  /** modules left out of `total` */
  excluded: z.array(z.string()),
  /** modules in `perModule` */
  modules: z.array(z.string()),
  pairs: z.array(
    z.object({
      pair: z.string(),
      replicate: z.number().int(),
      a: z.string(),
      b: z.string(),
      total: z.number(),
      perModule: z.record(z.string(), z.number()),
    }),
  ),
  /** per pair type: the mean over its replicate pairs, with bootstrap draws over them */
  summary: z.record(z.string(), z.object({ pairs: z.number().int(), total: StatisticDraws })),
  /** mean total of P-T & P-T / that of RI-T & RI-T, per draw */
  ratio: StatisticDraws,
});
export type DistanceOutput = z.infer<typeof DistanceOutput>;

/** The compared pairs, in order: within P-T, within RI-T, each P-T with P, each RI-T with P. */
export function distancePairs<T>(source: T, pt: readonly T[], rit: readonly T[]): { pair: PairName; replicate: number; a: T; b: T }[] {
  const types: [PairName, [T, T][]][] = [
    [PAIR.ptPt, replicatePairs(pt)],
    [PAIR.ritRit, replicatePairs(rit)],
    [PAIR.ptP, pt.map((m) => [m, source] as [T, T])],
    [PAIR.ritP, rit.map((m) => [m, source] as [T, T])],
  ];
  return types.flatMap(([pair, list]) => list.map(([a, b], replicate) => ({ pair, replicate, a, b })));
}

const Params = z.strictObject({ exclude: z.array(z.string()).default(['fc']) });
const DEPS = { source: 'one', pt: 'many', rit: 'many' } as const satisfies DepSpec;

export type DistanceContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const distance = defineStage(import.meta.url, {
  name: 'distance',
  params: Params,
  deps: DEPS,
  resources: { cpus: 1, memoryMB: 1024 },
  run: async (ctx) => (await import('./run/distance.ts')).run(ctx),
});

/**
 * Per pair type: the mean total distance over its replicate pairs, with draws that resample the
 * replicate pairs (stream `distance/<pair>`); and the ratio of the P-T & P-T mean to the RI-T &
 * RI-T mean, per draw.
 */
export function distanceSummary(pairs: readonly { pair: string; total: number }[]): Pick<DistanceOutput, 'summary' | 'ratio'> {
  const summary: DistanceOutput['summary'] = {};
  for (const pair of [...new Set(pairs.map((p) => p.pair))]) {
    const group = pairs.filter((p) => p.pair === pair);
    summary[pair] = {
      pairs: group.length,
      total: replicateMean(
        group.map((p) => ({ estimate: p.total })),
        replicateResamples(group.length, `distance/${pair}`),
      ),
    };
  }
  const [ptPt, ritRit] = [summary[PAIR.ptPt], summary[PAIR.ritRit]];
  if (!ptPt || !ritRit) throw new Error(`distanceSummary: the ratio needs ${PAIR.ptPt} and ${PAIR.ritRit} pairs`);
  return { summary, ratio: combine([ptPt.total, ritRit.total], (a, b) => a / b) };
}
