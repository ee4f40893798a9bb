// The spectrum stage's run (its definition, params and output schema: stages/spectrum.ts).
import type { z } from 'zod';
import { singularValues } from '../../ml/analysis/spectrum.ts';
import { finalModel } from '../common/models.ts';
import type { SpectrumContext, SpectrumOutput } from '../spectrum.ts';

export function run(ctx: SpectrumContext): void {
  const models = { P: finalModel(ctx.deps.source), 'P-T': finalModel(ctx.deps.pt), 'RI-T': finalModel(ctx.deps.rit) };
  const out: Record<string, Record<string, number[]>> = {};
  for (const [name, m] of Object.entries(models)) {
    out[name] = {};
    for (const [param, t] of m.weights)
      if (t.shape.length >= 2) out[name]![param] = singularValues(t.shape, t.data).map((v) => Math.round(v * 1e6) / 1e6);
  }
  ctx.writeJson('spectrum.json', { domain: models['P-T'].run.domain, models: out } satisfies z.infer<typeof SpectrumOutput>);
}
