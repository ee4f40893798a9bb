// mistakes (the paper's "common and uncommon mistakes"): on the target test set, which images
// both models of a pair get wrong and which only one does, for the replicate pairs of P-T & P-T,
// P-T & RI-T (never sharing a seed) and RI-T & RI-T, plus a control (the first P-T model with
// itself: κ 1 by definition); per pair type, the mean κ and overlap over its replicate pairs with
// bootstrap draws over replicate pairs and test images (stages/common/bootstrap.ts). Also image
// grids, from the first P-T & RI-T pair, of the examples P-T gets right and RI-T wrong, and the
// reverse (the paper found the latter mostly ambiguous images).
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import { replicateMean } from './common/replicate-mean.ts';
import { mistakeDraws } from '../ml/analysis/mistakes.ts';
import { imageResamples, replicateResamples, StatisticDraws } from './common/bootstrap.ts';
import { PAIR, replicatePairs, type PairName } from './common/pairs.ts';

const Counts = z.object({
  examples: z.number().int(),
  common: z.number().int(),
  onlyAWrong: z.number().int(),
  onlyBWrong: z.number().int(),
  bothRight: z.number().int(),
  overlap: z.number(),
  kappa: z.number(),
});
const Example = z.object({ index: z.number().int(), label: z.string(), pt: z.string(), rit: z.string() });

export const MistakesOutput = z.object({
  domain: z.string(),
  pairs: z.array(Counts.extend({ pair: z.string(), replicate: z.number().int(), a: z.string(), b: z.string() })),
  /** per pair type: the mean over its replicate pairs, with bootstrap draws */
  summary: z.record(z.string(), z.object({ pairs: z.number().int(), kappa: StatisticDraws, overlap: StatisticDraws })),
  /** per grid ('pt-right-rit-wrong', 'pt-wrong-rit-right', 'both-wrong'): the images shown, of the first P-T & RI-T pair */
  examples: z.record(z.string(), z.array(Example)),
});
export type MistakesOutput = z.infer<typeof MistakesOutput>;

/** The compared pairs, in order: within P-T, P-T × RI-T (i ≠ j), within RI-T, P-T seed 0 with itself. */
export function mistakePairs<T>(pt: readonly T[], rit: readonly T[]): { pair: PairName; replicate: number; a: T; b: T }[] {
  const types: [PairName, [T, T][]][] = [
    [PAIR.ptPt, replicatePairs(pt)],
    [PAIR.ptRit, replicatePairs(pt, rit)],
    [PAIR.ritRit, replicatePairs(rit)],
    [PAIR.identical, [[pt[0]!, pt[0]!]]],
  ];
  return types.flatMap(([pair, list]) => list.map(([a, b], replicate) => ({ pair, replicate, a, b })));
}

const Params = z.strictObject({ gridImages: z.number().int().min(1) });
const DEPS = { pt: 'many', rit: 'many', data: 'one' } as const satisfies DepSpec;

export type MistakesContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const mistakes = defineStage(import.meta.url, {
  name: 'mistakes',
  params: Params,
  deps: DEPS,
  resources: { cpus: 1, memoryMB: 1024 },
  run: async (ctx) => (await import('./run/mistakes.ts')).run(ctx),
});

/**
 * Per pair type: mean κ and overlap over its replicate pairs, and draws that resample the
 * replicate pairs (stream `mistakes/<pair>`) and the test images (`imageResamples(domain, n)`, the
 * same for every pair, so pair types are paired on images).
 */
export function mistakesSummary(
  domain: string,
  pairs: readonly {
    pair: string;
    kappa: number;
    overlap: number;
    correctA: ArrayLike<number | boolean>;
    correctB: ArrayLike<number | boolean>;
  }[],
): MistakesOutput['summary'] {
  if (!pairs.length) throw new Error('mistakesSummary: no pairs');
  const n = pairs[0]!.correctA.length;
  for (const p of pairs)
    if (p.correctA.length !== n || p.correctB.length !== n)
      throw new Error(
        `mistakesSummary: a ${p.pair} pair has predictions for ${p.correctA.length} and ${p.correctB.length} images, the first for ${n}`,
      );
  const images = imageResamples(domain, n);
  const summary: MistakesOutput['summary'] = {};
  for (const pair of [...new Set(pairs.map((p) => p.pair))]) {
    const group = pairs.filter((p) => p.pair === pair);
    const draws = group.map((p) => mistakeDraws(p.correctA, p.correctB, images));
    const picks = replicateResamples(group.length, `mistakes/${pair}`);
    summary[pair] = {
      pairs: group.length,
      kappa: replicateMean(
        group.map((p, k) => ({ estimate: p.kappa, draws: draws[k]!.kappa })),
        picks,
      ),
      overlap: replicateMean(
        group.map((p, k) => ({ estimate: p.overlap, draws: draws[k]!.overlap })),
        picks,
      ),
    };
  }
  return summary;
}
