// The mistakes stage's run (its definition, params and output schema: stages/mistakes.ts).
import type { Dataset } from '../../data/dataset.ts';
import type { Upstream } from '../../engine/stage.ts';
import { tilesPng } from '../../data/preview/sample-grid.ts';
import { compareMistakes } from '../../ml/analysis/mistakes.ts';
import { PAIR } from '../common/pairs.ts';
import { Predictions } from '../common/schemas.ts';
import { datasetInfo, readSplit } from '../common/training.ts';
import { mistakePairs, mistakesSummary, type MistakesContext, type MistakesOutput } from '../mistakes.ts';

const COLS = 8;

export async function run(ctx: MistakesContext): Promise<void> {
  const cache = new Map<Upstream, Predictions>();
  const preds = (u: Upstream) => cache.get(u) ?? cache.set(u, u.json('predictions.json', Predictions)).get(u)!;
  const compared = mistakePairs(ctx.deps.pt, ctx.deps.rit).map(({ pair, replicate, a, b }) => {
    const { indices, ...counts } = compareMistakes(preds(a).correct, preds(b).correct);
    return { row: { pair, replicate, a: a.id, b: b.id, ...counts }, indices, a: preds(a), b: preds(b) };
  });
  const info = datasetInfo(ctx.deps.data);
  const first = compared.find((c) => c.row.pair === PAIR.ptRit)!;
  const examples = await writeGrids(
    (name, data) => ctx.writeOutput(name, data),
    readSplit(ctx.deps.data, 'test'),
    info.classes,
    first,
    ctx.params.gridImages,
  );
  ctx.writeJson('mistakes.json', {
    domain: info.domain,
    pairs: compared.map((c) => c.row),
    summary: mistakesSummary(
      info.domain,
      compared.map((c) => ({ pair: c.row.pair, kappa: c.row.kappa, overlap: c.row.overlap, correctA: c.a.correct, correctB: c.b.correct })),
    ),
    examples,
  } satisfies MistakesOutput);
}

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
    examples[name] = picked.map((i) => ({
      index: i,
      label: classes[p.labels[i]!]!,
      pt: classes[p.predictions[i]!]!,
      rit: classes[r.predictions[i]!]!,
    }));
    if (picked.length === 0) continue;
    const rows: number[][] = [];
    for (let k = 0; k < picked.length; k += COLS) rows.push(picked.slice(k, k + COLS));
    writeOutput(`${name}.png`, await tilesPng(test, rows, { scale: 4 }));
  }
  return examples;
}
