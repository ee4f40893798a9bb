// Figure 7: fine-tuning from pre-training checkpoint k — final target test accuracy and
// optimization speed against k — over the source's own test accuracy at each epoch (shaded).
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { renderVegaLite, writeFigure } from '../figures/render.ts';
import { COLORS } from '../figures/theme.ts';

const Transfer = z.object({
  source: z.object({ domain: z.string(), epochs: z.array(z.object({ epoch: z.number(), testAccuracy: z.number() })) }),
  targets: z.array(z.object({ domain: z.string(), points: z.array(z.object({ sourceEpoch: z.number(), testAccuracy: z.number(), optimizationSpeed: z.number() })) })),
});

export const figureCheckpoints = defineStage(import.meta.url, {
  name: 'figure-checkpoints',
  params: z.strictObject({}),
  deps: { checkpoints: 'one' },
  isolation: 'inline',
  async run(ctx) {
    const t = ctx.deps.checkpoints.json('checkpoint-transfer.json', Transfer);
    const metrics = ['final test accuracy (%)', 'optimization speed (%)'];
    const values = [
      ...t.targets.flatMap((tg) =>
        tg.points.flatMap((p) => [
          { kind: 'target', domain: tg.domain, metric: metrics[0], epoch: p.sourceEpoch, value: 100 * p.testAccuracy },
          { kind: 'target', domain: tg.domain, metric: metrics[1], epoch: p.sourceEpoch, value: 100 * p.optimizationSpeed },
        ]),
      ),
      ...t.targets.flatMap((tg) => metrics.flatMap((metric) => t.source.epochs.map((e) => ({ kind: 'source', domain: tg.domain, metric, epoch: e.epoch, value: 100 * e.testAccuracy })))),
    ];
    const fig = await renderVegaLite({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: 'Transfer from pre-training checkpoints: gains come early, then plateau',
        subtitle: `x = pre-training epoch k fine-tuned from (P-T recipe); shaded: the source (${t.source.domain}) model's own test accuracy at epoch k`,
      },
      data: { values },
      facet: { row: { field: 'metric', type: 'nominal', title: null, sort: metrics }, column: { field: 'domain', type: 'nominal', title: null } },
      spec: {
        width: 200,
        height: 150,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'source'" }],
            mark: { type: 'area', color: COLORS.extra, opacity: 0.18, interpolate: 'step-after' },
            encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' } },
          },
          {
            transform: [{ filter: "datum.kind === 'target'" }],
            mark: { type: 'line', color: COLORS['P-T'], point: { size: 30, color: COLORS['P-T'] } },
            encoding: {
              x: { field: 'epoch', type: 'quantitative', title: 'pre-training checkpoint (epoch)' },
              y: { field: 'value', type: 'quantitative', title: null, scale: { domain: [0, 100] } },
              tooltip: [{ field: 'epoch' }, { field: 'value', format: '.1f' }],
            },
          },
        ],
      },
    });
    writeFigure(ctx.writeOutput, 'fig7-checkpoints', fig);
  },
});
