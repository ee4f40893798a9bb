// Mistakes (the paper's "common and uncommon mistakes", in the text and appendix): common and
// uncommon mistakes per pair type and target, plus the example grids the mistakes stage drew
// (copied through, captioned in the report). The bars are the first replicate pair of each type;
// the label is κ's mean over the type's replicate pairs with its 95% bootstrap interval. The
// control (P-T with itself: κ 1 by definition) is not drawn.
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';

const Params = z.strictObject({});
const DEPS = { mistakes: 'many' } as const satisfies DepSpec;

export type FigureMistakesContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const figureMistakes = defineStage(import.meta.url, {
  name: 'figure-mistakes',
  params: Params,
  deps: DEPS,
  isolation: 'inline',
  run: async (ctx) => (await import('./run/figure-mistakes.ts')).run(ctx),
});
