// Tables 1 (CKA per layer and pair) and 2 (ℓ2 distances), as HTML and CSV, with the paper's values
// beside ours. The paper reports CKA on CheXpert only (our xray analogue) for ResNet-50's conv1 and
// four stages; our model's stem and stages are matched by position.
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';

const PAPER_CKA: Record<string, number[]> = {
  'P-T & P': [0.6225, 0.4592, 0.2896, 0.1877, 0.0453],
  'P-T & P-T': [0.671, 0.823, 0.6052, 0.4089, 0.1628],
  'P-T & RI-T': [0.0036, 0.0011, 0.0022, 0.0003, 0.0808],
  'RI-T & RI-T': [0.0016, 0.0088, 0.0004, 0.0004, 0.0424],
};
const PAPER_CKA_LAYERS = ['conv1', 'layer1', 'layer2', 'layer3', 'layer4'];
const PAPER_L2: Record<string, Record<string, number>> = {
  xray: { '2 P-T': 200.12, '2 RI-T': 255.34, 'P-T & P': 237.31, 'RI-T & P': 598.19 },
  chexpert: { '2 P-T': 200.12, '2 RI-T': 255.34, 'P-T & P': 237.31, 'RI-T & P': 598.19 },
  clipart: { '2 P-T': 178.07, '2 RI-T': 822.43, 'P-T & P': 157.19, 'RI-T & P': 811.87 },
  quickdraw: { '2 P-T': 218.52, '2 RI-T': 776.76, 'P-T & P': 195.44, 'RI-T & P': 785.22 },
  real: { '2 P-T': 193.45, '2 RI-T': 815.08, 'P-T & P': 164.83, 'RI-T & P': 796.8 },
};
const L2_PAIRS = ['2 P-T', '2 RI-T', 'P-T & P', 'RI-T & P'];

const Cka = z.object({
  domain: z.string(),
  layers: z.array(z.string()),
  examples: z.number(),
  /** which estimator `values` holds */
  unbiased: z.boolean(),
  pairs: z.array(z.object({ pair: z.string(), values: z.array(z.number()), biased: z.array(z.number()), debiased: z.array(z.number()) })),
});
type CkaTable = z.infer<typeof Cka>;
/** two independently initialised, untrained networks: the estimator's floor; the paper has no such row */
const CKA_CONTROL = 'untrained & untrained (control)';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const Distance = z.object({ domain: z.string(), pairs: z.array(z.object({ pair: z.string(), total: z.number() })) });

export const tables = defineStage(import.meta.url, {
  name: 'tables',
  params: z.strictObject({}),
  deps: { cka: 'many', distance: 'many' },
  isolation: 'inline',
  run(ctx) {
    const { csv, html } = table1(ctx.deps.cka.map((c) => c.json('cka.json', Cka)));
    ctx.writeOutput('table1-cka.csv', csv);
    ctx.writeOutput('table1-cka.html', html);

    const dists = ctx.deps.distance.map((d) => d.json('distance.json', Distance));
    const csv2 = ['domain,pair,ours,paper'];
    const rows = dists.map((d) => {
      const paper = PAPER_L2[d.domain] ?? {};
      const cells = L2_PAIRS.map((pair) => {
        const ours = d.pairs.find((p) => p.pair === pair)?.total;
        csv2.push([d.domain, pair, ours?.toFixed(4) ?? '', paper[pair]?.toFixed(2) ?? ''].join(','));
        return `<td>${ours?.toFixed(3) ?? '—'} <small>(${paper[pair]?.toFixed(2) ?? '—'})</small></td>`;
      });
      return `<tr><th>${esc(d.domain)}</th>${cells.join('')}</tr>`;
    });
    ctx.writeOutput('table2-distance.csv', `${csv2.join('\n')}\n`);
    ctx.writeOutput(
      'table2-distance.html',
      `<table class="data"><caption>ℓ2 distance between parameter vectors (head excluded); in brackets: the paper's value (ResNet-50, 25M parameters, so only the ordering compares)</caption><thead><tr><th>domain</th>${L2_PAIRS.map((p) => `<th>${esc(p)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`,
    );
  },
});

/** Table 1: `ours` is the estimator the stage selected; the CSV also has both estimators. */
function table1(ckas: CkaTable[]): { csv: string; html: string } {
  const csv = ['domain,pair,layer,estimator,ours,biased,debiased,paper_chexpert'];
  const html: string[] = [];
  for (const c of ckas) {
    const estimator = c.unbiased ? 'debiased' : 'biased';
    const head = c.layers.map((l, i) => `<th>${esc(l)}<br><small>paper: ${PAPER_CKA_LAYERS[i] ?? '—'}</small></th>`).join('');
    const body = c.pairs
      .map((p) => {
        const paper = PAPER_CKA[p.pair] ?? [];
        p.values.forEach((v, i) =>
          csv.push([c.domain, p.pair, c.layers[i], estimator, v.toFixed(4), p.biased[i]!.toFixed(4), p.debiased[i]!.toFixed(4), paper[i]?.toFixed(4) ?? ''].join(',')),
        );
        const control = p.pair === CKA_CONTROL;
        const label = control ? `${esc(p.pair)}<br><small>not in the paper: the estimator's floor</small>` : esc(p.pair);
        const cells = p.values.map((v, i) => `<td>${v.toFixed(3)} <small>(${paper[i]?.toFixed(3) ?? '—'})</small></td>`).join('');
        return `<tr${control ? ' class="control"' : ''}><th>${label}</th>${cells}</tr>`;
      })
      .join('');
    const caption =
      `${esc(c.domain)} (${c.examples} test images), ${estimator} linear CKA${c.unbiased ? ' (unbiased HSIC, Song et al. 2012)' : ''}; ` +
      `in brackets: the paper's CheXpert value at the same depth. The control row compares two independently initialised, untrained networks: ` +
      `what the estimator gives for unrelated features (the CSV has both estimators)`;
    html.push(`<table class="data"><caption>${caption}</caption><thead><tr><th>pair</th>${head}</tr></thead><tbody>${body}</tbody></table>`);
  }
  return { csv: `${csv.join('\n')}\n`, html: html.join('\n') };
}
