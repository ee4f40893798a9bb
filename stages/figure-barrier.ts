// Figure 4 (and appendix Fig. 16): test accuracy and loss along the straight line between two
// final models, per pair type and target.
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { renderVegaLite, writeFigure } from '../figures/render.ts';
import { colorScale } from '../figures/theme.ts';

const Barrier = z.object({
  domain: z.string(),
  pairs: z.array(z.object({ pair: z.string(), accuracyBarrier: z.number(), path: z.array(z.object({ lambda: z.number(), accuracy: z.number(), loss: z.number() })) })),
});
const PAIRS = ['P-T & P-T', 'RI-T & RI-T', 'RI-T & P-T', 'RI-T & RI-T (same init)'];

export const figureBarrier = defineStage(import.meta.url, {
  name: 'figure-barrier',
  params: z.strictObject({}),
  deps: { barrier: 'many' },
  isolation: 'inline',
  async run(ctx) {
    const all = ctx.deps.barrier.map((b) => b.json('barrier.json', Barrier));
    const values = all.flatMap((b) =>
      b.pairs.flatMap((p) =>
        p.path.flatMap((pt) => [
          { domain: b.domain, pair: p.pair, lambda: pt.lambda, metric: 'test accuracy (%)', value: 100 * pt.accuracy },
          { domain: b.domain, pair: p.pair, lambda: pt.lambda, metric: 'test loss', value: pt.loss },
        ]),
      ),
    );
    const fig = await renderVegaLite({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Performance barrier: P-T solutions share one basin', subtitle: 'θ(λ) = (1−λ)·θ₁ + λ·θ₂, every tensor interpolated; evaluated on the target test set' },
      data: { values },
      facet: { row: { field: 'metric', type: 'nominal', title: null }, column: { field: 'domain', type: 'nominal', title: null } },
      spec: {
        width: 200,
        height: 150,
        mark: { type: 'line', point: { size: 14 } },
        encoding: {
          x: { field: 'lambda', type: 'quantitative', title: 'interpolation coefficient λ' },
          y: { field: 'value', type: 'quantitative', title: null },
          color: { field: 'pair', type: 'nominal', scale: colorScale(PAIRS), title: 'pair' },
          strokeDash: { condition: { test: "datum.pair === 'RI-T & RI-T (same init)'", value: [4, 3] }, value: [1, 0] },
          tooltip: [{ field: 'pair' }, { field: 'lambda', format: '.2f' }, { field: 'value', format: '.3f' }],
        },
      },
      resolve: { scale: { y: 'independent' } },
    });
    writeFigure(ctx.writeOutput, 'fig4-barrier', fig);
  },
});
