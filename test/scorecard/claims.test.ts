// Every claim gives each of the four verdicts on synthetic inputs made for it, and is printed
// even when its analysis did not run; the controls fail where they must.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StatisticDraws } from '../../stages/common/bootstrap.ts';
import { PAIR } from '../../stages/common/pairs.ts';
import { scorecardOf } from '../../stages/scorecard.ts';
import { evaluateClaim } from '../../stages/scorecard/claim.ts';
import { CLAIMS } from '../../stages/scorecard/claims/index.ts';
import type { ScorecardInputs } from '../../stages/scorecard/inputs.ts';
import { baseInputs, EMPTY, effect, point, shift, spread, type Case } from './fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests poke at claim records of every shape
type Loose = any;
const map = (s: StatisticDraws, f: (x: number) => number): StatisticDraws => ({ estimate: f(s.estimate), draws: s.draws.map(f) });

interface Spec {
  threshold: number;
  side?: 'above' | 'below';
  set(i: Loose, e: StatisticDraws, c: Case): void;
}

const curves = (i: Loose, role: string, init: string) => i.curves.curves.filter((c: Loose) => c.role === role && c.init === init);
const rewind = (key: string, modules: string[]) => (i: Loose, e: StatisticDraws) => {
  for (const m of modules) i.criticality[0].rewindingDrops[key][m] = shift(e, 0.1);
};
const mu = (key: string) => (i: Loose, _e: StatisticDraws, c: Case) => {
  const g = c === 'held' ? 1 : c === 'did not hold' ? -1 : 0.3;
  i.criticality[0].runs[key].criticality.modules[0] = { module: 'stem', mu: 100 * 10 ** g, log10Mu: 2 + g };
};

const SPECS: Record<string, Spec> = {
  'pt-trains-faster': {
    threshold: 0,
    set: (i, e) => curves(i, 'main', 'P-T').forEach((c: Loose) => (c.optimizationSpeedDraws = shift(e, 0.5))),
  },
  'pt-more-accurate': {
    threshold: 0,
    set: (i, e) => curves(i, 'main', 'P-T').forEach((c: Loose) => (c.finalTestAccuracyDraws = shift(e, 0.5))),
  },
  'advantage-follows-similarity': {
    threshold: 0,
    set: (i, e) =>
      (curves(i, 'main', 'RI-T').find((c: Loose) => c.domain === 'real').finalTestAccuracyDraws = map(e, (x) => 0.5 * (1 - x))),
  },
  'pt-similar-mistakes': { threshold: 0, set: (i, e) => i.mistakes.forEach((m: Loose) => (m.summary[PAIR.ptPt].kappa = shift(e, 0.5))) },
  'cka-ordering': {
    threshold: 0,
    set: (i, e) =>
      i.cka.forEach((c: Loose) => {
        c.summary[PAIR.ptP].values = c.layers.map(() => shift(e, 0.5));
        c.summary[PAIR.ptPt].values = c.layers.map(() => point(0.9));
      }),
  },
  'cka-falls-with-depth': { threshold: 0, set: (i, e) => i.cka.forEach((c: Loose) => (c.summary[PAIR.ptP].values[0] = shift(e, 0.5))) },
  'rit-cka-near-zero': {
    threshold: 0.1,
    side: 'below',
    set: (i, e) => i.cka.forEach((c: Loose) => (c.summary[PAIR.ritRit].values = c.layers.map(() => e))),
  },
  'pt-close-in-parameters': {
    threshold: 0,
    set: (i, e) =>
      i.distance.forEach((d: Loose) => {
        d.summary[PAIR.ritRit].total = shift(e, 5);
        d.summary[PAIR.ritP].total = shift(e, 5);
      }),
  },
  'pt-pairs-far-closer': { threshold: 0.5, side: 'below', set: (i, e) => i.distance.forEach((d: Loose) => (d.ratio = e)) },
  'pt-same-basin': {
    threshold: 0.1,
    set: (i, e) =>
      i.barrier.forEach((b: Loose) => {
        b.summary[PAIR.ptPt].accuracyBarrier = spread(0.002, 0.01);
        b.summary[PAIR.ritRit].accuracyBarrier = e;
        b.summary[PAIR.ritPt].accuracyBarrier = e;
      }),
  },
  'same-init-barrier': {
    threshold: 0.1,
    set: (i, e) => i.barrier.forEach((b: Loose) => (b.summary[PAIR.ritRitSameInit].accuracyBarrier = e)),
  },
  'rewinding-hurts-rit': { threshold: 0, set: rewind('RI-T', ['stem']) },
  'rewinding-hurts-rit-same-lr': { threshold: 0, set: rewind('RI-T (P-T lr)', ['stem']) },
  'rewinding-mean': { threshold: 0, set: rewind('RI-T', ['stem', 'layer1.0']) },
  'rewinding-mean-same-lr': { threshold: 0, set: rewind('RI-T (P-T lr)', ['stem', 'layer1.0']) },
  'stem-not-critical-for-pt': { threshold: 0, set: mu('RI-T') },
  'stem-not-critical-for-pt-same-lr': { threshold: 0, set: mu('RI-T (P-T lr)') },
  'pt-faster-when-shuffled': {
    threshold: 0,
    set: (i, e) =>
      i.blocks.rows
        .filter((r: Loose) => r.blockSize === '*' || r.blockSize === 1)
        .forEach((r: Loose) => (r.pt.optimizationSpeedDraws = shift(e, 0.5))),
  },
  'advantage-shrinks-with-block-size': {
    threshold: 0,
    set: (i, e) => i.blocks.rows.filter((r: Loose) => r.blockSize >= 8).forEach((r: Loose) => (r.relativeDropDraws = shift(e, 0.2))),
  },
  'checkpoints-plateau': {
    threshold: 0,
    set: (i, _e, c) =>
      i.checkpoints.targets.forEach((t: Loose) => {
        t.points[2].testAccuracyDraws = point(0.6);
        // held: flat within ±2 points; did not hold: a clear decline (the old rule passed it); inconclusive: straddles +2
        t.points[4].testAccuracyDraws = c === 'held' ? spread(0.595, 0.605) : c === 'did not hold' ? spread(0.52, 0.55) : spread(0.6, 0.64);
      }),
  },
};

describe('each claim gives each verdict', () => {
  test('every claim has a synthetic case, and no two claims share an id', () => {
    assert.equal(CLAIMS.length, 20);
    assert.deepEqual(CLAIMS.map((c) => c.id).sort(), Object.keys(SPECS).sort());
  });
  for (const claim of CLAIMS) {
    test(claim.id, () => {
      const spec = SPECS[claim.id]!;
      assert.ok(spec, `no synthetic case for ${claim.id}`);
      for (const c of ['held', 'did not hold', 'inconclusive'] as const) {
        const inputs = baseInputs();
        spec.set(inputs, effect(c, spec.threshold, spec.side), c);
        const r = evaluateClaim(claim, inputs);
        assert.equal(r.verdict, c, `${claim.id} on a "${c}" case: ${r.ours}`);
        assert.ok(r.measurements.length > 0);
      }
      const none = evaluateClaim(claim, EMPTY);
      assert.equal(none.verdict, 'not measured');
      assert.match(none.ours, /not measured \(/);
    });
  }
});

describe('the scorecard as a whole', () => {
  test('every claim is printed even when nothing was measured, and sanity checks are not counted', () => {
    const card = scorecardOf(EMPTY, { domain: 'source', finalTestAccuracy: 0.5, epochs: 1 });
    assert.equal(card.claims.length, CLAIMS.length);
    assert.equal(card.tally.notMeasured, card.tally.evidence);
    assert.equal(card.tally.sanity, 1);
    assert.equal(card.tally.evidence + card.tally.sanity, CLAIMS.length);
  });

  test('an interval straddling the threshold is inconclusive, never held', () => {
    const i = baseInputs() as Loose;
    curves(i, 'main', 'P-T').forEach((c: Loose) => (c.optimizationSpeedDraws = shift(spread(-0.05, 0.2), 0.5)));
    assert.equal(evaluateClaim(CLAIMS.find((c) => c.id === 'pt-trains-faster')!, i as ScorecardInputs).verdict, 'inconclusive');
  });
});

describe('controls', () => {
  const source = { domain: 'source', finalTestAccuracy: 0.5, epochs: 1 };
  const control = (card: ReturnType<typeof scorecardOf>, id: string) => card.controls.find((c) => c.id === id)!;

  test('on sound inputs every control passes', () => {
    const card = scorecardOf(baseInputs(), source);
    assert.equal(card.controls.length, 4);
    for (const c of card.controls) assert.equal(c.passed, true, `${c.id}: ${c.measurements.map((m) => m.text).join('; ')}`);
    assert.deepEqual(card.controlsFailed, []);
  });

  test('a model that is not identical to itself, or an advantage from an untrained checkpoint, fails loudly', () => {
    const i = baseInputs() as Loose;
    i.cka[0].summary[PAIR.identical].values[0] = point(0.9);
    i.checkpoints.targets[0].points[0].testAccuracyDraws = point(0.9);
    i.cka[1].summary[PAIR.untrained].values = i.cka[1].layers.map(() => point(0.9));
    i.cka[2].summary[PAIR.unrelated].values[0] = point(0.4);
    const card = scorecardOf(i as ScorecardInputs, source);
    assert.deepEqual(card.controlsFailed.sort(), [
      'checkpoint-0-transfer',
      'identical-models',
      'unrelated-features',
      'untrained-networks-ordering',
    ]);
    assert.equal(control(card, 'checkpoint-0-transfer').expectation, 'must not hold');
  });
});
