// Fig. 2 / Fig. 3 (right): what pre-training buys in speed and final accuracy, main lrs, no shuffle.
import { combine } from '../../common/bootstrap.ts';
import type { Claim } from '../claim.ts';
import type { Curve, ScorecardInputs } from '../inputs.ts';
import { compare, notMeasured, pts, type Measurement } from '../verdict.ts';

export function mainCurve(i: ScorecardInputs, domain: string, init: string): Curve | undefined {
  return i.curves?.curves.find((c) => c.domain === domain && c.init === init && c.role === 'main');
}

function perTarget(i: ScorecardInputs, f: (pt: Curve, rit: Curve) => Measurement): Measurement[] {
  if (!i.curves) return [notMeasured('all targets', 'no learning curves')];
  const domains = [...new Set(i.curves.curves.filter((c) => c.role === 'main').map((c) => c.domain))];
  return domains.map((d) => {
    const [pt, rit] = [mainCurve(i, d, 'P-T'), mainCurve(i, d, 'RI-T')];
    return pt && rit ? f(pt, rit) : notMeasured(d, 'no P-T or no RI-T runs at the main lr');
  });
}

/** On every target: P-T's statistic minus RI-T's, per draw, held if above 0. */
function ptAboveRit(i: ScorecardInputs, draws: 'optimizationSpeedDraws' | 'finalTestAccuracyDraws'): Measurement[] {
  return perTarget(i, (pt, rit) =>
    compare(
      pt.domain,
      combine([pt[draws], rit[draws]], (a, b) => a - b),
      0,
      'above',
      pts,
    ),
  );
}

export const ptTrainsFaster: Claim = {
  id: 'pt-trains-faster',
  figure: 'Fig. 2, Fig. 3 (right)',
  claim: 'P-T reaches a higher optimization speed (mean eval-mode train accuracy over the epochs) than RI-T, on every target',
  paper: 'real/clipart ≈93 vs ≈85, quickdraw ≈86 vs ≈83 (block 224)',
  robust: true,
  kind: 'evidence',
  statistic: 'speed(P-T) − speed(RI-T) in points, mean over replicates, bootstrap over replicates; held if the 95% interval is above 0',
  measure: (i) => ptAboveRit(i, 'optimizationSpeedDraws'),
};

export const ptMoreAccurate: Claim = {
  id: 'pt-more-accurate',
  figure: 'Fig. 2',
  claim: 'P-T ends with a higher test accuracy than RI-T, on every target',
  paper: 'real 78 vs 61, clipart 74 vs 58, quickdraw 67 vs 64 (%)',
  robust: false,
  kind: 'evidence',
  statistic:
    'accuracy(P-T) − accuracy(RI-T) in points, bootstrap over replicates and test images (paired: same images); held if the interval is above 0',
  measure: (i) => ptAboveRit(i, 'finalTestAccuracyDraws'),
};

/** 100·(P − R)/P per draw. */
export const relativeGap = (pt: Curve, rit: Curve) =>
  combine([pt.finalTestAccuracyDraws, rit.finalTestAccuracyDraws], (a, b) => (a > 0 ? (a - b) / a : 0));

export const advantageFollowsSimilarity: Claim = {
  id: 'advantage-follows-similarity',
  figure: 'Fig. 2, Fig. 3',
  claim: "P-T's relative accuracy advantage is larger on the natural-image target (real) than on sketches (quickdraw)",
  paper: 'relative drop at 224: real 42%, quickdraw 22%',
  robust: false,
  kind: 'evidence',
  statistic:
    'relative gap (P − R)/P on real minus on quickdraw, in points; bootstrap over replicates and images of each target; held if above 0',
  measure: (i) => {
    const gap = (d: string) => {
      const [pt, rit] = [mainCurve(i, d, 'P-T'), mainCurve(i, d, 'RI-T')];
      return pt && rit ? relativeGap(pt, rit) : undefined;
    };
    const [real, quick] = [gap('real'), gap('quickdraw')];
    if (!real || !quick) return [notMeasured('real vs quickdraw', 'needs both targets in the main matrix')];
    return [
      compare(
        'real − quickdraw',
        combine([real, quick], (a, b) => a - b),
        0,
        'above',
        pts,
      ),
    ];
  },
};
