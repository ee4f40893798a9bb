// learning-curves (Fig. 2): test accuracy per epoch of every fine-tuning run at block size =
// side, grouped by (target, init, lr): mean and standard deviation over seeds.
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { trainingRun } from './common/models.ts';
import { meanStd } from './common/stats.ts';

export const learningCurves = defineStage(import.meta.url, {
  name: 'learning-curves',
  params: z.strictObject({}),
  deps: { runs: 'many' },
  isolation: 'inline',
  run(ctx) {
    const runs = ctx.deps.runs.map(trainingRun).filter((r) => r.blockSize === null && r.kind !== 'pretrain');
    const groups = new Map<string, typeof runs>();
    for (const r of runs) {
      const key = JSON.stringify([r.domain, r.kind, r.lr, r.sourceEpoch]);
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const curves = [...groups.values()].map((g) => ({
      domain: g[0]!.domain,
      init: g[0]!.kind,
      lr: g[0]!.lr,
      sourceEpoch: g[0]!.sourceEpoch,
      seeds: g.map((r) => r.seed),
      epochs: g[0]!.history.map((h) => h.epoch),
      testAccuracy: g[0]!.history.map((_, e) => meanStd(g.map((r) => r.history[e]!.testAccuracy))),
      trainAccuracy: g[0]!.history.map((_, e) => meanStd(g.map((r) => r.history[e]!.trainAccuracy))),
      finalTestAccuracy: meanStd(g.map((r) => r.finalTestAccuracy)),
      optimizationSpeed: meanStd(g.map((r) => r.optimizationSpeed)),
    }));
    ctx.writeJson('learning-curves.json', { curves });
  },
});
