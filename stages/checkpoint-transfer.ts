// checkpoint-transfer (Fig. 7): fine-tuning (P-T recipe) from pre-training checkpoints k —
// final target test accuracy and optimization speed against k, mean and s.d. over the
// replicates with each replicate's value — beside the source's own test accuracy at each
// pre-training epoch (the paper's shaded area). Each point's mean accuracy and speed get
// bootstrap draws (stages/common/bootstrap.ts): replicates resample with stream
// `checkpoint-transfer/<domain>/k<epoch>`, images with `imageResamples(domain, n)`, so points of
// one target are paired on images, and with the learning curves of that target too.
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { StatisticDraws } from './common/bootstrap.ts';
import { trainingRun } from './common/models.ts';
import { meanStd } from './common/stats.ts';
import { replicateDraws, scoredRun, type ScoredRun } from './learning-curves.ts';

export const CheckpointPoint = z.object({
  sourceEpoch: z.number().int(),
  /** means over the replicates */
  testAccuracy: z.number(),
  optimizationSpeed: z.number(),
  testAccuracySd: z.number(),
  optimizationSpeedSd: z.number(),
  seeds: z.array(z.number().int()),
  testAccuracies: z.array(z.number()),
  optimizationSpeeds: z.array(z.number()),
  /** mean accuracy over the replicates (from predictions.json), draws over replicates and images */
  testAccuracyDraws: StatisticDraws,
  /** mean optimization speed over the replicates, draws over replicates */
  optimizationSpeedDraws: StatisticDraws,
});
export const CheckpointTransferOutput = z.object({
  source: z.object({ domain: z.string(), epochs: z.array(z.object({ epoch: z.number(), testAccuracy: z.number(), lr: z.number() })) }),
  targets: z.array(z.object({ domain: z.string(), points: z.array(CheckpointPoint) })),
});
export type CheckpointTransferOutput = z.infer<typeof CheckpointTransferOutput>;

export const checkpointTransfer = defineStage(import.meta.url, {
  name: 'checkpoint-transfer',
  params: z.strictObject({}),
  deps: { source: 'one', runs: 'many' },
  isolation: 'inline',
  run(ctx) {
    const source = trainingRun(ctx.deps.source);
    const runs = ctx.deps.runs.map(scoredRun).filter((s) => s.run.kind === 'P-T' && s.run.sourceEpoch !== null);
    const domains = [...new Set(runs.map((s) => s.run.domain))];
    ctx.writeJson('checkpoint-transfer.json', {
      source: { domain: source.domain, epochs: source.history.map((h) => ({ epoch: h.epoch, testAccuracy: h.testAccuracy, lr: h.lr })) },
      targets: domains.map((domain) => ({ domain, points: pointsOf(domain, runs.filter((s) => s.run.domain === domain)) })),
    } satisfies CheckpointTransferOutput);
  },
});

function pointsOf(domain: string, scored: ScoredRun[]): CheckpointTransferOutput['targets'][number]['points'] {
  const epochs = [...new Set(scored.map((s) => s.run.sourceEpoch!))].sort((a, b) => a - b);
  return epochs.map((sourceEpoch) => {
    const group = scored.filter((s) => s.run.sourceEpoch === sourceEpoch).sort((a, b) => a.run.seed - b.run.seed);
    const rs = group.map((s) => s.run);
    const acc = meanStd(rs.map((r) => r.finalTestAccuracy));
    const speed = meanStd(rs.map((r) => r.optimizationSpeed));
    return {
      sourceEpoch, testAccuracy: acc.mean, optimizationSpeed: speed.mean, testAccuracySd: acc.std, optimizationSpeedSd: speed.std,
      seeds: rs.map((r) => r.seed), testAccuracies: rs.map((r) => r.finalTestAccuracy), optimizationSpeeds: rs.map((r) => r.optimizationSpeed),
      ...replicateDraws(group, domain, `checkpoint-transfer/${domain}/k${sourceEpoch}`),
    };
  });
}
