// Figure 5: test accuracy after rewinding one module to its value at the start of fine-tuning,
// per module, P-T vs RI-T. Figure 6: criticality heat-maps — train accuracy over (distance of the
// module from its initial value × noise σ), direct and optimization paths, P-T vs RI-T.
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { renderVegaLite, writeFigure } from '../figures/render.ts';
import { colorScale } from '../figures/theme.ts';

const Criticality = z.object({
  domain: z.string(),
  runs: z.record(
    z.string(),
    z.object({
      rewinding: z.array(z.object({ module: z.string(), accuracy: z.number(), loss: z.number() })),
      heatmaps: z.array(z.object({ module: z.string(), path: z.string(), x: z.array(z.number()), position: z.array(z.number()), sigmas: z.array(z.number()), accuracy: z.array(z.array(z.number())) })),
      criticality: z.record(z.string(), z.number().nullable()),
    }),
  ),
});

export const figureCriticality = defineStage(import.meta.url, {
  name: 'figure-criticality',
  params: z.strictObject({}),
  deps: { criticality: 'many' },
  isolation: 'inline',
  async run(ctx) {
    const all = ctx.deps.criticality.map((c) => c.json('criticality.json', Criticality));
    const modules = all[0] ? all[0].runs['P-T']!.rewinding.map((r) => r.module) : [];
    const rewind = all.flatMap((c) => Object.entries(c.runs).flatMap(([init, r]) => r.rewinding.map((x) => ({ domain: c.domain, init, module: x.module, accuracy: 100 * x.accuracy }))));
    writeFigure(
      ctx.writeOutput,
      'fig5-rewinding',
      await renderVegaLite({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: { text: 'Rewinding one module to its value at the start of fine-tuning', subtitle: 'test accuracy with every other module final; P-T loses little, RI-T loses much in the lower layers' },
        data: { values: rewind },
        facet: { column: { field: 'domain', type: 'nominal', title: null } },
        spec: {
          width: 240,
          height: 170,
          mark: { type: 'line', point: { size: 36 } },
          encoding: {
            x: { field: 'module', type: 'ordinal', sort: modules, title: 'module rewound', axis: { labelAngle: -45 } },
            y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy (%)', scale: { zero: true } },
            color: { field: 'init', type: 'nominal', scale: colorScale(['P-T', 'RI-T']), title: 'init' },
            tooltip: [{ field: 'init' }, { field: 'module' }, { field: 'accuracy', format: '.1f' }],
          },
        },
      }),
    );
    for (const c of all) {
      const heat = Object.entries(c.runs).flatMap(([init, r]) =>
        r.heatmaps.flatMap((h) =>
          h.sigmas.flatMap((sigma, s) =>
            h.x.map((x, i) => ({
              module: h.module,
              panel: `${init}, ${h.path} path`,
              distance: x.toFixed(x < 1 ? 3 : 2),
              order: i,
              sigma: String(sigma),
              accuracy: 100 * h.accuracy[s]![i]!,
            })),
          ),
        ),
      );
      for (const module of [...new Set(heat.map((h) => h.module))]) {
        writeFigure(
          ctx.writeOutput,
          `fig6-criticality-${c.domain}-${module}`,
          await renderVegaLite({
            $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
            title: {
              text: `Criticality of ${module} on ${c.domain}`,
              subtitle: `train accuracy with ${module} moved along its path from the initial value and perturbed by N(0, σ²); other modules final. Criticality μ: P-T ${fmt(c.runs['P-T']?.criticality[module])}, RI-T ${fmt(c.runs['RI-T']?.criticality[module])}`,
            },
            data: { values: heat.filter((h) => h.module === module) },
            facet: { field: 'panel', type: 'nominal', title: null, sort: ['P-T, direct path', 'RI-T, direct path', 'P-T, optimization path', 'RI-T, optimization path'] },
            columns: 2,
            resolve: { scale: { x: 'independent' } },
            config: { axis: { grid: false } },
            spec: {
              width: 230,
              height: 150,
              mark: 'rect',
              encoding: {
                x: { field: 'distance', type: 'ordinal', sort: { field: 'order' }, title: 'distance from initial value ‖θ − θ⁰‖', axis: { labelAngle: -45 } },
                y: { field: 'sigma', type: 'ordinal', sort: 'descending', title: 'noise σ' },
                color: { field: 'accuracy', type: 'quantitative', title: 'train accuracy (%)', scale: { scheme: 'viridis', domain: [0, 100] } },
                tooltip: [{ field: 'panel' }, { field: 'distance' }, { field: 'sigma' }, { field: 'accuracy', format: '.1f' }],
              },
            },
          }),
        );
      }
    }
  },
});

function fmt(v: number | null | undefined): string {
  return v === null || v === undefined ? 'infeasible' : v.toPrecision(3);
}
