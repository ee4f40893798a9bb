// mistakes (paper §3a): common and uncommon mistakes on the target test set for two P-T
// instances, P-T vs RI-T, and two RI-T instances, plus image grids of the examples P-T gets right
// and RI-T wrong, and the reverse (the paper found the latter mostly ambiguous images).
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { tilesPng } from '../data/preview/sample-grid.ts';
import { compareMistakes } from '../ml/analysis/mistakes.ts';
import { pairOf } from './common/models.ts';
import { Predictions } from './common/schemas.ts';
import { datasetInfo, readSplit } from './common/training.ts';

const COLS = 8;

export const mistakes = defineStage(import.meta.url, {
  name: 'mistakes',
  params: z.strictObject({ gridImages: z.number().int().min(1) }),
  deps: { pt: 'many', rit: 'many', data: 'one' },
  resources: { cpus: 1, memoryMB: 1024 },
  async run(ctx) {
    const [pt0, pt1] = pairOf(ctx.deps.pt, 'mistakes P-T');
    const [rit0, rit1] = pairOf(ctx.deps.rit, 'mistakes RI-T');
    const preds = (u: typeof pt0) => u.json('predictions.json', Predictions);
    const pairs = [
      { pair: 'P-T & P-T', a: pt0, b: pt1 },
      { pair: 'P-T & RI-T', a: pt0, b: rit0 },
      { pair: 'RI-T & RI-T', a: rit0, b: rit1 },
    ].map(({ pair, a, b }) => {
      const c = compareMistakes(preds(a).correct, preds(b).correct);
      return { pair, a: a.id, b: b.id, examples: c.examples, common: c.common, onlyAWrong: c.onlyAWrong, onlyBWrong: c.onlyBWrong, bothRight: c.bothRight, overlap: c.overlap, kappa: c.kappa, indices: c.indices };
    });
    const test = readSplit(ctx.deps.data, 'test');
    const info = datasetInfo(ctx.deps.data);
    const ptVsRit = pairs[1]!;
    const p = preds(pt0);
    const r = preds(rit0);
    const grids = {
      'pt-right-rit-wrong': ptVsRit.indices.onlyBWrong,
      'pt-wrong-rit-right': ptVsRit.indices.onlyAWrong,
      'both-wrong': ptVsRit.indices.common,
    };
    const examples: Record<string, { index: number; label: string; pt: string; rit: string }[]> = {};
    for (const [name, indices] of Object.entries(grids)) {
      const picked = indices.slice(0, ctx.params.gridImages);
      examples[name] = picked.map((i) => ({ index: i, label: info.classes[p.labels[i]!]!, pt: info.classes[p.predictions[i]!]!, rit: info.classes[r.predictions[i]!]! }));
      if (picked.length === 0) continue;
      const rows: number[][] = [];
      for (let k = 0; k < picked.length; k += COLS) rows.push(picked.slice(k, k + COLS));
      ctx.writeOutput(`${name}.png`, await tilesPng(test, rows, { scale: 4 }));
    }
    ctx.writeJson('mistakes.json', {
      domain: info.domain,
      pairs: pairs.map(({ indices: _, ...rest }) => rest),
      examples,
    });
  },
});
