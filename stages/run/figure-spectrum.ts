// The run code of the figure-spectrum stage (defined in ../figure-spectrum.ts).
import { SpectrumOutput } from '../spectrum.ts';
import { renderVegaLite, writeFigure } from '../../figures/render.ts';
import { colorScale } from '../../figures/theme.ts';
import type { FigureSpectrumContext } from '../figure-spectrum.ts';

export async function run(ctx: FigureSpectrumContext): Promise<void> {
  for (const s of ctx.deps.spectrum.map((x) => x.json('spectrum.json', SpectrumOutput))) {
    const params = Object.keys(s.models['P-T'] ?? {});
    const values = Object.entries(s.models).flatMap(([model, byParam]) =>
      Object.entries(byParam).flatMap(([param, sv]) => sv.map((v, i) => ({ model, param, index: i + 1, value: v }))),
    );
    writeFigure(
      ctx.writeOutput,
      `fig-spectrum-${s.domain}`,
      await renderVegaLite({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: {
          text: `Spectrum of modules (${s.domain})`,
          subtitle: 'singular values of each weight matrix, largest first; P = the pre-trained model',
        },
        data: { values },
        facet: { field: 'param', type: 'nominal', title: null, sort: params },
        columns: 4,
        resolve: { scale: { x: 'independent', y: 'independent' } },
        spec: {
          width: 150,
          height: 100,
          mark: { type: 'line', point: { size: 10 } },
          encoding: {
            x: { field: 'index', type: 'quantitative', title: 'index' },
            y: { field: 'value', type: 'quantitative', title: 'singular value' },
            color: { field: 'model', type: 'nominal', scale: colorScale(['P', 'P-T', 'RI-T']), title: 'model' },
          },
        },
      }),
    );
  }
}
