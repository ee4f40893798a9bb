// Figure 2: test accuracy against fine-tuning epoch, one panel per target, P-T and RI-T at both
// learning rates (each init's main lr solid, the other init's lr dashed: the curve's `role`),
// mean over seeds with a ±1 s.d. band.
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';

const Params = z.strictObject({});
const DEPS = { curves: 'one' } as const satisfies DepSpec;

export type FigureLearningCurvesContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const figureLearningCurves = defineStage(import.meta.url, {
  name: 'figure-learning-curves',
  params: Params,
  deps: DEPS,
  isolation: 'inline',
  run: async (ctx) => (await import('./run/figure-learning-curves.ts')).run(ctx),
});
