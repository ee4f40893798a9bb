// Barriers with replicate pairs and bootstrap draws: the barrier heights on hand-built paths, the
// pairs the stage compares, the summary's mean and draws on synthetic per-image outcomes (the
// identical control exactly 0, draws paired on images across pair types, intervals narrowing with
// more test images), and the stage itself on fake training runs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { accuracyBarrier, barrierDraws, linspace, lossBarrier, type PathOutcomes } from '../../ml/analysis/barrier.ts';
import { replicateMean } from '../../stages/common/replicate-mean.ts';
import { initBackend } from '../../ml/backend.ts';
import { Rng } from '../../ml/rng.ts';
import { barrier, BarrierOutput, barrierPairs, barrierSummary, capPairs, MAX_PAIRS_PER_TYPE } from '../../stages/barrier.ts';
import { BOOTSTRAP_DRAWS, imageResamples, percentileInterval } from '../../stages/common/bootstrap.ts';
import { PAIR } from '../../stages/common/pairs.ts';
import { dataEntry, fakeRun, runStage, TEST_IMAGES } from './fake-runs.ts';

const LAMBDAS = linspace(0, 1, 5);

/** 0/1 per image: right with probability p (seeded) */
function outcomes(n: number, p: number, seed: string): Uint8Array {
  const rng = Rng.from('barrier-test', seed);
  return Uint8Array.from({ length: n }, () => (rng.float() < p ? 1 : 0));
}
const and = (a: Uint8Array, b: Uint8Array) => a.map((x, i) => x & b[i]!);
const lossOf = (c: Uint8Array) => Float32Array.from(c, (x) => 2 - x);

/** A path with `ends` right at λ = 0 and 1 and `mid` at every interior λ. */
function path(ends: Uint8Array, mid: Uint8Array): PathOutcomes {
  const correct = LAMBDAS.map((l) => (l === 0 || l === 1 ? ends : mid));
  return { lambdas: LAMBDAS, correct, losses: correct.map(lossOf) };
}
const mean = (x: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
};

/** what the stage would write for a path: barriers on the data */
function evaluated(pair: string, o: PathOutcomes) {
  const p = o.lambdas.map((lambda, k) => ({ lambda, accuracy: mean(o.correct[k]!), loss: mean(o.losses[k]!) }));
  return { pair, outcomes: o, accuracyBarrier: accuracyBarrier(p), lossBarrier: lossBarrier(p) };
}

describe('barrier heights', () => {
  test('accuracy below and loss above the chord, 0 when the path is on or above it', () => {
    const p = [
      { lambda: 0, accuracy: 0.8, loss: 1 },
      { lambda: 0.5, accuracy: 0.3, loss: 3 },
      { lambda: 1, accuracy: 0.6, loss: 2 },
    ];
    assert.ok(Math.abs(accuracyBarrier(p) - 0.4) < 1e-15);
    assert.ok(Math.abs(lossBarrier(p) - 1.5) < 1e-15);
    assert.equal(
      accuracyBarrier([
        { lambda: 0, accuracy: 0.5, loss: 1 },
        { lambda: 0.5, accuracy: 0.9, loss: 0.1 },
        { lambda: 1, accuracy: 0.5, loss: 1 },
      ]),
      0,
    );
  });

  test('a constant path (a model with itself) has barrier exactly 0, also on every resample', () => {
    const c = outcomes(200, 0.7, 'const');
    const o = path(c, c);
    assert.equal(accuracyBarrier(o.lambdas.map((lambda) => ({ lambda, accuracy: 0.7123, loss: 1.234 }))), 0);
    const d = barrierDraws(o, imageResamples('test', 200, 50));
    assert.equal(d.accuracy.length, 50);
    assert.deepEqual([...d.accuracy], Array(50).fill(0));
    assert.deepEqual([...d.loss], Array(50).fill(0));
  });

  test('barrierDraws on the identity resample is the barrier on the data', () => {
    const ends = outcomes(100, 0.8, 'ends');
    const o = path(ends, and(ends, outcomes(100, 0.5, 'mid')));
    const identity = [Uint32Array.from({ length: 100 }, (_, i) => i)];
    const d = barrierDraws(o, identity);
    const e = evaluated('x', o);
    assert.ok(Math.abs(d.accuracy[0]! - e.accuracyBarrier) < 1e-12);
    assert.ok(Math.abs(d.loss[0]! - e.lossBarrier) < 1e-6);
  });
});

describe('the compared pairs', () => {
  const pt = ['pt0', 'pt1', 'pt2'];
  const rit = ['rit0', 'rit1', 'rit2'];
  const plan = barrierPairs(pt, rit, 'same', (m) => m);
  const of = (pair: string) => plan.filter((p) => p.pair === pair).map((p) => [p.a, p.b]);

  test('every pair type, capped at 3 replicate pairs, numbered within its type', () => {
    assert.equal(MAX_PAIRS_PER_TYPE, 3);
    assert.equal(plan.length, 3 + 3 + 3 + 1 + 1);
    assert.deepEqual(of(PAIR.ptPt), [
      ['pt0', 'pt1'],
      ['pt0', 'pt2'],
      ['pt1', 'pt2'],
    ]);
    assert.deepEqual(of(PAIR.ritRit), [
      ['rit0', 'rit1'],
      ['rit0', 'rit2'],
      ['rit1', 'rit2'],
    ]);
    assert.deepEqual(of(PAIR.ritRitSameInit), [['rit0', 'same']]);
    assert.deepEqual(of(PAIR.identical), [['pt0', 'pt0']]);
    assert.deepEqual(
      plan.filter((p) => p.pair === PAIR.ptPt).map((p) => p.replicate),
      [0, 1, 2],
    );
  });

  test('RI-T & P-T: 3 of the 6 cross pairs, never the same seed, every run once', () => {
    const cross = of(PAIR.ritPt);
    assert.equal(cross.length, 3);
    assert.deepEqual(cross, [
      ['rit0', 'pt1'],
      ['rit1', 'pt2'],
      ['rit2', 'pt0'],
    ]);
    for (const [a, b] of cross) assert.notEqual(a!.slice(-1), b!.slice(-1));
    assert.equal(new Set(cross.flat()).size, 6);
  });

  test('capPairs keeps short lists and prefers distinct models', () => {
    const pairs: [string, string][] = [
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'c'],
    ];
    assert.deepEqual(
      capPairs(pairs, 3, (m) => m),
      pairs,
    );
    assert.deepEqual(
      capPairs(
        [
          ['a', 'b'],
          ['a', 'c'],
          ['d', 'e'],
        ],
        2,
        (m) => m,
      ),
      [
        ['a', 'b'],
        ['d', 'e'],
      ],
    );
  });
});

describe('the barrier summary on synthetic per-image outcomes', () => {
  const n = 400;
  const ends = outcomes(n, 0.85, 'ends');
  const base = and(ends, outcomes(n, 0.8, 'base'));
  // P-T & P-T midpoints: supersets of `base`; RI-T & RI-T midpoints: subsets of it. Every RI-T
  // path is then below every P-T path on every image, so on any one image resample each RI-T
  // barrier is at least each P-T barrier.
  const pts = [0, 1, 2].map((k) =>
    evaluated(
      PAIR.ptPt,
      path(
        ends,
        base.map((x, i) => x | (ends[i]! & outcomes(n, 0.05, `pt${k}`)[i]!)),
      ),
    ),
  );
  const rits = [0, 1, 2].map((k) => evaluated(PAIR.ritRit, path(ends, and(base, outcomes(n, 0.97, `rit${k}`)))));
  const control = evaluated(PAIR.identical, path(ends, ends));
  const summary = barrierSummary('real', [...pts, ...rits, control]);

  test('one entry per pair type with BOOTSTRAP_DRAWS draws', () => {
    assert.deepEqual(Object.keys(summary), [PAIR.ptPt, PAIR.ritRit, PAIR.identical]);
    assert.equal(summary[PAIR.ptPt]!.pairs, 3);
    assert.equal(summary[PAIR.identical]!.pairs, 1);
    for (const s of Object.values(summary)) {
      assert.equal(s.accuracyBarrier.draws.length, BOOTSTRAP_DRAWS);
      assert.equal(s.lossBarrier.draws.length, BOOTSTRAP_DRAWS);
    }
  });

  test('the estimate is the mean over the replicate pairs', () => {
    assert.equal(
      summary[PAIR.ptPt]!.accuracyBarrier.estimate,
      (pts[0]!.accuracyBarrier + pts[1]!.accuracyBarrier + pts[2]!.accuracyBarrier) / 3,
    );
    assert.equal(summary[PAIR.ritRit]!.lossBarrier.estimate, (rits[0]!.lossBarrier + rits[1]!.lossBarrier + rits[2]!.lossBarrier) / 3);
    assert.ok(summary[PAIR.ritRit]!.accuracyBarrier.estimate > summary[PAIR.ptPt]!.accuracyBarrier.estimate);
  });

  test('the identical control is exactly 0 with zero-width draws', () => {
    const s = summary[PAIR.identical]!;
    assert.equal(s.accuracyBarrier.estimate, 0);
    assert.equal(s.lossBarrier.estimate, 0);
    assert.ok(s.accuracyBarrier.draws.every((d) => d === 0));
    assert.ok(s.lossBarrier.draws.every((d) => d === 0));
  });

  test('draws are paired on images: RI-T − P-T is ≥ 0 on every draw (and would not be, unpaired)', () => {
    const r = summary[PAIR.ritRit]!.accuracyBarrier.draws;
    const p = summary[PAIR.ptPt]!.accuracyBarrier.draws;
    assert.equal(r.length, BOOTSTRAP_DRAWS);
    assert.equal(p.length, BOOTSTRAP_DRAWS);
    for (let b = 0; b < r.length; b++) assert.ok(r[b]! - p[b]! >= 0, `draw ${b}: ${r[b]} < ${p[b]}`);
    const rl = summary[PAIR.ritRit]!.lossBarrier.draws;
    const pl = summary[PAIR.ptPt]!.lossBarrier.draws;
    for (let b = 0; b < rl.length; b++) assert.ok(rl[b]! - pl[b]! >= -1e-12, `loss draw ${b}`);
    // the same RI-T paths on another test set's resamples: the difference then changes sign
    const unpaired = barrierSummary('another domain', rits)[PAIR.ritRit]!.accuracyBarrier.draws;
    const gap = summary[PAIR.ritRit]!.accuracyBarrier.estimate - summary[PAIR.ptPt]!.accuracyBarrier.estimate;
    assert.ok(gap > 0 && gap < 0.1, `gap ${gap}`);
    assert.ok(
      unpaired.some((u, b) => u - p[b]! < 0),
      'unpaired draws cross 0',
    );
  });

  test('the interval narrows as the test set grows', () => {
    const width = (m: number) => {
      const e = outcomes(m, 0.85, `ends${m}`);
      const mid = and(e, outcomes(m, 0.6, `mid${m}`));
      const s = barrierSummary('real', [evaluated(PAIR.ritRit, path(e, mid))])[PAIR.ritRit]!.accuracyBarrier;
      const [lo, hi] = percentileInterval(s.draws);
      assert.ok(lo <= s.estimate && s.estimate <= hi);
      return hi - lo;
    };
    const [small, large] = [width(100), width(1600)];
    assert.ok(large < 0.5 * small, `width ${large} at n = 1600 vs ${small} at n = 100`);
  });

  test('replicateMean: draws average each picked pair on the same draw', () => {
    const perPair = [
      { estimate: 1, draws: [1, 10] },
      { estimate: 3, draws: [3, 30] },
    ];
    const r = replicateMean(perPair, [Uint32Array.of(0, 0), Uint32Array.of(0, 1)]);
    assert.equal(r.estimate, 2);
    assert.deepEqual(r.draws, [1, 20]);
    assert.deepEqual(replicateMean([{ estimate: 4 }, { estimate: 8 }], [Uint32Array.of(1, 1)]).draws, [8]);
    assert.throws(() => replicateMean([{ estimate: 1 }, { estimate: 2 }], [Uint32Array.of(0)]), /picks 1 of 2/);
    assert.throws(() => replicateMean(perPair, [Uint32Array.of(0, 1)]), /2 draws/);
  });
});

describe('the barrier stage on fake runs', () => {
  const root = mkdtempSync(join(tmpdir(), 'barrier-stage-'));
  let out: BarrierOutput;
  before(async () => {
    await initBackend({ backend: 'cpu', log: () => {} });
    const pt = await Promise.all(
      [0, 1, 2].map((s) => fakeRun(root, `finetune/real,P-T,seed=${s}`, { kind: 'P-T', lr: 0.02, seed: 10 + s })),
    );
    const rit = await Promise.all(
      [0, 1, 2].map((s) => fakeRun(root, `finetune/real,RI-T,seed=${s}`, { kind: 'RI-T', lr: 0.1, seed: 20 + s })),
    );
    const same = await fakeRun(root, 'finetune/real,RI-T,seed=5,same-init', { kind: 'RI-T', lr: 0.1, seed: 30, initKey: 'fresh-20' });
    const written = (await runStage(barrier, { points: 3 }, { pt, rit, ritSameInit: same, data: dataEntry(root) })).json.get(
      'barrier.json',
    );
    out = BarrierOutput.parse(written);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('writes every pair with its path, barriers and replicate index', () => {
    assert.equal(out.examples, TEST_IMAGES);
    assert.equal(out.points, 3);
    assert.equal(out.pairs.length, 11);
    assert.deepEqual(
      out.pairs.map((p) => `${p.pair} ${p.replicate}`),
      [
        ...[0, 1, 2].map((k) => `${PAIR.ptPt} ${k}`),
        ...[0, 1, 2].map((k) => `${PAIR.ritRit} ${k}`),
        ...[0, 1, 2].map((k) => `${PAIR.ritPt} ${k}`),
        `${PAIR.ritRitSameInit} 0`,
        `${PAIR.identical} 0`,
      ],
    );
    for (const p of out.pairs) {
      assert.equal(p.path.length, 3, p.pair);
      assert.deepEqual(
        p.path.map((x) => x.lambda),
        [0, 0.5, 1],
      );
      assert.equal(p.accuracyBarrier, accuracyBarrier(p.path), p.pair);
    }
    // λ = 0 is model a: every path from the same model starts at the same accuracy and loss
    const starts = out.pairs.filter((p) => p.a === 'finetune/real,P-T,seed=0').map((p) => p.path[0]!);
    assert.ok(starts.length >= 3);
    for (const s of starts) assert.deepEqual(s, { ...starts[0]!, lambda: 0 });
  });

  test('the control is the first P-T model with itself, exactly flat', () => {
    const c = out.pairs.find((p) => p.pair === PAIR.identical)!;
    assert.equal(c.a, 'finetune/real,P-T,seed=0');
    assert.equal(c.b, c.a);
    assert.equal(c.accuracyBarrier, 0);
    assert.equal(c.lossBarrier, 0);
    assert.equal(new Set(c.path.map((x) => x.accuracy)).size, 1);
    const s = out.summary[PAIR.identical]!;
    assert.equal(s.accuracyBarrier.draws.length, BOOTSTRAP_DRAWS);
    assert.ok(s.accuracyBarrier.draws.every((d) => d === 0) && s.lossBarrier.draws.every((d) => d === 0));
  });

  test('the summary: one entry per pair type, the mean over its replicate pairs', () => {
    assert.deepEqual(Object.keys(out.summary), [PAIR.ptPt, PAIR.ritRit, PAIR.ritPt, PAIR.ritRitSameInit, PAIR.identical]);
    for (const [pair, s] of Object.entries(out.summary)) {
      const rows = out.pairs.filter((p) => p.pair === pair);
      assert.equal(s.pairs, rows.length, pair);
      assert.ok(Math.abs(s.accuracyBarrier.estimate - rows.reduce((t, p) => t + p.accuracyBarrier, 0) / rows.length) < 1e-15, pair);
      assert.ok(Math.abs(s.lossBarrier.estimate - rows.reduce((t, p) => t + p.lossBarrier, 0) / rows.length) < 1e-12, pair);
      assert.equal(s.accuracyBarrier.draws.length, BOOTSTRAP_DRAWS, pair);
      assert.ok(
        s.accuracyBarrier.draws.every((d) => d >= 0),
        pair,
      );
    }
  });

  test('refuses a same-init run that does not share RI-T seed 0’s init', async () => {
    const pt = await Promise.all([0, 1].map((s) => fakeRun(root, `x/pt${s}`, { kind: 'P-T', lr: 0.02, seed: 40 + s })));
    const rit = await Promise.all([0, 1].map((s) => fakeRun(root, `x/rit${s}`, { kind: 'RI-T', lr: 0.1, seed: 50 + s })));
    const other = await fakeRun(root, 'x/other', { kind: 'RI-T', lr: 0.1, seed: 60 });
    await assert.rejects(
      runStage(barrier, { points: 3 }, { pt, rit, ritSameInit: other, data: dataEntry(root) }),
      /does not share the init/,
    );
  });
});
