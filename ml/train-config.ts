// What a training run is told: the zod schema of its options (and their defaults). Separate from
// train.ts so that planning a DAG can validate a stage's params without loading tensor code.
import { z } from 'zod';

export const TrainConfigSchema = z
  .object({
    epochs: z.number().int().min(0),
    batchSize: z.number().int().min(1).default(128),
    lr: z.number().positive(),
    momentum: z.number().min(0).default(0.9),
    weightDecay: z.number().min(0).default(1e-4),
    /** the lr is multiplied by lrDropFactor after each of these epochs (e.g. [30, 60]) */
    lrDropEpochs: z.array(z.number().int().positive()).default([]),
    lrDropFactor: z.number().positive().default(0.1),
    /** lr multiplier for parameters named *bias* / *scale* (paper: 0.1) */
    smallParamLrFactor: z.number().positive().default(0.1),
    /** mixup Beta(α, α); 0 = off (paper: 0.7 on DomainNet) */
    mixupAlpha: z.number().min(0).default(0),
    /** random horizontal flip and shift by up to `pad` pixels (the paper's crop + flip, at small sizes); see augment.ts */
    augment: z.strictObject({ flip: z.boolean(), pad: z.number().int().min(0) }).default({ flip: false, pad: 0 }),
    /** seed of data order, mixup and augmentation draws (and of the init unless initSeed is given) */
    seed: z.union([z.number().int(), z.string()]),
    /** seed of the fresh initialisation (whole model for RI-T, the head for P-T); default seed */
    initSeed: z.union([z.number().int(), z.string()]).optional(),
    /** eval-mode train accuracy on a fixed subset of this many training examples (default all) */
    trainEvalSize: z.number().int().positive().optional(),
    evalBatchSize: z.number().int().positive().default(256),
    /** a non-finite loss either fails the run ('error') or ends it as a result ('stop': the paper's P-T at lr 0.1 "failed to converge") */
    onDivergence: z.enum(['error', 'stop']).default('error'),
  })
  .strict();

export type TrainConfig = z.output<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;
