// Tables 1 (CKA per layer and pair type) and 2 (ℓ2 distances), as HTML and CSV, with the paper's
// values beside ours. Ours is the mean over the replicate pairs of a pair type with its 95%
// percentile bootstrap interval (from the draws each analysis writes). The paper reports CKA on
// CheXpert only (our xray analogue) for ResNet-50's conv1 and four stages; our model's stem and
// stages are matched by position.
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';

const Params = z.strictObject({});
const DEPS = { cka: 'many', distance: 'many' } as const satisfies DepSpec;

export type TablesContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const tables = defineStage(import.meta.url, {
  name: 'tables',
  params: Params,
  deps: DEPS,
  isolation: 'inline',
  run: async (ctx) => (await import('./run/tables.ts')).run(ctx),
});
