// The run code of the tables stage (defined in ../tables.ts).
import { CkaOutput } from '../cka.ts';
import { percentileInterval, type StatisticDraws } from '../common/bootstrap.ts';
import { csvLine } from '../common/csv.ts';
import { PAIR } from '../common/pairs.ts';
import { type Grid, gridHtml, gridLatex } from '../common/table-grid.ts';
import { DistanceOutput } from '../distance.ts';
import type { TablesContext } from '../tables.ts';

const PAPER_CKA: Record<string, number[]> = {
  [PAIR.ptP]: [0.6225, 0.4592, 0.2896, 0.1877, 0.0453],
  [PAIR.ptPt]: [0.671, 0.823, 0.6052, 0.4089, 0.1628],
  [PAIR.ptRit]: [0.0036, 0.0011, 0.0022, 0.0003, 0.0808],
  [PAIR.ritRit]: [0.0016, 0.0088, 0.0004, 0.0004, 0.0424],
};
const PAPER_CKA_LAYERS = ['conv1', 'layer1', 'layer2', 'layer3', 'layer4'];
/** the controls (the paper has none), in the order they are shown, with what each one is */
const CKA_CONTROLS: Record<string, string> = {
  [PAIR.identical]: 'a model with itself: 1 by definition',
  [PAIR.unrelated]: "features of permuted examples: the estimator's floor (≈ 0)",
  [PAIR.untrained]: 'two untrained networks: a random-network baseline, not the floor',
};

const paperL2 = (ptPt: number, ritRit: number, ptP: number, ritP: number) => ({
  [PAIR.ptPt]: ptPt,
  [PAIR.ritRit]: ritRit,
  [PAIR.ptP]: ptP,
  [PAIR.ritP]: ritP,
});
const PAPER_L2: Record<string, Record<string, number>> = {
  xray: paperL2(200.12, 255.34, 237.31, 598.19),
  chexpert: paperL2(200.12, 255.34, 237.31, 598.19),
  clipart: paperL2(178.07, 822.43, 157.19, 811.87),
  quickdraw: paperL2(218.52, 776.76, 195.44, 785.22),
  real: paperL2(193.45, 815.08, 164.83, 796.8),
};
const L2_PAIRS = [PAIR.ptPt, PAIR.ritRit, PAIR.ptP, PAIR.ritP];
const RATIO = `${PAIR.ptPt} / ${PAIR.ritRit}`;

/** the estimate and its 95% interval, e.g. "0.412 [0.380, 0.445]" */
function withInterval(s: StatisticDraws, digits: number): { text: string; low: string; high: string } {
  const [lo, hi] = s.draws.length ? percentileInterval(s.draws) : [NaN, NaN];
  const low = Number.isNaN(lo) ? '' : lo.toFixed(digits);
  const high = Number.isNaN(hi) ? '' : hi.toFixed(digits);
  return { text: `${s.estimate.toFixed(digits)}${low ? ` [${low}, ${high}]` : ''}`, low, high };
}

export function run(ctx: TablesContext): void {
  const tables = {
    'table1-cka': table1(ctx.deps.cka.map((c) => c.json('cka.json', CkaOutput))),
    'table2-distance': table2(ctx.deps.distance.map((d) => d.json('distance.json', DistanceOutput))),
  };
  for (const [name, t] of Object.entries(tables)) {
    ctx.writeOutput(`${name}.csv`, t.csv);
    ctx.writeOutput(`${name}.html`, t.grids.map(gridHtml).join('\n'));
    ctx.writeOutput(`${name}.tex`, t.grids.map(gridLatex).join('\n'));
  }
}

/** Pair types in the order of the file's pairs, the controls last. */
function ckaPairTypes(c: CkaOutput): string[] {
  const types = [...new Set([...c.pairs.map((p) => p.pair), ...Object.keys(c.summary)])].filter((p) => c.summary[p]);
  return [...types.filter((p) => !(p in CKA_CONTROLS)), ...Object.keys(CKA_CONTROLS).filter((p) => types.includes(p))];
}

/** Table 1: `ours` is the estimator the stage selected; the CSV also has both estimators' means over replicate pairs. */
function table1(ckas: CkaOutput[]): { csv: string; grids: Grid[] } {
  const csv = ['domain,pair,replicate_pairs,layer,estimator,ours,ci_low,ci_high,biased,debiased,paper_chexpert'];
  const grids: Grid[] = [];
  for (const c of ckas) {
    const columns = c.layers.map((label, i) => ({ label, note: `paper: ${PAPER_CKA_LAYERS[i] ?? '—'}` }));
    const rows = ckaPairTypes(c).map((pair) => {
      const { pairs, values } = c.summary[pair]!;
      const group = c.pairs.filter((p) => p.pair === pair);
      const meanOf = (key: 'biased' | 'debiased', i: number) =>
        group.length ? (group.reduce((s, p) => s + p[key][i]!, 0) / group.length).toFixed(4) : '';
      const paper = PAPER_CKA[pair] ?? [];
      const cells = values.map((v, i) => {
        const [ours, precise] = [withInterval(v, 3), withInterval(v, 4)];
        csv.push(
          csvLine([
            c.domain,
            pair,
            pairs,
            c.layers[i],
            c.estimator,
            v.estimate.toFixed(4),
            precise.low,
            precise.high,
            meanOf('biased', i),
            meanOf('debiased', i),
            paper[i]?.toFixed(4),
          ]),
        );
        return { ours: ours.text, paper: paper[i]?.toFixed(3) ?? '—' };
      });
      const control = CKA_CONTROLS[pair];
      const note = control ? `control, not in the paper: ${control}` : `${pairs} replicate pair${pairs === 1 ? '' : 's'}`;
      return { label: pair, note, control: !!control, cells };
    });
    const caption =
      `${c.domain} (${c.examples} test images), ${c.estimator} linear CKA${c.unbiased ? ' (unbiased HSIC, Song et al. 2012)' : ''}: ` +
      `mean over replicate pairs [95% bootstrap interval over replicate pairs and subsamples of ${c.subsample} images without replacement, conservative]; ` +
      `in brackets: the paper's CheXpert value at the same depth. Controls: a model with itself (1 by definition); one model's features against ` +
      `another's on permuted examples (unrelated features: the estimator's floor); two untrained networks (a random-network baseline, not the floor). ` +
      `The CSV has both estimators`;
    grids.push({ caption, corner: 'pair', columns, rows });
  }
  return { csv: `${csv.join('\n')}\n`, grids };
}

/** Table 2: per domain the mean total distance of each pair type [95% interval], and the ratio 2 P-T / 2 RI-T. */
function table2(dists: DistanceOutput[]): { csv: string; grids: Grid[] } {
  const csv = ['domain,pair,replicate_pairs,ours,ci_low,ci_high,paper'];
  const rows = dists.map((d) => {
    const paper = PAPER_L2[d.domain] ?? {};
    const cells = L2_PAIRS.map((pair) => {
      const s = d.summary[pair];
      const ours = s ? withInterval(s.total, 2) : undefined;
      const precise = s ? withInterval(s.total, 4) : undefined;
      csv.push(csvLine([d.domain, pair, s?.pairs, s?.total.estimate.toFixed(4), precise?.low, precise?.high, paper[pair]?.toFixed(2)]));
      return { ours: ours?.text ?? '—', paper: paper[pair]?.toFixed(2) ?? '—' };
    });
    const paperRatio = paper[PAIR.ptPt] !== undefined && paper[PAIR.ritRit] ? paper[PAIR.ptPt]! / paper[PAIR.ritRit]! : undefined;
    const [ratio, precise] = [withInterval(d.ratio, 3), withInterval(d.ratio, 4)];
    csv.push(csvLine([d.domain, RATIO, '', d.ratio.estimate.toFixed(4), precise.low, precise.high, paperRatio?.toFixed(4)]));
    cells.push({ ours: ratio.text, paper: paperRatio?.toFixed(2) ?? '—' });
    return { label: d.domain, cells };
  });
  const caption =
    'ℓ2 distance between parameter vectors (head excluded): mean over replicate pairs [95% bootstrap interval over replicate pairs]; ' +
    "in brackets: the paper's value (ResNet-50, 25M parameters, so only the ordering and the ratio compare; the paper's ratio is 0.24 on DomainNet real)";
  const columns = [...L2_PAIRS, `ratio ${RATIO}`].map((label) => ({ label }));
  return { csv: `${csv.join('\n')}\n`, grids: [{ caption, corner: 'domain', columns, rows }] };
}
