// checkpoint-transfer (Fig. 7): fine-tuning (P-T recipe) from pre-training checkpoints k —
// final target test accuracy and optimization speed against k, mean and s.d. over the
// replicates with each replicate's value — beside the source's own test accuracy at each
// pre-training epoch (the paper's shaded area). Each point's mean accuracy and speed get
// bootstrap draws (stages/common/bootstrap.ts): replicates resample with stream
// `checkpoint-transfer/<domain>/k<epoch>`, images with `imageResamples(domain, n)`, so points of
// one target are paired on images, and with the learning curves of that target too.
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import { StatisticDraws } from './common/bootstrap.ts';

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

const Params = z.strictObject({});

const DEPS = { source: 'one', runs: 'many' } as const satisfies DepSpec;

export type CheckpointTransferContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const checkpointTransfer = defineStage(import.meta.url, {
  name: 'checkpoint-transfer',
  params: Params,
  deps: DEPS,
  isolation: 'inline',
  run: async (ctx) => (await import('./run/checkpoint-transfer.ts')).run(ctx),
});
