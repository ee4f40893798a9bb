// Figure 4 (and appendix Fig. 16): test accuracy and loss along the straight line between two
// final models, per pair type and target: the first replicate pair of each type solid, the other
// replicate pairs faint. The control (a model with itself, flat by definition) is not drawn.
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import { z } from 'zod';

const Params = z.strictObject({});
const DEPS = { barrier: 'many' } as const satisfies DepSpec;

export type FigureBarrierContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const figureBarrier = defineStage(import.meta.url, {
  name: 'figure-barrier',
  params: Params,
  deps: DEPS,
  isolation: 'inline',
  run: async (ctx) => (await import('./run/figure-barrier.ts')).run(ctx),
});
