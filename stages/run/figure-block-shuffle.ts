// The run code of the figure-block-shuffle stage (defined in ../figure-block-shuffle.ts).
import { renderVegaLite, writeFigure } from '../../figures/render.ts';
import { colorScale } from '../../figures/theme.ts';
import { BlockShuffleOutput } from '../block-shuffle.ts';
import { dropLabel, type FigureBlockShuffleContext } from '../figure-block-shuffle.ts';

export async function run(ctx: FigureBlockShuffleContext): Promise<void> {
  const { rows } = ctx.deps.blocks.json('block-shuffle.json', BlockShuffleOutput);
  const redrawn = (r: (typeof rows)[number]) => (r.draws.some((d) => d > 0) ? ` (draw ${r.draws.join('/')})` : '');
  const label = (r: (typeof rows)[number]) =>
    r.blockSize === '*' ? `*${redrawn(r)}` : r.blockSize === r.side ? `${r.blockSize} (none)` : `${r.blockSize}${redrawn(r)}`;
  const order = [
    ...new Set(rows.sort((a, b) => (a.blockSize === '*' ? -1 : b.blockSize === '*' ? 1 : a.blockSize - b.blockSize)).map(label)),
  ];
  const bars = rows.flatMap((r) =>
    (['P-T', 'RI-T'] as const).flatMap((init) => {
      const m = init === 'P-T' ? r.pt : r.rit;
      const at = { domain: r.domain, block: label(r), init };
      const metric = (name: string, mean: number, sd: number, each: number[]) => [
        { kind: 'bar', ...at, metric: name, value: 100 * mean, low: 100 * (mean - sd), high: 100 * (mean + sd), n: each.length },
        ...each.map((v) => ({ kind: 'replicate', ...at, metric: name, value: 100 * v })),
      ];
      return [
        ...metric('final test accuracy (%)', m.testAccuracy, m.testAccuracySd, m.testAccuracies),
        ...metric('optimization speed: mean train accuracy (%)', m.optimizationSpeed, m.optimizationSpeedSd, m.optimizationSpeeds),
      ];
    }),
  );
  const drops = rows.map((r) => ({
    kind: 'drop',
    domain: r.domain,
    block: label(r),
    metric: 'final test accuracy (%)',
    // above the whiskers and the replicate dots of both arms
    top: 100 * Math.max(...[r.pt, r.rit].flatMap((m) => [m.testAccuracy + m.testAccuracySd, ...m.testAccuracies])),
    // the interval on a second line, so neighbouring labels do not overlap
    text: dropLabel(r).replace(' [', '\n['),
  }));
  const fig = await renderVegaLite({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Block shuffling: feature reuse needs spatial structure',
      subtitle: [
        'bars: mean over replicates (each its own permutation), whiskers ±1 s.d., dots: the replicates; numbers on top: relative accuracy drop 100·(P-T − RI-T)/P-T [95% bootstrap interval]',
        '"*" shuffles pixels across positions and channels; "(draw k)": a weak permutation replaced by the next one of the same seed',
      ],
    },
    data: { values: [...bars, ...drops] },
    facet: { row: { field: 'domain', type: 'nominal', title: null }, column: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 300,
      height: 140,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'bar'" }],
          mark: { type: 'bar' },
          encoding: {
            x: { field: 'block', type: 'ordinal', sort: order, title: 'block size', axis: { labelAngle: -35 } },
            xOffset: { field: 'init' },
            y: { field: 'value', type: 'quantitative', title: null, scale: { domain: [0, 100] } },
            color: { field: 'init', type: 'nominal', scale: colorScale(['P-T', 'RI-T']), title: 'init' },
            tooltip: [
              { field: 'init' },
              { field: 'block' },
              { field: 'value', format: '.1f', title: 'mean' },
              { field: 'n', title: 'replicates' },
            ],
          },
        },
        {
          transform: [{ filter: "datum.kind === 'bar'" }],
          mark: { type: 'rule', color: '#333' },
          encoding: {
            x: { field: 'block', type: 'ordinal', sort: order },
            xOffset: { field: 'init' },
            y: { field: 'low', type: 'quantitative' },
            y2: { field: 'high' },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'replicate'" }],
          mark: { type: 'point', filled: true, size: 14, color: '#222', opacity: 0.7 },
          encoding: {
            x: { field: 'block', type: 'ordinal', sort: order },
            xOffset: { field: 'init' },
            y: { field: 'value', type: 'quantitative' },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'drop'" }],
          mark: { type: 'text', dy: -4, fontSize: 9, baseline: 'bottom', lineBreak: '\n' },
          encoding: {
            x: { field: 'block', type: 'ordinal', sort: order },
            y: { field: 'top', type: 'quantitative' },
            text: { field: 'text' },
          },
        },
      ],
    },
    resolve: { scale: { y: 'shared' } },
  });
  writeFigure(ctx.writeOutput, 'fig3-block-shuffle', fig);
}
