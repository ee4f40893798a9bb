// learning-curves (Fig. 2): test accuracy per epoch of the main-matrix fine-tuning runs
// (`main`: every P-T and RI-T replicate at its own lr, role 'main') and of the lr variants
// (`lrVariants`: P-T at the RI-T lr and RI-T at the P-T lr, role 'lr-variant'), grouped by
// (role, target, init): mean and standard deviation over seeds per epoch. Readers select a curve
// by its role, never by comparing learning rates. The final test accuracy and the optimization
// speed also get bootstrap draws (stages/common/bootstrap.ts): draw b resamples the curve's
// replicates (stream `<domain>/<init>/<role>`) and, for the accuracy, the test images
// (`imageResamples(domain, n)`, the same for every curve of a target, so curves of one target
// are paired on images); the speed is a train-set quantity, so only the replicates resample.
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import { StatisticDraws } from './common/bootstrap.ts';

const MeanStd = z.object({ mean: z.number(), std: z.number(), n: z.number().int() });

export const CurveRole = z.enum(['main', 'lr-variant']);
export type CurveRole = z.infer<typeof CurveRole>;

export const LearningCurve = z.object({
  domain: z.string(),
  init: z.enum(['P-T', 'RI-T']),
  /** 'main': the init's own lr (the main matrix); 'lr-variant': the other init's lr */
  role: CurveRole,
  lr: z.number(),
  sourceEpoch: z.number().int().nullable(),
  seeds: z.array(z.number().int()),
  diverged: z.array(z.object({ seed: z.number().int(), epoch: z.number().int() })),
  epochs: z.array(z.number().int()),
  /** per epoch, over the seeds that reached it (a diverged run ends early) */
  testAccuracy: z.array(MeanStd),
  trainAccuracy: z.array(MeanStd),
  finalTestAccuracy: MeanStd,
  optimizationSpeed: MeanStd,
  /** mean final test accuracy over the replicates (from predictions.json), draws over replicates and images */
  finalTestAccuracyDraws: StatisticDraws,
  /** mean optimization speed over the replicates, draws over replicates */
  optimizationSpeedDraws: StatisticDraws,
});
export type LearningCurve = z.infer<typeof LearningCurve>;
export const LearningCurvesOutput = z.object({ curves: z.array(LearningCurve) });
export type LearningCurvesOutput = z.infer<typeof LearningCurvesOutput>;

const Params = z.strictObject({});

const DEPS = { main: 'many', lrVariants: 'many' } as const satisfies DepSpec;

export type LearningCurvesContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const learningCurves = defineStage(import.meta.url, {
  name: 'learning-curves',
  params: Params,
  deps: DEPS,
  isolation: 'inline',
  run: async (ctx) => (await import('./run/learning-curves.ts')).run(ctx),
});
