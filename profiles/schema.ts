// A profile: every setting of one run of the experiment, as one typed, zod-validated object.
// `tiny` exercises every stage at toy size, `default` is what `npx tsx pipeline.ts figures`
// runs (the embedded suite on a 2-core CPU), `paper` is the paper's settings for a user with
// a GPU and the real datasets. `--config FILE` and `--set key=value` override any field.
import { z } from 'zod';
import { SuiteConfigSchema } from '../data/suite-config.ts';
import { BlockSize } from '../stages/common/schemas.ts';
import { TrainingRecipeSchema } from '../ml/train-config.ts';
import { ArchitectureParams } from '../stages/common/training-params.ts';

/** One phase's recipe, set once for all its runs; the trainer gets it with each run's lr and seeds. */
const Recipe = TrainingRecipeSchema.extend({
  epochs: z.number().int().min(1),
  /** lr drops ×lrDropFactor after these fractions of the epochs (paper: 30/60/90 of 100 → 0.3, 0.6, 0.9) */
  lrDropFractions: z.array(z.number().gt(0).lt(1)).default([0.3, 0.6, 0.9]),
});

export const ProfileSchema = z.strictObject({
  name: z.string(),
  description: z.string(),
  suite: SuiteConfigSchema,
  arch: ArchitectureParams,
  pretrain: Recipe.extend({ lr: z.number().positive(), seed: z.number().int().min(0).default(0) }),
  finetune: Recipe.extend({
    /** P-T learning rate (paper: 0.02/8 at batch 32) */
    lrPT: z.number().positive(),
    /** RI-T learning rate (paper: 0.1/8) */
    lrRIT: z.number().positive(),
  }),
  /** replicate seeds of the main matrix (every target × P-T/RI-T at block size = side; ≥ 2: pairs need two instances) */
  seeds: z.array(z.number().int().min(0)).min(2),
  /** target domains of the main matrix; default: every target of the suite */
  targets: z.array(z.string()).min(1).optional(),
  shuffle: z.strictObject({
    /** targets fine-tuned on shuffled data (Fig. 3: the DomainNet-like ones) */
    targets: z.array(z.string()).default([]),
    /** block sizes besides the unshuffled side, '*' = pixel shuffle */
    blockSizes: z.array(BlockSize).default([]),
    /** permutation seed = seedBase + replicate seed (paper: 1234) */
    seedBase: z.number().int().min(0).default(1234),
    /** replicates of every shuffled arm: the first this many of `seeds`, each with its own permutation */
    replicates: z.number().int().min(2).default(2),
    /**
     * a permutation that moves at most half of the blocks (e.g. the identity NumPy draws for 4 blocks
     * with seed 1234), or repeats another replicate's, is refused at plan time, or replaced by the
     * next permutation drawn from the same RandomState ('redraw', recorded in provenance and on Fig. 3)
     */
    weakPermutations: z.enum(['refuse', 'redraw']).default('refuse'),
  }),
  checkpoints: z.strictObject({
    /** targets fine-tuned from earlier pre-training checkpoints (Fig. 7) */
    targets: z.array(z.string()).default([]),
    /** pre-training epochs to start from; default: around every lr drop, early epochs and the last */
    epochs: z.array(z.number().int().min(0)).optional(),
    /** replicates of every checkpoint arm: the first this many of `seeds` */
    replicates: z.number().int().min(2).default(2),
  }),
  /** fail the build when a scorecard control comes out the wrong way (`--strict`) */
  strict: z.boolean().default(false),
  /** Fig. 2: also P-T at the RI-T lr and RI-T at the P-T lr */
  lrVariants: z.boolean().default(true),
  analyses: z.strictObject({
    cka: z
      .strictObject({ examples: z.number().int().min(4).default(500), unbiased: z.boolean().default(true) })
      .default({ examples: 500, unbiased: true }),
    barrier: z.strictObject({ points: z.number().int().min(3).default(21) }).default({ points: 21 }),
    criticality: z
      .strictObject({
        /** targets analysed (default: every main target); the grids are the costliest analysis */
        targets: z.array(z.string()).optional(),
        /** modules for the heat-maps (rewinding and the criticality μ cover every module) */
        modules: z.array(z.string()).default(['stem']),
        /** grid points of α ∈ [0, 1] on the direct path (reference: 11) */
        alphas: z.number().int().min(2).default(11),
        /**
         * noise levels σ, every one > 0, increasing. The reference grid is linspace(1e-16, 1, 11) ×
         * a ratio; its 1e-16 stands in for σ = 0, which makes the unperturbed model feasible with
         * μ ≈ 1e32, so the default keeps only its ten σ > 0
         */
        sigmas: z
          .array(
            z.number().gt(0, {
              message:
                'every noise level σ must be > 0: σ = 0 leaves the module unperturbed and the criticality α²‖Δθ‖²/σ² divides by zero (the reference grid scores it as σ = 1e-16, which gives μ ≈ 1e32 for any trained model); start the grid above 0, e.g. 0.0125',
            }),
          )
          .min(1)
          .refine((s) => s.every((v, i) => i === 0 || v > s[i - 1]!), { message: 'the σ grid must be strictly increasing' })
          .default([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]),
        /** noise draws per grid point (reference: 10) */
        draws: z.number().int().min(1).default(5),
        /** feasible when mean perturbed train loss ≤ tolerance × the final model's (reference: 1.01) */
        tolerance: z.number().min(1).default(1.01),
        /** training examples the heat-maps are evaluated on */
        examples: z.number().int().min(1).default(1000),
      })
      .default({
        modules: ['stem'],
        alphas: 11,
        sigmas: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
        draws: 5,
        tolerance: 1.01,
        examples: 1000,
      }),
    mistakes: z.strictObject({ gridImages: z.number().int().min(1).default(24) }).default({ gridImages: 24 }),
  }),
});

export type Profile = z.output<typeof ProfileSchema>;
export type ProfileInput = z.input<typeof ProfileSchema>;
