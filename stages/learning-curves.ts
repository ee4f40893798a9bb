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
    const curves = [...groups.values()].map((g) => {
      // A diverged run ends early; each epoch averages the seeds that reached it.
      const longest = g.reduce((a, r) => (r.history.length > a.history.length ? r : a), g[0]!);
      const at = (e: number, key: 'testAccuracy' | 'trainAccuracy') => meanStd(g.flatMap((r) => (r.history[e] ? [r.history[e][key]] : [])));
      return {
        domain: g[0]!.domain,
        init: g[0]!.kind,
        lr: g[0]!.lr,
        sourceEpoch: g[0]!.sourceEpoch,
        seeds: g.map((r) => r.seed),
        diverged: g.filter((r) => r.diverged).map((r) => ({ seed: r.seed, epoch: r.diverged!.epoch })),
        epochs: longest.history.map((h) => h.epoch),
        testAccuracy: longest.history.map((_, e) => at(e, 'testAccuracy')),
        trainAccuracy: longest.history.map((_, e) => at(e, 'trainAccuracy')),
        finalTestAccuracy: meanStd(g.map((r) => r.finalTestAccuracy)),
        optimizationSpeed: meanStd(g.map((r) => r.optimizationSpeed)),
      };
    });
    ctx.writeJson('learning-curves.json', { curves });
  },
});
