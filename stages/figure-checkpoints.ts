// Figure 7: fine-tuning from pre-training checkpoint k — final target test accuracy and
// optimization speed against k (mean over replicates, whiskers ±1 s.d., dots the replicates) —
// over the source's own test accuracy at each epoch (shaded).
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';

const Params = z.strictObject({});
const DEPS = { checkpoints: 'one' } as const satisfies DepSpec;

export type FigureCheckpointsContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const figureCheckpoints = defineStage(import.meta.url, {
  name: 'figure-checkpoints',
  params: Params,
  deps: DEPS,
  isolation: 'inline',
  run: async (ctx) => (await import('./run/figure-checkpoints.ts')).run(ctx),
});
