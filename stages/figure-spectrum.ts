// Appendix: spectrum of modules — the sorted singular values of each weight matrix of P, P-T and
// RI-T (conv kernels read as out × in·k·k), one panel per parameter.
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';

const Params = z.strictObject({});
const DEPS = { spectrum: 'many' } as const satisfies DepSpec;

export type FigureSpectrumContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const figureSpectrum = defineStage(import.meta.url, {
  name: 'figure-spectrum',
  params: Params,
  deps: DEPS,
  isolation: 'inline',
  run: async (ctx) => (await import('./run/figure-spectrum.ts')).run(ctx),
});
