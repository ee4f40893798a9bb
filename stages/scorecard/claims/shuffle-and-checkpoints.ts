// Fig. 3 (block shuffling) and Fig. 7 (transfer from earlier pre-training checkpoints).
import { combine, type StatisticDraws } from '../../common/bootstrap.ts';
import type { Claim } from '../claim.ts';
import type { ScorecardInputs } from '../inputs.ts';
import { allOf, compare, notMeasured, num, pts, within, type Measurement } from '../verdict.ts';

type Row = NonNullable<ScorecardInputs['blocks']>['rows'][number];
const blockRows = (i: ScorecardInputs) => i.blocks?.rows ?? [];

export const ptFasterWhenShuffled: Claim = {
  id: 'pt-faster-when-shuffled',
  figure: 'Fig. 3 (right)',
  claim: 'P-T still trains faster than RI-T at the finest shuffles (block 1 and pixel shuffle *): low-level statistics, not feature reuse',
  paper: 'block 1: P-T ≈78–82 vs RI-T ≈2/27/46; *: ≈80–83 vs ≈0/15/47',
  robust: false,
  kind: 'evidence',
  statistic: 'speed(P-T) − speed(RI-T) in points per target and finest block size, bootstrap over replicates; held if above 0',
  measure: (i) => {
    const rows = blockRows(i).filter((r) => r.blockSize === '*' || r.blockSize === 1);
    if (!rows.length) return [notMeasured('shuffled targets', 'no block-1 or * arms in the profile')];
    return rows.map((r) =>
      compare(
        `${r.domain} b=${r.blockSize}`,
        combine([r.pt.optimizationSpeedDraws, r.rit.optimizationSpeedDraws], (a, b) => a - b),
        0,
        'above',
        pts,
      ),
    );
  },
};

const meanOf = (rows: Row[]): StatisticDraws =>
  combine(
    rows.map((r) => r.relativeDropDraws!),
    (...xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
  );

export const advantageShrinks: Claim = {
  id: 'advantage-shrinks-with-block-size',
  figure: 'Fig. 3 (left)',
  claim:
    "On real and clipart, P-T's relative accuracy advantage is smaller with small blocks (≤ side/8) than with large ones (≥ side/2, the unshuffled side included): feature reuse needs spatial structure",
  paper: 'real: 3–12% at blocks 2–4 vs 42–52% at 56–224; clipart 22% vs 43–49%',
  robust: false,
  kind: 'evidence',
  statistic:
    'mean relative drop 100·(P − R)/P at large blocks minus at small blocks, in %, bootstrap over replicates and images; held if above 0',
  measure: (i) => {
    const out: Measurement[] = [];
    for (const d of ['real', 'clipart']) {
      const rs = blockRows(i).filter((r) => r.domain === d && r.blockSize !== '*' && r.relativeDropDraws !== null);
      const small = rs.filter((r) => (r.blockSize as number) <= r.side / 8);
      const large = rs.filter((r) => (r.blockSize as number) >= r.side / 2);
      out.push(
        small.length && large.length
          ? compare(
              d,
              combine([meanOf(large), meanOf(small)], (a, b) => a - b),
              0,
              'above',
              num(1),
            )
          : notMeasured(d, 'needs shuffle arms at small and large blocks'),
      );
    }
    return out;
  },
};

/** Within this many points of flat counts as a plateau. */
export const PLATEAU = 0.02;

export const checkpointsPlateau: Claim = {
  id: 'checkpoints-plateau',
  figure: 'Fig. 7',
  claim:
    'Later pre-training checkpoints transfer better, then plateau: from the first to the middle checkpoint the final accuracy rises by more than 2 points, and from the middle to the last it stays flat within ±2 points',
  paper: 'real 61.3 (k=0) → 73.5 (10) → 78.4 (59–90); plateau after ≈30–60 of 90',
  robust: true,
  kind: 'evidence',
  statistic:
    'accuracy(middle) − accuracy(first) (held if above +2 points) and accuracy(last) − accuracy(middle) (held if its interval lies within ±2 points; outside it in either direction, did not hold), bootstrap over replicates and images',
  measure: (i) => {
    if (!i.checkpoints?.targets.length) return [notMeasured('all targets', 'no checkpoint arms in the profile')];
    return i.checkpoints.targets.map((t) => {
      const p = t.points;
      if (p.length < 3) return notMeasured(t.domain, 'needs at least 3 checkpoints');
      const [first, mid, last] = [p[0]!, p[Math.floor(p.length / 2)]!, p.at(-1)!];
      const rise = combine([mid.testAccuracyDraws, first.testAccuracyDraws], (a, b) => a - b);
      const late = combine([last.testAccuracyDraws, mid.testAccuracyDraws], (a, b) => a - b);
      return allOf(t.domain, [
        compare(`${t.domain} k${first.sourceEpoch}→k${mid.sourceEpoch}`, rise, PLATEAU, 'above', pts),
        within(`k${mid.sourceEpoch}→k${last.sourceEpoch}`, late, -PLATEAU, PLATEAU, pts),
      ]);
    });
  },
};
