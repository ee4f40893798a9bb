// The distance stage's run (its definition, params and output schema: stages/distance.ts).
import { l2Distance, modulesOf } from '../../ml/weights.ts';
import { finalModel, type TrainedModel } from '../common/models.ts';
import { distancePairs, distanceSummary, type DistanceContext, type DistanceOutput } from '../distance.ts';

export function run(ctx: DistanceContext): void {
  const P = finalModel(ctx.deps.source);
  const pt = ctx.deps.pt.map(finalModel);
  const rit = ctx.deps.rit.map(finalModel);
  const exclude = ctx.params.exclude;
  const modules = modulesOf(pt[0]!.weights).filter((m) => !exclude.includes(m));
  const pairs = distancePairs<TrainedModel>(P, pt, rit).map(({ pair, replicate, a, b }) => ({
    pair,
    replicate,
    a: a.id,
    b: b.id,
    total: l2Distance(a.weights, b.weights, { excludeModules: exclude }),
    perModule: Object.fromEntries(modules.map((m) => [m, l2Distance(a.weights, b.weights, { modules: [m] })])),
  }));
  ctx.writeJson('distance.json', {
    domain: pt[0]!.run.domain,
    excluded: exclude,
    modules,
    pairs,
    ...distanceSummary(pairs),
  } satisfies DistanceOutput);
}
