// distance (Table 2): ℓ2 distance between the concatenated parameters of two final models, the
// head excluded (P's head has the source's classes, so it cannot enter any pair with P; it is
// left out of every pair for consistency, as paper-spec §3c infers), in total and per module.
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { l2Distance, modulesOf } from '../ml/weights.ts';
import { finalModel, pairOf } from './common/models.ts';

export const distance = defineStage(import.meta.url, {
  name: 'distance',
  params: z.strictObject({ exclude: z.array(z.string()).default(['fc']) }),
  deps: { source: 'one', pt: 'many', rit: 'many' },
  resources: { cpus: 1, memoryMB: 1024 },
  run(ctx) {
    const P = finalModel(ctx.deps.source);
    const [pt0, pt1] = pairOf(ctx.deps.pt, 'distance P-T').map(finalModel);
    const [rit0, rit1] = pairOf(ctx.deps.rit, 'distance RI-T').map(finalModel);
    const exclude = ctx.params.exclude;
    const modules = modulesOf(pt0!.weights).filter((m) => !exclude.includes(m));
    const pairs = [
      ['2 P-T', pt0, pt1],
      ['2 RI-T', rit0, rit1],
      ['P-T & P', pt0, P],
      ['RI-T & P', rit0, P],
      ['P-T & RI-T', pt0, rit0],
    ] as const;
    ctx.writeJson('distance.json', {
      domain: pt0!.run.domain,
      excluded: exclude,
      modules,
      pairs: pairs.map(([pair, a, b]) => ({
        pair,
        a: a!.id,
        b: b!.id,
        total: l2Distance(a!.weights, b!.weights, { excludeModules: exclude }),
        perModule: Object.fromEntries(modules.map((m) => [m, l2Distance(a!.weights, b!.weights, { modules: [m] })])),
      })),
    });
  },
});
