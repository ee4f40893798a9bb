// The barrier stage's run (its definition, params and output schema: stages/barrier.ts).
import type { Dataset } from '../../data/dataset.ts';
import { initBackend } from '../../ml/backend.ts';
import { accuracyBarrier, linspace, lossBarrier } from '../../ml/analysis/barrier.ts';
import { evaluate } from '../../ml/evaluate.ts';
import { interpolate } from '../../ml/weights.ts';
import { finalModel, type TrainedModel } from '../common/models.ts';
import { readSplit } from '../common/training.ts';
import { barrierPairs, barrierSummary, type BarrierContext, type BarrierOutput, type EvaluatedPath, type PlannedPair } from '../barrier.ts';

export async function run(ctx: BarrierContext): Promise<void> {
  ctx.setMetadata('backend', await initBackend({ cpus: ctx.cpus }));
  const test = readSplit(ctx.deps.data, 'test');
  const pt = ctx.deps.pt.map(finalModel);
  const rit = ctx.deps.rit.map(finalModel);
  const same = finalModel(ctx.deps.ritSameInit);
  const plan = barrierPairs(pt, rit, same, (m) => m.id);
  if (same.run.initKey !== rit[0]!.run.initKey)
    throw new Error(`${same.id} does not share the init of ${rit[0]!.id} (init keys ${same.run.initKey} and ${rit[0]!.run.initKey})`);
  const lambdas = linspace(0, 1, ctx.params.points);
  const total = plan.reduce((s, p) => s + (p.a === p.b ? 1 : lambdas.length), 0);
  let done = 0;
  const evaluated = plan.map((p) =>
    evaluatePath(p, lambdas, test, (lambda) =>
      ctx.progress({ done: done++, total, message: `${p.pair} #${p.replicate} λ=${lambda.toFixed(2)}` }),
    ),
  );
  const domain = pt[0]!.run.domain;
  ctx.writeJson('barrier.json', {
    domain,
    points: lambdas.length,
    examples: test.header.count,
    pairs: evaluated.map(({ outcomes: _, ...row }) => row),
    summary: barrierSummary(domain, evaluated),
  } satisfies BarrierOutput);
}

/**
 * The path of one pair, with the per-image outcomes at each λ. A model against itself is the model
 * at every λ, so it is evaluated once and that evaluation stands for every point: its barrier is
 * then exactly 0, on the data and on every resample.
 */
function evaluatePath(
  p: PlannedPair<TrainedModel>,
  lambdas: readonly number[],
  test: Dataset,
  tick: (lambda: number) => void,
): EvaluatedPath {
  const once = p.a === p.b ? evaluate(p.a.model, p.a.weights, test) : undefined;
  const results = lambdas.map((lambda) => {
    if (once) return once;
    tick(lambda);
    return evaluate(p.a.model, interpolate(p.a.weights, p.b.weights, lambda), test);
  });
  if (once) tick(0);
  const path = lambdas.map((lambda, k) => ({ lambda, accuracy: results[k]!.accuracy, loss: results[k]!.meanLoss }));
  const outcomes = { lambdas, correct: results.map((r) => r.correct), losses: results.map((r) => r.losses) };
  return {
    pair: p.pair,
    replicate: p.replicate,
    a: p.a.id,
    b: p.b.id,
    path,
    accuracyBarrier: accuracyBarrier(path),
    lossBarrier: lossBarrier(path),
    outcomes,
  };
}
