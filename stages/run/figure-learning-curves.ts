// The run code of the figure-learning-curves stage (defined in ../figure-learning-curves.ts).
import { renderVegaLite, writeFigure } from '../../figures/render.ts';
import { colorScale } from '../../figures/theme.ts';
import type { FigureLearningCurvesContext } from '../figure-learning-curves.ts';
import { LearningCurvesOutput } from '../learning-curves.ts';

export async function run(ctx: FigureLearningCurvesContext): Promise<void> {
  const { curves } = ctx.deps.curves.json('learning-curves.json', LearningCurvesOutput);
  const values = curves.flatMap((c) =>
    c.epochs.map((epoch, i) => {
      const { mean, std } = c.testAccuracy[i]!;
      return {
        domain: c.domain,
        init: c.init,
        lr: c.role === 'main' ? 'main lr' : "other init's lr",
        series: `${c.init}, lr ${c.lr}${c.role === 'main' ? ' (main)' : ''}${c.diverged.length ? ` (diverged at epoch ${c.diverged[0]!.epoch})` : ''}`,
        epoch,
        accuracy: 100 * mean,
        lo: 100 * (mean - std),
        hi: 100 * (mean + std),
        seeds: c.seeds.length,
      };
    }),
  );
  const fig = await renderVegaLite({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Learning curves: P-T converges faster than RI-T',
      subtitle: [
        'test accuracy per epoch; mean over seeds, band = ±1 s.d.; the main lr of each init vs the other one',
        'a run whose loss diverged ends at that epoch',
      ],
    },
    data: { values },
    facet: { column: { field: 'domain', type: 'nominal', title: null } },
    spec: {
      width: 220,
      height: 180,
      layer: [
        {
          mark: { type: 'area', opacity: 0.15 },
          encoding: {
            x: { field: 'epoch', type: 'quantitative' },
            y: { field: 'lo', type: 'quantitative' },
            y2: { field: 'hi' },
            color: { field: 'init', type: 'nominal', scale: colorScale(['P-T', 'RI-T']), title: 'init' },
            detail: { field: 'series' },
          },
        },
        {
          mark: { type: 'line', point: { size: 18 } },
          encoding: {
            x: { field: 'epoch', type: 'quantitative', title: 'fine-tuning epoch' },
            y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy (%)', scale: { zero: true } },
            color: { field: 'init', type: 'nominal', scale: colorScale(['P-T', 'RI-T']), title: 'init' },
            strokeDash: {
              field: 'lr',
              type: 'nominal',
              title: 'learning rate',
              sort: ['main lr', "other init's lr"],
              legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300 },
            },
            detail: { field: 'series' },
            tooltip: [{ field: 'series' }, { field: 'epoch' }, { field: 'accuracy', format: '.1f' }],
          },
        },
      ],
    },
  });
  writeFigure(ctx.writeOutput, 'fig2-learning-curves', fig);
}
