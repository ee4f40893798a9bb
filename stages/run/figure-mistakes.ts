// The run code of the figure-mistakes stage (defined in ../figure-mistakes.ts).
import { readFileSync } from 'node:fs';
import { renderVegaLite, writeFigure } from '../../figures/render.ts';
import { COLORS } from '../../figures/theme.ts';
import { percentileInterval } from '../common/bootstrap.ts';
import { PAIR } from '../common/pairs.ts';
import type { FigureMistakesContext } from '../figure-mistakes.ts';
import { MistakesOutput } from '../mistakes.ts';

const KINDS = ['both wrong', 'only the first wrong', 'only the second wrong'];
const ORDER: string[] = [PAIR.ptPt, PAIR.ptRit, PAIR.ritRit];

/** Bars of the first replicate pair of each type (control left out), labelled with κ over all replicate pairs. */
export function mistakeRows(all: readonly MistakesOutput[]) {
  return all.flatMap((m) =>
    m.pairs
      .filter((p) => p.replicate === 0 && ORDER.includes(p.pair))
      .flatMap((p) => {
        const s = m.summary[p.pair]!;
        const [lo, hi] = percentileInterval(s.kappa.draws);
        const label = `κ ${s.kappa.estimate.toFixed(2)} [${lo.toFixed(2)}, ${hi.toFixed(2)}]`;
        return [
          { domain: m.domain, pair: p.pair, kind: KINDS[0], count: p.common, label },
          { domain: m.domain, pair: p.pair, kind: KINDS[1], count: p.onlyAWrong, label },
          { domain: m.domain, pair: p.pair, kind: KINDS[2], count: p.onlyBWrong, label },
        ];
      }),
  );
}

export async function run(ctx: FigureMistakesContext): Promise<void> {
  const all = ctx.deps.mistakes.map((m) => ({ m: m.json('mistakes.json', MistakesOutput), entry: m }));
  const values = mistakeRows(all.map(({ m }) => m));
  const fig = await renderVegaLite({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Mistakes: two P-T models make the same ones',
      subtitle: [
        'test images misclassified by both models (common) or by only one (uncommon), for the first replicate pair of each type',
        "label: Cohen's κ of right/wrong (agreement beyond chance), mean over the type's replicate pairs [95% bootstrap interval over pairs and images]",
      ],
    },
    data: { values },
    facet: { column: { field: 'domain', type: 'nominal', title: null } },
    spec: {
      width: 200,
      height: 120,
      layer: [
        {
          mark: 'bar',
          encoding: {
            y: { field: 'pair', type: 'nominal', title: null, sort: ORDER },
            x: { field: 'count', type: 'quantitative', stack: 'zero', title: 'test images' },
            color: { field: 'kind', type: 'nominal', title: null, scale: { domain: KINDS, range: ['#555555', COLORS.sky, COLORS.other] } },
            order: { field: 'kind' },
            tooltip: [{ field: 'pair' }, { field: 'kind' }, { field: 'count' }],
          },
        },
        {
          transform: [{ aggregate: [{ op: 'sum', field: 'count', as: 'total' }], groupby: ['pair', 'label'] }],
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
          encoding: {
            y: { field: 'pair', type: 'nominal', sort: ORDER },
            x: { field: 'total', type: 'quantitative' },
            text: { field: 'label' },
          },
        },
      ],
    },
  });
  writeFigure(ctx.writeOutput, 'fig-mistakes', fig);
  const captions: Record<string, unknown> = {};
  for (const { m, entry } of all) {
    for (const name of ['pt-right-rit-wrong', 'pt-wrong-rit-right', 'both-wrong']) {
      if (!entry.files.includes(`${name}.png`)) continue;
      ctx.writeOutput(`mistakes-${m.domain}-${name}.png`, readFileSync(entry.file(`${name}.png`)));
      captions[`mistakes-${m.domain}-${name}.png`] = m.examples[name] ?? [];
    }
  }
  ctx.writeJson('mistake-grids.json', captions);
}
