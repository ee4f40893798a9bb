// Mistakes (paper §3.1 and appendix): common and uncommon mistakes per pair of models and target,
// plus the example grids the mistakes stage drew (copied through, captioned in the report).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { renderVegaLite, writeFigure } from '../figures/render.ts';
import { COLORS } from '../figures/theme.ts';

const Mistakes = z.object({
  domain: z.string(),
  pairs: z.array(z.object({ pair: z.string(), a: z.string(), b: z.string(), common: z.number(), onlyAWrong: z.number(), onlyBWrong: z.number(), overlap: z.number(), kappa: z.number(), examples: z.number() })),
  examples: z.record(z.string(), z.array(z.object({ index: z.number(), label: z.string(), pt: z.string(), rit: z.string() }))),
});
const KINDS = ['both wrong', 'only the first wrong', 'only the second wrong'];

export const figureMistakes = defineStage(import.meta.url, {
  name: 'figure-mistakes',
  params: z.strictObject({}),
  deps: { mistakes: 'many' },
  isolation: 'inline',
  async run(ctx) {
    const all = ctx.deps.mistakes.map((m) => ({ m: m.json('mistakes.json', Mistakes), entry: m }));
    const values = all.flatMap(({ m }) =>
      m.pairs.flatMap((p) => [
        { domain: m.domain, pair: p.pair, kind: KINDS[0], count: p.common, kappa: p.kappa },
        { domain: m.domain, pair: p.pair, kind: KINDS[1], count: p.onlyAWrong, kappa: p.kappa },
        { domain: m.domain, pair: p.pair, kind: KINDS[2], count: p.onlyBWrong, kappa: p.kappa },
      ]),
    );
    const fig = await renderVegaLite({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Mistakes: two P-T models make the same ones', subtitle: "test images misclassified by both models (common) or by only one (uncommon); label: Cohen's κ of right/wrong (agreement beyond chance)" },
      data: { values },
      facet: { column: { field: 'domain', type: 'nominal', title: null } },
      spec: {
        width: 200,
        height: 120,
        layer: [
          {
            mark: 'bar',
            encoding: {
              y: { field: 'pair', type: 'nominal', title: null, sort: ['P-T & P-T', 'P-T & RI-T', 'RI-T & RI-T'] },
              x: { field: 'count', type: 'quantitative', stack: 'zero', title: 'test images' },
              color: { field: 'kind', type: 'nominal', title: null, scale: { domain: KINDS, range: ['#555555', COLORS.sky, COLORS.other] } },
              order: { field: 'kind' },
              tooltip: [{ field: 'pair' }, { field: 'kind' }, { field: 'count' }],
            },
          },
          {
            transform: [{ aggregate: [{ op: 'sum', field: 'count', as: 'total' }, { op: 'max', field: 'kappa', as: 'kappa' }], groupby: ['pair'] }, { calculate: "'κ ' + format(datum.kappa, '.2f')", as: 'label' }],
            mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
            encoding: {
              y: { field: 'pair', type: 'nominal', sort: ['P-T & P-T', 'P-T & RI-T', 'RI-T & RI-T'] },
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
  },
});
