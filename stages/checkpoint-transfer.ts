// checkpoint-transfer (Fig. 7): fine-tuning (P-T recipe) from pre-training checkpoints k —
// final target test accuracy and optimization speed against k, mean and s.d. over the
// replicates with each replicate's value — beside the source's own test accuracy at each
// pre-training epoch (the paper's shaded area).
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { trainingRun } from './common/models.ts';
import type { TrainingRun } from './common/schemas.ts';
import { meanStd } from './common/stats.ts';

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
});
export const CheckpointTransferOutput = z.object({
  source: z.object({ domain: z.string(), epochs: z.array(z.object({ epoch: z.number(), testAccuracy: z.number(), lr: z.number() })) }),
  targets: z.array(z.object({ domain: z.string(), points: z.array(CheckpointPoint) })),
});

export const checkpointTransfer = defineStage(import.meta.url, {
  name: 'checkpoint-transfer',
  params: z.strictObject({}),
  deps: { source: 'one', runs: 'many' },
  isolation: 'inline',
  run(ctx) {
    const source = trainingRun(ctx.deps.source);
    const runs = ctx.deps.runs.map(trainingRun).filter((r) => r.kind === 'P-T' && r.sourceEpoch !== null);
    const domains = [...new Set(runs.map((r) => r.domain))];
    const out: z.infer<typeof CheckpointTransferOutput> = {
      source: { domain: source.domain, epochs: source.history.map((h) => ({ epoch: h.epoch, testAccuracy: h.testAccuracy, lr: h.lr })) },
      targets: domains.map((domain) => ({ domain, points: pointsOf(runs.filter((r) => r.domain === domain)) })),
    };
    ctx.writeJson('checkpoint-transfer.json', out);
  },
});

function pointsOf(runs: TrainingRun[]): z.infer<typeof CheckpointPoint>[] {
  const epochs = [...new Set(runs.map((r) => r.sourceEpoch!))].sort((a, b) => a - b);
  return epochs.map((sourceEpoch) => {
    const rs = runs.filter((r) => r.sourceEpoch === sourceEpoch).sort((a, b) => a.seed - b.seed);
    const acc = meanStd(rs.map((r) => r.finalTestAccuracy));
    const speed = meanStd(rs.map((r) => r.optimizationSpeed));
    return {
      sourceEpoch, testAccuracy: acc.mean, optimizationSpeed: speed.mean, testAccuracySd: acc.std, optimizationSpeedSd: speed.std,
      seeds: rs.map((r) => r.seed), testAccuracies: rs.map((r) => r.finalTestAccuracy), optimizationSpeeds: rs.map((r) => r.optimizationSpeed),
    };
  });
}
