// barrier (Fig. 4, appendix Fig. 16): test accuracy and loss along the straight line between two
// final models, every tensor interpolated (head and Fixup scalars included; no BatchNorm, so
// nothing is re-estimated), for P-T & P-T, RI-T & RI-T (different inits), RI-T & P-T, and two
// RI-T runs from the SAME init; plus the scalar barrier heights (ml/analysis/barrier.ts).
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { tensorResources } from './common/resources.ts';
import { initBackend } from '../ml/backend.ts';
import { accuracyBarrier, linspace, lossBarrier, type PathPoint } from '../ml/analysis/barrier.ts';
import { evaluate } from '../ml/evaluate.ts';
import { interpolate } from '../ml/weights.ts';
import { finalModel, pairOf, type TrainedModel } from './common/models.ts';
import { readSplit } from './common/training.ts';

export const barrier = defineStage(import.meta.url, {
  name: 'barrier',
  params: z.strictObject({ points: z.number().int().min(3) }),
  deps: { pt: 'many', rit: 'many', ritSameInit: 'one', data: 'one' },
  resources: tensorResources(1024),
  async run(ctx) {
    ctx.setMetadata('backend', await initBackend());
    const test = readSplit(ctx.deps.data, 'test');
    const [pt0, pt1] = pairOf(ctx.deps.pt, 'barrier P-T').map(finalModel) as [TrainedModel, TrainedModel];
    const [rit0, rit1] = pairOf(ctx.deps.rit, 'barrier RI-T').map(finalModel) as [TrainedModel, TrainedModel];
    const same = finalModel(ctx.deps.ritSameInit);
    if (same.run.initKey !== rit0.run.initKey) throw new Error(`${same.id} does not share the init of ${rit0.id}`);
    const pairs = [
      ['P-T & P-T', pt0, pt1],
      ['RI-T & RI-T', rit0, rit1],
      ['RI-T & P-T', rit0, pt1],
      ['RI-T & RI-T (same init)', rit0, same],
    ] as const;
    const lambdas = linspace(0, 1, ctx.params.points);
    const results = [];
    let done = 0;
    for (const [pair, a, b] of pairs) {
      const path: PathPoint[] = lambdas.map((lambda) => {
        ctx.progress({ done: done++, total: pairs.length * lambdas.length, message: `${pair} λ=${lambda.toFixed(2)}` });
        const r = evaluate(a.model, interpolate(a.weights, b.weights, lambda), test);
        return { lambda, accuracy: r.accuracy, loss: r.meanLoss };
      });
      results.push({ pair, a: a.id, b: b.id, path, accuracyBarrier: accuracyBarrier(path), lossBarrier: lossBarrier(path) });
    }
    ctx.writeJson('barrier.json', { domain: pt0.run.domain, points: lambdas.length, examples: test.header.count, pairs: results });
  },
});
