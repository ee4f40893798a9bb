// mistakes (the paper's "common and uncommon mistakes"): on the target test set, which images
// both models of a pair get wrong and which only one does, for the replicate pairs of P-T & P-T,
// P-T & RI-T (never sharing a seed) and RI-T & RI-T, plus a control (the first P-T model with
// itself: κ 1 by definition); per pair type, the mean κ and overlap over its replicate pairs with
// bootstrap draws over replicate pairs and test images (stages/common/bootstrap.ts). Also image
// grids, from the first P-T & RI-T pair, of the examples P-T gets right and RI-T wrong, and the
// reverse (the paper found the latter mostly ambiguous images).
import { z } from 'zod';
import type { Dataset } from '../data/dataset.ts';
import { defineStage, type Upstream } from '../engine/stage.ts';
import { tilesPng } from '../data/preview/sample-grid.ts';
import { replicateMean } from './common/replicate-mean.ts';
import { compareMistakes, mistakeDraws } from '../ml/analysis/mistakes.ts';
import { imageResamples, replicateResamples, StatisticDraws } from './common/bootstrap.ts';
import { PAIR, replicatePairs, type PairName } from './common/pairs.ts';
import { Predictions } from './common/schemas.ts';
import { datasetInfo, readSplit } from './common/training.ts';

const COLS = 8;

const Counts = z.object({ examples: z.number().int(), common: z.number().int(), onlyAWrong: z.number().int(), onlyBWrong: z.number().int(), bothRight: z.number().int(), overlap: z.number(), kappa: z.number() });
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

export const mistakes = defineStage(import.meta.url, {
  name: 'mistakes',
  params: z.strictObject({ gridImages: z.number().int().min(1) }),
  deps: { pt: 'many', rit: 'many', data: 'one' },
  resources: { cpus: 1, memoryMB: 1024 },
  async run(ctx) {
    const cache = new Map<Upstream, Predictions>();
    const preds = (u: Upstream) => cache.get(u) ?? cache.set(u, u.json('predictions.json', Predictions)).get(u)!;
    const compared = mistakePairs(ctx.deps.pt, ctx.deps.rit).map(({ pair, replicate, a, b }) => {
      const { indices, ...counts } = compareMistakes(preds(a).correct, preds(b).correct);
      return { row: { pair, replicate, a: a.id, b: b.id, ...counts }, indices, a: preds(a), b: preds(b) };
    });
    const info = datasetInfo(ctx.deps.data);
    const first = compared.find((c) => c.row.pair === PAIR.ptRit)!;
    const examples = await writeGrids((name, data) => ctx.writeOutput(name, data), readSplit(ctx.deps.data, 'test'), info.classes, first, ctx.params.gridImages);
    ctx.writeJson('mistakes.json', {
      domain: info.domain,
      pairs: compared.map((c) => c.row),
      summary: mistakesSummary(info.domain, compared.map((c) => ({ pair: c.row.pair, kappa: c.row.kappa, overlap: c.row.overlap, correctA: c.a.correct, correctB: c.b.correct }))),
      examples,
    } satisfies MistakesOutput);
  },
});

/** The image grids of one P-T & RI-T pair (a = P-T, b = RI-T), and what each image shows. */
async function writeGrids(
  writeOutput: (name: string, data: Uint8Array) => void,
  test: Dataset,
  classes: readonly string[],
  ptVsRit: { a: Predictions; b: Predictions; indices: { common: number[]; onlyAWrong: number[]; onlyBWrong: number[] } },
  gridImages: number,
): Promise<MistakesOutput['examples']> {
  const { a: p, b: r } = ptVsRit;
  const grids = {
    'pt-right-rit-wrong': ptVsRit.indices.onlyBWrong,
    'pt-wrong-rit-right': ptVsRit.indices.onlyAWrong,
    'both-wrong': ptVsRit.indices.common,
  };
  const examples: MistakesOutput['examples'] = {};
  for (const [name, indices] of Object.entries(grids)) {
    const picked = indices.slice(0, gridImages);
    examples[name] = picked.map((i) => ({ index: i, label: classes[p.labels[i]!]!, pt: classes[p.predictions[i]!]!, rit: classes[r.predictions[i]!]! }));
    if (picked.length === 0) continue;
    const rows: number[][] = [];
    for (let k = 0; k < picked.length; k += COLS) rows.push(picked.slice(k, k + COLS));
    writeOutput(`${name}.png`, await tilesPng(test, rows, { scale: 4 }));
  }
  return examples;
}

/**
 * Per pair type: mean κ and overlap over its replicate pairs, and draws that resample the
 * replicate pairs (stream `mistakes/<pair>`) and the test images (`imageResamples(domain, n)`, the
 * same for every pair, so pair types are paired on images).
 */
export function mistakesSummary(
  domain: string,
  pairs: readonly { pair: string; kappa: number; overlap: number; correctA: ArrayLike<number | boolean>; correctB: ArrayLike<number | boolean> }[],
): MistakesOutput['summary'] {
  if (!pairs.length) throw new Error('mistakesSummary: no pairs');
  const n = pairs[0]!.correctA.length;
  for (const p of pairs) if (p.correctA.length !== n || p.correctB.length !== n) throw new Error(`mistakesSummary: a ${p.pair} pair has predictions for ${p.correctA.length} and ${p.correctB.length} images, the first for ${n}`);
  const images = imageResamples(domain, n);
  const summary: MistakesOutput['summary'] = {};
  for (const pair of [...new Set(pairs.map((p) => p.pair))]) {
    const group = pairs.filter((p) => p.pair === pair);
    const draws = group.map((p) => mistakeDraws(p.correctA, p.correctB, images));
    const picks = replicateResamples(group.length, `mistakes/${pair}`);
    summary[pair] = {
      pairs: group.length,
      kappa: replicateMean(group.map((p, k) => ({ estimate: p.kappa, draws: draws[k]!.kappa })), picks),
      overlap: replicateMean(group.map((p, k) => ({ estimate: p.overlap, draws: draws[k]!.overlap })), picks),
    };
  }
  return summary;
}
