// spectrum (appendix): singular values of every weight matrix/kernel of P, P-T and RI-T
// (a conv kernel read as out × in·k·k).
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';

/** spectrum.json: per model (P, P-T, RI-T) and weight tensor, its singular values. */
export const SpectrumOutput = z.object({ domain: z.string(), models: z.record(z.string(), z.record(z.string(), z.array(z.number()))) });

const Params = z.strictObject({});
const DEPS = { source: 'one', pt: 'one', rit: 'one' } as const satisfies DepSpec;

export type SpectrumContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const spectrum = defineStage(import.meta.url, {
  name: 'spectrum',
  params: Params,
  deps: DEPS,
  resources: { cpus: 1, memoryMB: 1024 },
  run: async (ctx) => (await import('./run/spectrum.ts')).run(ctx),
});
