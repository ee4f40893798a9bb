import type { Upstream } from '../../engine/stage.ts';
import { imageResamples, meanAt, replicateResamples, type StatisticDraws } from '../common/bootstrap.ts';
import { trainingRun } from '../common/models.ts';
import { Predictions, type TrainingRun } from '../common/schemas.ts';
import { meanStd } from '../common/stats.ts';
import type { CurveRole, LearningCurve, LearningCurvesContext, LearningCurvesOutput } from '../learning-curves.ts';

/** A training run with its final model's per-test-image right (1) / wrong (0). */
export interface ScoredRun {
  run: TrainingRun;
  correct: readonly number[];
}

export function scoredRun(entry: Upstream): ScoredRun {
  return { run: trainingRun(entry), correct: entry.json('predictions.json', Predictions).correct };
}

export function run(ctx: LearningCurvesContext): void {
  const roles: [CurveRole, Upstream[]][] = [
    ['main', ctx.deps.main],
    ['lr-variant', ctx.deps.lrVariants],
  ];
  const curves = roles.flatMap(([role, entries]) => {
    const runs = entries.map(scoredRun);
    for (const { run: r } of runs)
      if (r.kind === 'pretrain' || r.blockSize !== null)
        throw new Error(
          `learning-curves: ${role} runs must be unshuffled fine-tuning runs (got a ${r.kind} run${r.blockSize !== null ? ` at block ${r.blockSize}` : ''} on ${r.domain})`,
        );
    const groups = new Map<string, ScoredRun[]>();
    for (const s of runs) {
      const key = JSON.stringify([s.run.domain, s.run.kind]);
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    return [...groups.values()].map((g) =>
      curveOf(
        role,
        g.sort((a, b) => a.run.seed - b.run.seed),
        (m) => ctx.log(`WARNING: ${m}`),
      ),
    );
  });
  ctx.writeJson('learning-curves.json', { curves } satisfies LearningCurvesOutput);
}

/** One curve of one role's runs; replicates that differ in lr (one changed with --override) are kept, and said. */
function curveOf(role: CurveRole, g: ScoredRun[], warn: (message: string) => void): LearningCurve {
  const runs = g.map((s) => s.run);
  const first = runs[0]!;
  const init = first.kind as 'P-T' | 'RI-T';
  const lrs = [...new Set(runs.map((r) => r.lr))];
  if (lrs.length > 1)
    warn(
      `the ${role} ${init} replicates on ${first.domain} were trained at different learning rates (${lrs.join(', ')}); the curve averages them and carries the first one's lr`,
    );
  // A diverged run ends early; each epoch averages the seeds that reached it.
  const longest = runs.reduce((a, r) => (r.history.length > a.history.length ? r : a), first);
  const at = (e: number, key: 'testAccuracy' | 'trainAccuracy') => meanStd(runs.flatMap((r) => (r.history[e] ? [r.history[e][key]] : [])));
  const draws = replicateDraws(g, first.domain, `${first.domain}/${init}/${role}`);
  return {
    domain: first.domain,
    init,
    role,
    lr: first.lr,
    sourceEpoch: first.sourceEpoch,
    seeds: runs.map((r) => r.seed),
    diverged: runs.filter((r) => r.diverged).map((r) => ({ seed: r.seed, epoch: r.diverged!.epoch })),
    epochs: longest.history.map((h) => h.epoch),
    testAccuracy: longest.history.map((_, e) => at(e, 'testAccuracy')),
    trainAccuracy: longest.history.map((_, e) => at(e, 'trainAccuracy')),
    finalTestAccuracy: meanStd(runs.map((r) => r.finalTestAccuracy)),
    optimizationSpeed: meanStd(runs.map((r) => r.optimizationSpeed)),
    finalTestAccuracyDraws: draws.testAccuracyDraws,
    optimizationSpeedDraws: draws.optimizationSpeedDraws,
  };
}

/**
 * The mean test accuracy and mean optimization speed over some replicates, with bootstrap draws:
 * draw b picks replicates `replicateResamples(k, stream)[b]` (the same picks for both statistics)
 * and scores each picked replicate on the images `imageResamples(domain, n)[b]`, the same images
 * for every replicate and every statistic of this test set (shuffled test sets keep the image
 * order, so they share the unshuffled set's resamples). The speed is a train-set quantity: its
 * draws resample the replicates only.
 */
export function replicateDraws(
  reps: readonly { run: Pick<TrainingRun, 'optimizationSpeed'>; correct: readonly number[] }[],
  domain: string,
  stream: string,
): { testAccuracyDraws: StatisticDraws; optimizationSpeedDraws: StatisticDraws } {
  const k = reps.length;
  if (!k) throw new Error(`replicateDraws (${stream}): no replicates`);
  const n = reps[0]!.correct.length;
  for (const r of reps)
    if (r.correct.length !== n) throw new Error(`replicateDraws (${stream}): predictions for ${r.correct.length} and ${n} test images`);
  const images = imageResamples(domain, n);
  const picks = replicateResamples(k, stream);
  const accuracy = reps.map((r) => images.map((idx) => meanAt(r.correct, idx)));
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const pickedMean = (value: (j: number, b: number) => number) => picks.map((pick, b) => mean(Array.from(pick, (j) => value(j, b))));
  return {
    testAccuracyDraws: { estimate: mean(reps.map((r) => mean(r.correct))), draws: pickedMean((j, b) => accuracy[j]![b]!) },
    optimizationSpeedDraws: {
      estimate: mean(reps.map((r) => r.run.optimizationSpeed)),
      draws: pickedMean((j) => reps[j]!.run.optimizationSpeed),
    },
  };
}
