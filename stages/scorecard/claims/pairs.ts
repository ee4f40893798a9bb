// Claims about pairs of models: common mistakes (the paper's "common and uncommon mistakes"),
// feature similarity (Table 1), parameter distance (Table 2) and barriers (Figs. 4 and 16).
import { combine, type StatisticDraws } from '../../common/bootstrap.ts';
import { PAIR } from '../../common/pairs.ts';
import type { Claim } from '../claim.ts';
import { allOf, compare, notMeasured, num, pts, within, type Measurement } from '../verdict.ts';

const each = <T extends { domain: string }>(list: T[], what: string, f: (x: T) => Measurement): Measurement[] =>
  list.length ? list.map(f) : [notMeasured('all targets', `the ${what} analysis did not run`)];

const diff = (a: StatisticDraws, b: StatisticDraws) => combine([a, b], (x, y) => x - y);
const two = num(2);

export const ptSimilarMistakes: Claim = {
  id: 'pt-similar-mistakes',
  figure: 'mistakes (text)',
  claim:
    "Two P-T instances agree more on which test images they get wrong than two RI-T instances (Cohen's κ of right/wrong: agreement beyond chance), on every target",
  paper: 'two P-T make very similar mistakes; RI-T instances are more diverse (no counts published)',
  robust: true,
  kind: 'evidence',
  statistic: 'κ(P-T & P-T) − κ(RI-T & RI-T), mean over replicate pairs, paired bootstrap over images and replicate pairs; held if above 0',
  measure: (i) =>
    each(i.mistakes, 'mistakes', (m) =>
      compare(m.domain, diff(m.summary[PAIR.ptPt]!.kappa, m.summary[PAIR.ritRit]!.kappa), 0, 'above', two),
    ),
};

/** Mean over layers of one pair's CKA, per draw. */
const layerMean = (values: StatisticDraws[]) => combine(values, (...xs) => xs.reduce((a, b) => a + b, 0) / xs.length);

export const ckaOrdering: Claim = {
  id: 'cka-ordering',
  figure: 'Table 1',
  claim: 'Mean CKA over layers: P-T & P-T ≥ P-T & P, and P-T & P > both pairs involving RI-T, on every target',
  paper: 'CheXpert means: P-T&P-T 0.53, P-T&P 0.32, P-T&RI-T 0.02, RI-T&RI-T 0.01',
  robust: true,
  kind: 'evidence',
  statistic:
    'P-T&P − max(P-T&RI-T, RI-T&RI-T) (held if above 0) and P-T&P-T − P-T&P (did not hold if below 0), layer means, bootstrap over replicate pairs and image subsamples',
  measure: (i) =>
    each(i.cka, 'CKA', (c) => {
      const m = (p: string) => layerMean(c.summary[p]!.values);
      const above = combine([m(PAIR.ptP), m(PAIR.ptRit), m(PAIR.ritRit)], (p, x, y) => p - Math.max(x, y));
      const first = compare(`${c.domain} P-T&P − RI-T pairs`, above, 0, 'above', two);
      const ptPt = compare(`P-T&P-T − P-T&P`, diff(m(PAIR.ptPt), m(PAIR.ptP)), 0, 'above', two);
      // "≥": only a significant shortfall refutes it
      return allOf(c.domain, [first, { ...ptPt, verdict: ptPt.verdict === 'did not hold' ? 'did not hold' : 'held' }]);
    }),
};

export const ckaFallsWithDepth: Claim = {
  id: 'cka-falls-with-depth',
  figure: 'Table 1',
  claim:
    'CKA between P-T and P falls with depth: lower at the last stage than at the stem, and no stage significantly above the one before it, on every target',
  paper: '0.62 → 0.46 → 0.29 → 0.19 → 0.05',
  robust: true,
  kind: 'evidence',
  statistic:
    'stem − last stage (held if above 0) and, for each consecutive pair of layers, later − earlier (did not hold if any is significantly above 0)',
  measure: (i) =>
    each(i.cka, 'CKA', (c) => {
      const v = c.summary[PAIR.ptP]!.values;
      const overallDrop = compare(`${c.domain} stem − ${c.layers.at(-1)}`, diff(v[0]!, v.at(-1)!), 0, 'above', two);
      const rises = v.slice(1).map((x, k) => compare(`${c.layers[k + 1]} − ${c.layers[k]}`, diff(x, v[k]!), 0, 'above', two));
      const risen = rises.filter((r) => r.verdict === 'held');
      return allOf(c.domain, [overallDrop, ...risen.map((r) => ({ ...r, verdict: 'did not hold' as const, text: `${r.text} rises` }))]);
    }),
};

export const ritCkaNearZero: Claim = {
  id: 'rit-cka-near-zero',
  figure: 'Table 1',
  claim: 'CKA of RI-T & RI-T is below 0.1 at every layer',
  paper: '0.0016, 0.0088, 0.0004, 0.0004, 0.0424',
  robust: false,
  kind: 'evidence',
  statistic: 'RI-T & RI-T CKA per layer; held if every layer’s interval is below 0.1',
  measure: (i) =>
    each(i.cka, 'CKA', (c) =>
      allOf(
        c.domain,
        c.summary[PAIR.ritRit]!.values.map((v, k) => compare(`${c.domain} ${c.layers[k]}`, v, 0.1, 'below', two)),
      ),
    ),
};

export const ptPairsCloser: Claim = {
  id: 'pt-close-in-parameters',
  figure: 'Table 2',
  claim:
    'ℓ2 distance: 2 P-T < 2 RI-T and P-T & P < RI-T & P (sanity check: P-T starts from one point and moves little, so this holds by construction)',
  paper: 'real 193 < 815 and 165 < 797 (similar on every domain)',
  robust: true,
  kind: 'sanity',
  statistic: '2 RI-T − 2 P-T and RI-T&P − P-T&P, bootstrap over replicate pairs; held if both above 0',
  measure: (i) =>
    each(i.distance, 'distance', (d) =>
      allOf(d.domain, [
        compare(`${d.domain} 2 RI-T − 2 P-T`, diff(d.summary[PAIR.ritRit]!.total, d.summary[PAIR.ptPt]!.total), 0, 'above', two),
        compare('RI-T&P − P-T&P', diff(d.summary[PAIR.ritP]!.total, d.summary[PAIR.ptP]!.total), 0, 'above', two),
      ]),
    ),
};

export const distanceRatio: Claim = {
  id: 'pt-pairs-far-closer',
  figure: 'Table 2',
  claim:
    'On the DomainNet-like targets (real, clipart, quickdraw), two P-T solutions are less than half as far apart as two RI-T solutions: ℓ2(2 P-T) / ℓ2(2 RI-T) < 0.5',
  paper: 'ratio 0.24 (real), 0.22 (clipart), 0.28 (quickdraw); 0.78 on CheXpert',
  robust: false,
  kind: 'evidence',
  statistic: 'ℓ2(2 P-T) / ℓ2(2 RI-T), bootstrap over replicate pairs; held if the interval is below 0.5',
  measure: (i) => {
    const list = i.distance.filter((d) => ['real', 'clipart', 'quickdraw'].includes(d.domain));
    return list.length
      ? list.map((d) => compare(d.domain, d.ratio, 0.5, 'below', two))
      : [notMeasured('real, clipart, quickdraw', 'none of them was analysed')];
  },
};

/** "Flat" = the accuracy barrier's interval lies within 2 points of 0 (it is ≥ 0 by definition). */
export const FLAT = 0.02;
/** "A barrier" = its interval lies above 10 points. */
export const BARRIER = 0.1;

export const ptSameBasin: Claim = {
  id: 'pt-same-basin',
  figure: 'Fig. 4',
  claim:
    'No barrier between two P-T solutions (flat within 2 points), and one of ≥ 10 points between two RI-T solutions and between RI-T and P-T, on every target',
  paper: 'P-T pairs flat; RI-T pairs and RI-T–P-T collapse to ≈0–1% accuracy mid-path',
  robust: true,
  kind: 'evidence',
  statistic:
    'accuracy barrier max_λ(chord − accuracy), mean over replicate pairs, paired bootstrap over images (all points of a path see the same images) and replicate pairs',
  measure: (i) =>
    each(i.barrier, 'barrier', (b) =>
      allOf(b.domain, [
        within(`${b.domain} P-T&P-T`, b.summary[PAIR.ptPt]!.accuracyBarrier, 0, FLAT, pts),
        compare('RI-T&RI-T', b.summary[PAIR.ritRit]!.accuracyBarrier, BARRIER, 'above', pts),
        compare('RI-T&P-T', b.summary[PAIR.ritPt]!.accuracyBarrier, BARRIER, 'above', pts),
      ]),
    ),
};

export const sameInitBarrier: Claim = {
  id: 'same-init-barrier',
  figure: 'Fig. 16 (appendix)',
  claim: 'Two RI-T runs from the SAME init still have a barrier of ≥ 10 points, on every target',
  paper: 'accuracy at λ=0.5 ≈6.5% (real), 5.5% (clipart), 16% (quickdraw)',
  robust: false,
  kind: 'evidence',
  statistic: 'accuracy barrier of the same-init pair (one pair), paired bootstrap over images; held if above 10 points',
  measure: (i) =>
    each(i.barrier, 'barrier', (b) => compare(b.domain, b.summary[PAIR.ritRitSameInit]!.accuracyBarrier, BARRIER, 'above', pts)),
};
