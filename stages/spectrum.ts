// spectrum (appendix): singular values of every weight matrix/kernel of P, P-T and RI-T
// (a conv kernel read as out × in·k·k).
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { singularValues } from '../ml/analysis/spectrum.ts';
import { finalModel } from './common/models.ts';

/** spectrum.json: per model (P, P-T, RI-T) and weight tensor, its singular values. */
export const SpectrumOutput = z.object({ domain: z.string(), models: z.record(z.string(), z.record(z.string(), z.array(z.number()))) });

export const spectrum = defineStage(import.meta.url, {
  name: 'spectrum',
  params: z.strictObject({}),
  deps: { source: 'one', pt: 'one', rit: 'one' },
  resources: { cpus: 1, memoryMB: 1024 },
  run(ctx) {
    const models = { P: finalModel(ctx.deps.source), 'P-T': finalModel(ctx.deps.pt), 'RI-T': finalModel(ctx.deps.rit) };
    const out: Record<string, Record<string, number[]>> = {};
    for (const [name, m] of Object.entries(models)) {
      out[name] = {};
      for (const [param, t] of m.weights) if (t.shape.length >= 2) out[name]![param] = singularValues(t.shape, t.data).map((v) => Math.round(v * 1e6) / 1e6);
    }
    ctx.writeJson('spectrum.json', { domain: models['P-T'].run.domain, models: out } satisfies z.infer<typeof SpectrumOutput>);
  },
});
