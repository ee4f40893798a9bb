// Figs. 5 and 6: rewinding and Chatterji criticality. The main claims compare P-T and RI-T at
// their own (main) lrs. Rewinding damage and μ ∝ ‖Δθ‖² both grow with the distance a module
// travelled, which grows with the lr, so at the main lrs "RI-T is hurt more" partly follows from
// RI-T's larger lr alone; RI-T trained at the P-T lr is the lr-matched comparison, claimed apart.
import { combine } from '../../common/bootstrap.ts';
import { RUN_KEYS } from '../../criticality.ts';
import type { Claim } from '../claim.ts';
import type { ScorecardInputs } from '../inputs.ts';
import { notMeasured, pts, type Measurement, compare } from '../verdict.ts';

type Crit = ScorecardInputs['criticality'][number];
type RunKey = (typeof RUN_KEYS)[keyof typeof RUN_KEYS];

/** The analyses that have `other` (lr-matched only when its lr equals P-T's). */
function analysed(i: ScorecardInputs, other: RunKey): Crit[] {
  return i.criticality.filter((c) => c.runs[other] !== undefined && (other !== RUN_KEYS.ritAtPtLr || c.lrMatched === true));
}

function eachAnalysis(i: ScorecardInputs, other: RunKey, f: (c: Crit) => Measurement): Measurement[] {
  const list = analysed(i, other);
  if (list.length) return list.map(f);
  return [notMeasured('all targets', other === RUN_KEYS.ritAtPtLr ? 'no RI-T run at the P-T lr' : 'criticality did not run')];
}

const dropGap = (c: Crit, other: RunKey, modules: string[]) =>
  combine(
    modules.flatMap((m) => [c.rewindingDrops[other]![m]!, c.rewindingDrops[RUN_KEYS.pt]![m]!]),
    (...xs) => {
      let s = 0;
      for (let k = 0; k < xs.length; k += 2) s += xs[k]! - xs[k + 1]!;
      return s / modules.length;
    },
  );

const belowHead = (c: Crit) => Object.keys(c.rewindingDrops[RUN_KEYS.pt]!).filter((m) => m !== 'fc' && m !== 'none');

const rewindingClaim = (id: string, other: RunKey, modules: 'stem' | 'below head', robust: boolean): Claim => ({
  id,
  figure: 'Fig. 5',
  claim:
    modules === 'stem'
      ? `Rewinding the stem to its value at the start of fine-tuning costs P-T less test accuracy than ${other === RUN_KEYS.rit ? 'RI-T (main lrs)' : 'RI-T trained at the P-T lr (the lr-matched control of the claim above)'}, on every target analysed`
      : `Averaged over the modules below the head, rewinding one module costs P-T less than ${other === RUN_KEYS.rit ? 'RI-T (main lrs)' : 'RI-T at the P-T lr'}, on every target analysed`,
  paper:
    modules === 'stem'
      ? 'CheXpert AUC: P-T stem ≈0.735→0.73; RI-T stem 0.70→0.51 (lr 0.1) / 0.56 (lr 0.02)'
      : 'P-T loses little for any module; RI-T drops sharply for conv1, layer3.0, layer4.x, layer1.0, layer2.0',
  robust,
  kind: 'evidence',
  statistic: 'accuracy drop on rewinding, RI-T − P-T, in points, paired bootstrap over test images (one run each); held if above 0',
  measure: (i) =>
    eachAnalysis(i, other, (c) => compare(c.domain, dropGap(c, other, modules === 'stem' ? ['stem'] : belowHead(c)), 0, 'above', pts)),
});

export const rewindingHurtsRit = rewindingClaim('rewinding-hurts-rit', RUN_KEYS.rit, 'stem', true);
export const rewindingHurtsRitSameLr = rewindingClaim('rewinding-hurts-rit-same-lr', RUN_KEYS.ritAtPtLr, 'stem', false);
export const rewindingMean = rewindingClaim('rewinding-mean', RUN_KEYS.rit, 'below head', true);
export const rewindingMeanSameLr = rewindingClaim('rewinding-mean-same-lr', RUN_KEYS.ritAtPtLr, 'below head', false);

/** One step of the σ grid (a factor 2) moves μ by a factor 4: differences within log10 4 are not resolved. */
export const MU_RESOLUTION = Math.log10(4);

function stemMuGap(c: Crit, other: RunKey): Measurement {
  const mu = (k: RunKey) => c.runs[k]!.criticality.modules.find((m) => m.module === 'stem');
  const [p, r] = [mu(RUN_KEYS.pt), mu(other)];
  if (!p || !r) return notMeasured(c.domain, 'no stem criticality');
  // μ = 0 (feasible at α = 0) sits below any grid value; no feasible point above any
  const log = (m: typeof p) => (m.mu === null ? Infinity : m.mu === 0 ? -Infinity : m.log10Mu!);
  const gap = log(r) - log(p);
  const show = (m: typeof p) => (m.mu === null ? 'no feasible point' : m.mu === 0 ? 'μ = 0' : `log10 μ ${m.log10Mu!.toFixed(2)}`);
  const text = `${c.domain} stem P-T ${show(p)} vs ${other} ${show(r)}`;
  if (Number.isNaN(gap)) return { where: c.domain, verdict: 'inconclusive', estimate: null, interval: null, text };
  const verdict = gap > MU_RESOLUTION ? 'held' : gap < -MU_RESOLUTION ? 'did not hold' : 'inconclusive';
  const finite = Number.isFinite(gap) ? gap : null;
  return {
    where: c.domain,
    verdict,
    estimate: finite,
    interval: finite === null ? null : [gap - MU_RESOLUTION, gap + MU_RESOLUTION],
    text,
  };
}

const muClaim = (id: string, other: RunKey): Claim => ({
  id,
  figure: 'Fig. 6',
  claim: `Chatterji criticality μ of the stem is lower for P-T than for ${other === RUN_KEYS.rit ? 'RI-T (main lrs)' : 'RI-T at the P-T lr'}, on every target analysed: P-T's lower layers hold general features`,
  paper:
    other === RUN_KEYS.rit
      ? 'P-T conv1 good already at its initial value; RI-T conv1 needs a long way from init'
      : 'not reported: Fig. 6 shows one RI-T run',
  robust: false,
  kind: 'evidence',
  statistic:
    'log10 μ(RI-T) − log10 μ(P-T) of the stem; μ is a grid minimum, so the "interval" is ± one σ-grid step (log10 4); held if above it',
  measure: (i) => eachAnalysis(i, other, (c) => stemMuGap(c, other)),
});

export const stemNotCritical = muClaim('stem-not-critical-for-pt', RUN_KEYS.rit);
export const stemNotCriticalSameLr = muClaim('stem-not-critical-for-pt-same-lr', RUN_KEYS.ritAtPtLr);
