// The run code of the figure-barrier stage (defined in ../figure-barrier.ts).
import { renderVegaLite, writeFigure } from '../../figures/render.ts';
import { colorScale } from '../../figures/theme.ts';
import { BarrierOutput } from '../barrier.ts';
import { PAIR } from '../common/pairs.ts';
import type { FigureBarrierContext } from '../figure-barrier.ts';

const PAIRS: string[] = [PAIR.ptPt, PAIR.ritRit, PAIR.ritPt, PAIR.ritRitSameInit];

/** One row per (target, pair, replicate, λ, metric); the control left out. */
export function barrierRows(all: readonly BarrierOutput[]) {
  return all.flatMap((b) =>
    b.pairs
      .filter((p) => p.pair !== PAIR.identical)
      .flatMap((p) =>
        p.path.flatMap((pt) => [
          {
            domain: b.domain,
            pair: p.pair,
            replicate: p.replicate,
            first: p.replicate === 0,
            lambda: pt.lambda,
            metric: 'test accuracy (%)',
            value: 100 * pt.accuracy,
          },
          {
            domain: b.domain,
            pair: p.pair,
            replicate: p.replicate,
            first: p.replicate === 0,
            lambda: pt.lambda,
            metric: 'test loss',
            value: pt.loss,
          },
        ]),
      ),
  );
}

export async function run(ctx: FigureBarrierContext): Promise<void> {
  const all = ctx.deps.barrier.map((b) => b.json('barrier.json', BarrierOutput));
  const encoding = {
    x: { field: 'lambda', type: 'quantitative' as const, title: 'interpolation coefficient λ' },
    y: { field: 'value', type: 'quantitative' as const, title: null },
    color: { field: 'pair', type: 'nominal' as const, scale: colorScale(PAIRS), title: 'pair' },
    detail: { field: 'replicate', type: 'nominal' as const },
    strokeDash: { condition: { test: `datum.pair === '${PAIR.ritRitSameInit}'`, value: [4, 3] }, value: [1, 0] },
    tooltip: [{ field: 'pair' }, { field: 'replicate' }, { field: 'lambda', format: '.2f' }, { field: 'value', format: '.3f' }],
  };
  const fig = await renderVegaLite({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Performance barrier: P-T solutions share one basin',
      subtitle: [
        'θ(λ) = (1−λ)·θ₁ + λ·θ₂, every tensor interpolated; evaluated on the target test set',
        'solid: the first replicate pair of each type; faint: the other replicate pairs; dashed: two RI-T runs from the same init; not drawn: the control (P-T with itself, flat by definition)',
      ],
    },
    data: { values: barrierRows(all) },
    facet: { row: { field: 'metric', type: 'nominal', title: null }, column: { field: 'domain', type: 'nominal', title: null } },
    spec: {
      width: 200,
      height: 150,
      layer: [
        { transform: [{ filter: '!datum.first' }], mark: { type: 'line', opacity: 0.3, strokeWidth: 1.2 }, encoding },
        { transform: [{ filter: 'datum.first' }], mark: { type: 'line', point: { size: 14 } }, encoding },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  });
  writeFigure(ctx.writeOutput, 'fig4-barrier', fig);
}
