// The run code of the figure-checkpoints stage (defined in ../figure-checkpoints.ts).
import { renderVegaLite, writeFigure } from '../../figures/render.ts';
import { COLORS } from '../../figures/theme.ts';
import { CheckpointTransferOutput } from '../checkpoint-transfer.ts';
import type { FigureCheckpointsContext } from '../figure-checkpoints.ts';

export async function run(ctx: FigureCheckpointsContext): Promise<void> {
  const t = ctx.deps.checkpoints.json('checkpoint-transfer.json', CheckpointTransferOutput);
  const metrics = ['final test accuracy (%)', 'optimization speed (%)'];
  const values = [
    ...t.targets.flatMap((tg) =>
      tg.points.flatMap((p) => {
        const at = { domain: tg.domain, epoch: p.sourceEpoch, n: p.seeds.length };
        const point = (metric: string, mean: number, sd: number, each: number[]) => [
          { kind: 'target', ...at, metric, value: 100 * mean, low: 100 * (mean - sd), high: 100 * (mean + sd) },
          ...each.map((v) => ({ kind: 'replicate', ...at, metric, value: 100 * v })),
        ];
        return [
          ...point(metrics[0]!, p.testAccuracy, p.testAccuracySd, p.testAccuracies),
          ...point(metrics[1]!, p.optimizationSpeed, p.optimizationSpeedSd, p.optimizationSpeeds),
        ];
      }),
    ),
    ...t.targets.flatMap((tg) =>
      metrics.flatMap((metric) =>
        t.source.epochs.map((e) => ({ kind: 'source', domain: tg.domain, metric, epoch: e.epoch, value: 100 * e.testAccuracy })),
      ),
    ),
  ];
  const fig = await renderVegaLite({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Transfer from pre-training checkpoints: gains come early, then plateau',
      subtitle: `x = pre-training epoch k fine-tuned from (P-T recipe); line: mean over replicates, whiskers ±1 s.d., dots: replicates; shaded: the source (${t.source.domain}) model's own test accuracy at epoch k`,
    },
    data: { values },
    facet: {
      row: { field: 'metric', type: 'nominal', title: null, sort: metrics },
      column: { field: 'domain', type: 'nominal', title: null },
    },
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
            tooltip: [{ field: 'epoch' }, { field: 'value', format: '.1f', title: 'mean' }, { field: 'n', title: 'replicates' }],
          },
        },
        {
          transform: [{ filter: "datum.kind === 'target'" }],
          mark: { type: 'rule', color: COLORS['P-T'] },
          encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
        },
        {
          transform: [{ filter: "datum.kind === 'replicate'" }],
          mark: { type: 'point', filled: true, size: 12, color: '#222', opacity: 0.6 },
          encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' } },
        },
      ],
    },
  });
  writeFigure(ctx.writeOutput, 'fig7-checkpoints', fig);
}
