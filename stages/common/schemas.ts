// The JSON files stages hand to each other, as zod schemas: the producer writes them, consumers
// validate them on read. Kept apart from the stage files so a consumer's fingerprint depends on
// the contract, not on the producer's code.
import { z } from 'zod';

export const BlockSize = z.union([z.number().int().positive(), z.literal('*')]);
export type BlockSize = z.infer<typeof BlockSize>;

/** datasets/info.json: what a dataset stage produced. */
export const DatasetInfo = z.object({
  domain: z.string(),
  classes: z.array(z.string()),
  height: z.number().int(),
  width: z.number().int(),
  channels: z.number().int(),
  train: z.number().int(),
  test: z.number().int(),
  /** block size applied ('*' = pixel shuffle), or null for the original images */
  shuffle: z
    .object({
      blockSize: BlockSize,
      seed: z.number().int(),
      /** which permutation of RandomState(seed): 0 is the paper's, k > 0 a redrawn weak one */
      draw: z.number().int().min(0).default(0),
      /** blocks (elements for '*') permuted, and how many of them moved */
      units: z.number().int().optional(),
      moved: z.number().int().optional(),
    })
    .nullable(),
});
export type DatasetInfo = z.infer<typeof DatasetInfo>;

/** One row of a training history (times are in the manifest, not here, so outputs stay deterministic). */
export const EpochRow = z.object({
  epoch: z.number().int(),
  lr: z.number(),
  trainLoss: z.number().nullable(),
  trainAccuracy: z.number(),
  trainEvalLoss: z.number(),
  testAccuracy: z.number(),
  testLoss: z.number(),
});
export type EpochRow = z.infer<typeof EpochRow>;

export const TrainingRun = z.object({
  /** 'pretrain', or the fine-tuning init: 'P-T' | 'RI-T' */
  kind: z.enum(['pretrain', 'P-T', 'RI-T']),
  domain: z.string(),
  blockSize: BlockSize.nullable(),
  /** which permutation of the shuffle seed (0 = the paper's; see the shuffle stage), null if unshuffled */
  shuffleDraw: z.number().int().nullable(),
  seed: z.number().int(),
  /** the fresh init's random stream (experiment/init-streams.ts): equal keys, equal initial weights */
  initKey: z.string(),
  lr: z.number(),
  /** pre-training epoch the P-T run started from */
  sourceEpoch: z.number().int().nullable(),
  /** epochs the recipe asked for */
  epochs: z.number().int(),
  /** epochs actually trained (fewer if the loss diverged) */
  completedEpochs: z.number().int(),
  /** where the loss became non-finite (the run then ended; its weights are the last finished epoch's) */
  diverged: z.object({ epoch: z.number().int(), step: z.number().int() }).nullable(),
  history: z.array(EpochRow),
  /** mean eval-mode train accuracy over epochs 1..E: the paper's "optimization speed" */
  optimizationSpeed: z.number(),
  finalTestAccuracy: z.number(),
  finalTestLoss: z.number(),
});
export type TrainingRun = z.infer<typeof TrainingRun>;

/** predictions.json: the final model on every test example. */
export const Predictions = z.object({
  predictions: z.array(z.number().int()),
  correct: z.array(z.union([z.literal(0), z.literal(1)])),
  losses: z.array(z.number()),
  labels: z.array(z.number().int()),
});
export type Predictions = z.infer<typeof Predictions>;
