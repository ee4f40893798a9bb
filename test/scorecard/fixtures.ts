// Synthetic analysis outputs for the scorecard's claims: every statistic a claim reads, with
// draws chosen so that the claim's effect has a known interval.
import { BOOTSTRAP_DRAWS, type StatisticDraws } from '../../stages/common/bootstrap.ts';
import { PAIR } from '../../stages/common/pairs.ts';
import type { ScorecardInputs } from '../../stages/scorecard/inputs.ts';

/** Draws spread evenly over [lo, hi] (the 95% interval is just inside it). */
export function spread(lo: number, hi: number): StatisticDraws {
  const draws = Array.from({ length: BOOTSTRAP_DRAWS }, (_, b) => lo + ((hi - lo) * b) / (BOOTSTRAP_DRAWS - 1));
  return { estimate: (lo + hi) / 2, draws };
}
export const point = (x: number) => spread(x, x);
export const shift = (s: StatisticDraws, by: number): StatisticDraws => ({ estimate: s.estimate + by, draws: s.draws.map((d) => d + by) });

/** An effect interval relative to a threshold: clearly on the claimed side, clearly not, or straddling. */
export type Case = 'held' | 'did not hold' | 'inconclusive';
export function effect(c: Case, threshold: number, side: 'above' | 'below' = 'above'): StatisticDraws {
  if (c === 'inconclusive') return spread(threshold - 0.05, threshold + 0.05);
  const claimedSide = (c === 'held') === (side === 'above');
  return claimedSide ? spread(threshold + 0.05, threshold + 0.08) : spread(threshold - 0.08, threshold - 0.05);
}

export const EMPTY: ScorecardInputs = {
  curves: undefined,
  mistakes: [],
  cka: [],
  distance: [],
  barrier: [],
  criticality: [],
  blocks: undefined,
  checkpoints: undefined,
};

const LAYERS = ['stem', 'layer1', 'layer2', 'layer3'];

/** Inputs where every statistic is neutral; each claim's test then sets the one it reads. */
export function baseInputs(): ScorecardInputs {
  const curve = (domain: string, init: string, role: string) => ({
    domain,
    init,
    role,
    lr: init === 'P-T' ? 0.02 : 0.1,
    finalTestAccuracyDraws: point(0.5),
    optimizationSpeedDraws: point(0.5),
  });
  const domains = ['real', 'clipart', 'quickdraw'];
  const layerValues = (x: number) => ({ pairs: 3, values: LAYERS.map(() => point(x)) });
  const ckaSummary = {
    [PAIR.ptP]: layerValues(0.5),
    [PAIR.ptPt]: layerValues(0.5),
    [PAIR.ptRit]: layerValues(0.5),
    [PAIR.ritRit]: layerValues(0.5),
    [PAIR.untrained]: layerValues(0.5),
    [PAIR.identical]: layerValues(1),
    [PAIR.unrelated]: layerValues(0),
  };
  const mu = (m: number | null) => ({ module: 'stem', mu: m, log10Mu: m ? Math.log10(m) : null });
  const crit = (domain: string) => ({
    domain,
    lrMatched: true,
    runs: Object.fromEntries(['P-T', 'RI-T', 'RI-T (P-T lr)'].map((k) => [k, { lr: 0.02, criticality: { modules: [mu(100)] } }])),
    rewindingDrops: Object.fromEntries(
      ['P-T', 'RI-T', 'RI-T (P-T lr)'].map((k) => [k, { stem: point(0.1), 'layer1.0': point(0.1), fc: point(0.1) }]),
    ),
  });
  const inputs = {
    curves: { curves: domains.flatMap((d) => [curve(d, 'P-T', 'main'), curve(d, 'RI-T', 'main'), curve(d, 'RI-T', 'lr-variant')]) },
    mistakes: domains.map((domain) => ({
      domain,
      summary: {
        [PAIR.ptPt]: { kappa: point(0.5) },
        [PAIR.ritRit]: { kappa: point(0.5) },
        [PAIR.ptRit]: { kappa: point(0.5) },
        [PAIR.identical]: { kappa: point(1) },
      },
    })),
    cka: domains.map((domain) => ({ domain, layers: LAYERS, summary: structuredClone(ckaSummary) })),
    distance: domains.map((domain) => ({
      domain,
      summary: {
        [PAIR.ptPt]: { total: point(5) },
        [PAIR.ritRit]: { total: point(5) },
        [PAIR.ptP]: { total: point(5) },
        [PAIR.ritP]: { total: point(5) },
      },
      ratio: point(1),
    })),
    barrier: domains.map((domain) => ({
      domain,
      summary: {
        [PAIR.ptPt]: { accuracyBarrier: point(0.05) },
        [PAIR.ritRit]: { accuracyBarrier: point(0.05) },
        [PAIR.ritPt]: { accuracyBarrier: point(0.05) },
        [PAIR.ritRitSameInit]: { accuracyBarrier: point(0.05) },
        [PAIR.identical]: { accuracyBarrier: point(0) },
      },
    })),
    criticality: ['real'].map(crit),
    blocks: {
      rows: domains.flatMap((domain) =>
        (['*', 1, 2, 8, 16] as const).map((blockSize) => ({
          domain,
          blockSize,
          side: 16,
          pt: { optimizationSpeedDraws: point(0.5) },
          rit: { optimizationSpeedDraws: point(0.5) },
          relativeDropDraws: point(0.2),
        })),
      ),
    },
    checkpoints: {
      targets: domains.map((domain) => ({
        domain,
        points: [0, 3, 6, 9, 12].map((sourceEpoch) => ({ sourceEpoch, testAccuracyDraws: point(0.5) })),
      })),
    },
  };
  return inputs as unknown as ScorecardInputs;
}
