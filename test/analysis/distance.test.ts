// Parameter distances with replicate pairs: the pairs the stage compares, the summary's mean and
// replicate-bootstrap draws, the P-T & P-T / RI-T & RI-T ratio combined per draw, the zero-width
// draws of a model with itself, and intervals narrowing with more replicate pairs; and the stage on
// fake training runs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BOOTSTRAP_DRAWS, percentileInterval } from '../../stages/common/bootstrap.ts';
import { PAIR } from '../../stages/common/pairs.ts';
import { distance, DistanceOutput, distancePairs, distanceSummary } from '../../stages/distance.ts';
import { fakeRun, runStage } from './fake-runs.ts';

describe('the compared pairs', () => {
  test('within P-T, within RI-T, each P-T with P, each RI-T with P', () => {
    const plan = distancePairs('P', ['pt0', 'pt1', 'pt2'], ['rit0', 'rit1', 'rit2']);
    assert.equal(plan.length, 12);
    const of = (pair: string) => plan.filter((p) => p.pair === pair).map((p) => `${p.replicate}:${p.a}-${p.b}`);
    assert.deepEqual(of(PAIR.ptPt), ['0:pt0-pt1', '1:pt0-pt2', '2:pt1-pt2']);
    assert.deepEqual(of(PAIR.ritRit), ['0:rit0-rit1', '1:rit0-rit2', '2:rit1-rit2']);
    assert.deepEqual(of(PAIR.ptP), ['0:pt0-P', '1:pt1-P', '2:pt2-P']);
    assert.deepEqual(of(PAIR.ritP), ['0:rit0-P', '1:rit1-P', '2:rit2-P']);
  });
});

describe('the distance summary', () => {
  const rows = [
    ...[1, 2, 3].map((total) => ({ pair: PAIR.ptPt, total })),
    ...[8, 10, 12].map((total) => ({ pair: PAIR.ritRit, total })),
    ...[0, 0].map((total) => ({ pair: PAIR.identical, total })),
  ];
  const { summary, ratio } = distanceSummary(rows);

  test('the estimate is the mean over the replicate pairs; draws resample them', () => {
    assert.deepEqual(Object.keys(summary), [PAIR.ptPt, PAIR.ritRit, PAIR.identical]);
    assert.equal(summary[PAIR.ptPt]!.pairs, 3);
    assert.equal(summary[PAIR.ptPt]!.total.estimate, 2);
    assert.equal(summary[PAIR.ritRit]!.total.estimate, 10);
    for (const s of Object.values(summary)) assert.equal(s.total.draws.length, BOOTSTRAP_DRAWS);
    const d = summary[PAIR.ptPt]!.total.draws;
    // every draw is a mean of 3 of {1, 2, 3}: a multiple of 1/3 in [1, 3], and they vary
    for (const v of d) assert.ok(v >= 1 && v <= 3 && Math.abs(3 * v - Math.round(3 * v)) < 1e-9, `draw ${v}`);
    assert.ok(new Set(d).size > 3);
  });

  test('a model with itself: exactly 0 with zero-width draws', () => {
    assert.equal(summary[PAIR.identical]!.total.estimate, 0);
    assert.ok(summary[PAIR.identical]!.total.draws.every((v) => v === 0));
  });

  test('the ratio P-T & P-T / RI-T & RI-T is combined per draw', () => {
    assert.equal(ratio.estimate, 0.2);
    assert.equal(ratio.draws.length, BOOTSTRAP_DRAWS);
    const p = summary[PAIR.ptPt]!.total.draws;
    const r = summary[PAIR.ritRit]!.total.draws;
    for (let b = 0; b < ratio.draws.length; b++) assert.equal(ratio.draws[b], p[b]! / r[b]!);
    assert.throws(() => distanceSummary(rows.filter((x) => x.pair !== PAIR.ritRit)), /ratio needs/);
  });

  test('the interval narrows with more replicate pairs', () => {
    const width = (k: number) => {
      const totals = Array.from({ length: k }, (_, i) => ({ pair: PAIR.ptPt, total: [1, 2, 3][i % 3]! }));
      const s = distanceSummary([...totals, { pair: PAIR.ritRit, total: 1 }]).summary[PAIR.ptPt]!.total;
      const [lo, hi] = percentileInterval(s.draws);
      return hi - lo;
    };
    assert.ok(width(30) < 0.5 * width(3), `${width(30)} vs ${width(3)}`);
  });
});

describe('the distance stage on fake runs', () => {
  const root = mkdtempSync(join(tmpdir(), 'distance-stage-'));
  let out: DistanceOutput;
  before(async () => {
    const source = await fakeRun(root, 'pretrain', { kind: 'P-T', lr: 0.1, seed: 1 });
    const pt = await Promise.all(
      [0, 1, 2].map((s) => fakeRun(root, `finetune/real,P-T,seed=${s}`, { kind: 'P-T', lr: 0.02, seed: 10 + s })),
    );
    const rit = await Promise.all(
      [0, 1, 2].map((s) => fakeRun(root, `finetune/real,RI-T,seed=${s}`, { kind: 'RI-T', lr: 0.1, seed: 20 + s })),
    );
    out = DistanceOutput.parse((await runStage(distance, { exclude: ['fc'] }, { source, pt, rit })).json.get('distance.json'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('per-module distances add up to the total; the summary is the mean; the ratio per draw', () => {
    assert.equal(out.pairs.length, 12);
    assert.ok(!out.modules.includes('fc'));
    for (const p of out.pairs) {
      const sumSq = Object.values(p.perModule).reduce((s, v) => s + v * v, 0);
      assert.ok(Math.abs(Math.sqrt(sumSq) - p.total) < 1e-6 * (1 + p.total), p.pair);
    }
    assert.deepEqual(Object.keys(out.summary), [PAIR.ptPt, PAIR.ritRit, PAIR.ptP, PAIR.ritP]);
    for (const [pair, s] of Object.entries(out.summary)) {
      const rows = out.pairs.filter((p) => p.pair === pair);
      assert.equal(s.pairs, 3);
      assert.ok(Math.abs(s.total.estimate - rows.reduce((t, p) => t + p.total, 0) / 3) < 1e-12, pair);
    }
    assert.equal(out.ratio.estimate, out.summary[PAIR.ptPt]!.total.estimate / out.summary[PAIR.ritRit]!.total.estimate);
    assert.equal(out.ratio.draws.length, BOOTSTRAP_DRAWS);
  });
});
