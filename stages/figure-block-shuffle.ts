// Figure 3: final test accuracy (left) and optimization speed (right) against block size, P-T
// and RI-T per target, with the relative accuracy drop 100·(A_P-T − A_RI-T)/A_P-T above each pair.
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { renderVegaLite, writeFigure } from '../figures/render.ts';
import { colorScale } from '../figures/theme.ts';

const Rows = z.object({
  rows: z.array(
    z.object({
      domain: z.string(),
      blockSize: z.union([z.number(), z.literal('*')]),
      side: z.number(),
      pt: z.object({ testAccuracy: z.number(), optimizationSpeed: z.number() }),
      rit: z.object({ testAccuracy: z.number(), optimizationSpeed: z.number() }),
      relativeDrop: z.number().nullable(),
    }),
  ),
});

export const figureBlockShuffle = defineStage(import.meta.url, {
  name: 'figure-block-shuffle',
  params: z.strictObject({}),
  deps: { blocks: 'one' },
  isolation: 'inline',
  async run(ctx) {
    const { rows } = ctx.deps.blocks.json('block-shuffle.json', Rows);
    const label = (r: (typeof rows)[number]) => (r.blockSize === '*' ? '*' : r.blockSize === r.side ? `${r.blockSize} (none)` : String(r.blockSize));
    const order = [...new Set(rows.sort((a, b) => (a.blockSize === '*' ? -1 : b.blockSize === '*' ? 1 : a.blockSize - b.blockSize)).map(label))];
    const bars = rows.flatMap((r) =>
      (['P-T', 'RI-T'] as const).flatMap((init) => {
        const m = init === 'P-T' ? r.pt : r.rit;
        return [
          { kind: 'bar', domain: r.domain, block: label(r), init, metric: 'final test accuracy (%)', value: 100 * m.testAccuracy },
          { kind: 'bar', domain: r.domain, block: label(r), init, metric: 'optimization speed: mean train accuracy (%)', value: 100 * m.optimizationSpeed },
        ];
      }),
    );
    const drops = rows.map((r) => ({
      kind: 'drop',
      domain: r.domain,
      block: label(r),
      metric: 'final test accuracy (%)',
      top: 100 * Math.max(r.pt.testAccuracy, r.rit.testAccuracy),
      text: r.relativeDrop === null ? '' : `${Math.round(r.relativeDrop)}%`,
    }));
    const fig = await renderVegaLite({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Block shuffling: feature reuse needs spatial structure', subtitle: 'numbers on top: relative accuracy drop 100·(P-T − RI-T)/P-T; "*" shuffles pixels across positions and channels' },
      data: { values: [...bars, ...drops] },
      facet: { row: { field: 'domain', type: 'nominal', title: null }, column: { field: 'metric', type: 'nominal', title: null } },
      spec: {
        width: 260,
        height: 140,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'bar'" }],
            mark: { type: 'bar' },
            encoding: {
              x: { field: 'block', type: 'ordinal', sort: order, title: 'block size', axis: { labelAngle: 0 } },
              xOffset: { field: 'init' },
              y: { field: 'value', type: 'quantitative', title: null, scale: { domain: [0, 100] } },
              color: { field: 'init', type: 'nominal', scale: colorScale(['P-T', 'RI-T']), title: 'init' },
              tooltip: [{ field: 'init' }, { field: 'block' }, { field: 'value', format: '.1f' }],
            },
          },
          {
            transform: [{ filter: "datum.kind === 'drop'" }],
            mark: { type: 'text', dy: -6, fontSize: 10 },
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
  },
});
