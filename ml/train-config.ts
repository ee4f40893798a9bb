// What a training run is told, as zod schemas with their defaults. Separate from train.ts so
// that planning a DAG can validate a stage's params without loading tensor code.
//
// A profile sets one TrainingRecipe per phase (pre-training, fine-tuning), with its lr drops as
// fractions of the epochs; each run's TrainConfig is that recipe plus what differs between runs:
// the lr, the drops as epochs (lrDropEpochs converts), the seeds and what a divergence means.
import { z } from 'zod';

export const TrainingRecipeSchema = z.strictObject({
  epochs: z.number().int().min(0),
  batchSize: z.number().int().min(1).default(128),
  momentum: z.number().min(0).max(1).default(0.9),
  weightDecay: z.number().min(0).default(1e-4),
  lrDropFactor: z.number().positive().default(0.1),
  /** lr multiplier for parameters named *bias* / *scale* (paper: 0.1) */
  smallParamLrFactor: z.number().positive().default(0.1),
  /** mixup Beta(α, α); 0 = off (paper: 0.7 on DomainNet) */
  mixupAlpha: z.number().min(0).default(0),
  /** random horizontal flip and shift by up to `pad` pixels (the paper's crop + flip, at small sizes); see augment.ts */
  augment: z.strictObject({ flip: z.boolean(), pad: z.number().int().min(0) }).default({ flip: false, pad: 0 }),
  /** eval-mode train accuracy on a fixed subset of this many training examples (default all) */
  trainEvalSize: z.number().int().positive().optional(),
});

export type TrainingRecipe = z.output<typeof TrainingRecipeSchema>;

const seed = z.union([z.number().int(), z.string()]);

export const TrainConfigSchema = TrainingRecipeSchema.extend({
  lr: z.number().positive(),
  /** the lr is multiplied by lrDropFactor after each of these epochs (e.g. [30, 60]) */
  lrDropEpochs: z.array(z.number().int().positive()).default([]),
  /** seed of data order, mixup and augmentation draws (and of the init unless initSeed is given) */
  seed,
  /** seed of the fresh initialisation (whole model for RI-T, the head for P-T); default seed */
  initSeed: seed.optional(),
  evalBatchSize: z.number().int().positive().default(256),
  /** a non-finite loss either fails the run ('error') or ends it as a result ('stop': the paper's P-T at lr 0.1 "failed to converge") */
  onDivergence: z.enum(['error', 'stop']).default('error'),
});

export type TrainConfig = z.output<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

/** The epochs after which the lr drops, from fractions of the run (paper: 30/60/90 of 100 → 0.3, 0.6, 0.9). */
export function lrDropEpochs(epochs: number, fractions: readonly number[]): number[] {
  return [...new Set(fractions.map((f) => Math.round(f * epochs)))].filter((e) => e >= 1 && e < epochs);
}

/** Only the recipe's own fields of an object that extends it (a profile's phase also holds its lrs). */
export function recipeOf(phase: TrainingRecipe): TrainingRecipe {
  const recipe: Record<string, unknown> = {};
  for (const key of Object.keys(TrainingRecipeSchema.shape)) {
    const value = (phase as Record<string, unknown>)[key];
    if (value !== undefined) recipe[key] = value;
  }
  return recipe as TrainingRecipe;
}
