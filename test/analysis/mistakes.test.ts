// Mistakes with replicate pairs and bootstrap draws: κ and overlap (with their 0/0 conventions),
// the pairs the stage compares, the summary's mean and draws (the identical control exactly 1,
// draws paired on images across pair types, intervals narrowing with more test images), and the
// stage itself on fake predictions.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compareMistakes, kappaOf, mistakeDraws } from '../../ml/analysis/mistakes.ts';
import { Rng } from '../../ml/rng.ts';
import { BOOTSTRAP_DRAWS, imageResamples, percentileInterval } from '../../stages/common/bootstrap.ts';
import { PAIR } from '../../stages/common/pairs.ts';
import { mistakePairs, mistakes, MistakesOutput, mistakesSummary } from '../../stages/mistakes.ts';
import { dataEntry, runStage, TEST_IMAGES, upstream } from './fake-runs.ts';

function outcomes(n: number, p: number, seed: string): Uint8Array {
  const rng = Rng.from('mistakes-test', seed);
  return Uint8Array.from({ length: n }, () => (rng.float() < p ? 1 : 0));
}
const pairOf = (pair: string, a: Uint8Array, b: Uint8Array) => {
  const c = compareMistakes(a, b);
  return { pair, kappa: c.kappa, overlap: c.overlap, correctA: a, correctB: b };
};

describe('κ and overlap', () => {
  test('identical outcomes: κ 1 and overlap 1', () => {
    const a = outcomes(300, 0.7, 'a');
    const c = compareMistakes(a, a);
    assert.equal(c.kappa, 1);
    assert.equal(c.overlap, 1);
    assert.equal(c.common + c.bothRight, 300);
  });

  test('0/0 conventions: both right (or both wrong) everywhere → κ 1; one constant model → κ 0; no mistakes → overlap 1', () => {
    const ones = new Uint8Array(10).fill(1);
    const zeros = new Uint8Array(10);
    assert.equal(compareMistakes(ones, ones).kappa, 1);
    assert.equal(compareMistakes(ones, ones).overlap, 1);
    assert.equal(compareMistakes(zeros, zeros).kappa, 1);
    assert.equal(compareMistakes(ones, Uint8Array.of(1, 1, 0, 1, 1, 1, 1, 0, 1, 1)).kappa, 0);
    assert.equal(compareMistakes(ones, zeros).kappa, 0);
    assert.throws(() => kappaOf({ common: 0, onlyAWrong: 0, onlyBWrong: 0, bothRight: 0 }), /no examples/);
  });

  test('κ by hand, and independent models near 0', () => {
    // 2 both right, 2 both wrong, 1 only A wrong, 1 only B wrong: observed 4/6, chance ½·½ + ½·½
    const c = compareMistakes([1, 0, 0, 1, 1, 0], [1, 0, 1, 0, 1, 0]);
    assert.ok(Math.abs(c.kappa - (4 / 6 - 0.5) / 0.5) < 1e-15);
    const ind = compareMistakes(outcomes(20000, 0.6, 'x'), outcomes(20000, 0.6, 'y'));
    assert.ok(Math.abs(ind.kappa) < 0.03, `κ ${ind.kappa}`);
  });

  test('mistakeDraws on the identity resample is the statistic on the data', () => {
    const [a, b] = [outcomes(100, 0.7, 'a'), outcomes(100, 0.6, 'b')];
    const d = mistakeDraws(a, b, [Uint32Array.from({ length: 100 }, (_, i) => i)]);
    const c = compareMistakes(a, b);
    assert.equal(d.kappa.length, 1);
    assert.ok(Math.abs(d.kappa[0]! - c.kappa) < 1e-12);
    assert.ok(Math.abs(d.overlap[0]! - c.overlap) < 1e-12);
  });
});

describe('the compared pairs', () => {
  const plan = mistakePairs(['pt0', 'pt1', 'pt2'], ['rit0', 'rit1', 'rit2']);
  test('within P-T, P-T × RI-T (i ≠ j), within RI-T, and the control', () => {
    const of = (pair: string) => plan.filter((p) => p.pair === pair);
    assert.deepEqual(
      [PAIR.ptPt, PAIR.ptRit, PAIR.ritRit, PAIR.identical].map((p) => of(p).length),
      [3, 6, 3, 1],
    );
    assert.equal(plan.length, 13);
    for (const p of of(PAIR.ptRit)) assert.notEqual(p.a.slice(-1), p.b.slice(-1));
    assert.deepEqual(
      of(PAIR.ptRit).map((p) => p.replicate),
      [0, 1, 2, 3, 4, 5],
    );
    assert.deepEqual(
      of(PAIR.identical).map((p) => [p.a, p.b]),
      [['pt0', 'pt0']],
    );
    assert.deepEqual([of(PAIR.ptRit)[0]!.a, of(PAIR.ptRit)[0]!.b], ['pt0', 'rit1']);
  });
});

describe('the mistakes summary on synthetic outcomes', () => {
  const n = 500;
  const x = outcomes(n, 0.7, 'x');
  const y = outcomes(n, 0.7, 'y');
  // y2 makes y's mistakes less a fifth of those x does not make: overlap(x, y2) = w(both wrong) /
  // w(either wrong) has the same numerator and a smaller denominator than overlap(x, y), for
  // every weighting of the images (every resample)
  const drop = outcomes(n, 0.2, 'drop');
  const y2 = y.map((v, i) => v | (x[i]! & drop[i]!));
  const pts = [pairOf(PAIR.ptPt, x, y2)];
  const mixed = [pairOf(PAIR.ptRit, x, y)];
  const rits = [0, 1, 2].map((k) => pairOf(PAIR.ritRit, outcomes(n, 0.5, `r${k}`), outcomes(n, 0.5, `s${k}`)));
  const summary = mistakesSummary('real', [...pts, ...mixed, ...rits, pairOf(PAIR.identical, x, x)]);

  test('one entry per pair type with BOOTSTRAP_DRAWS draws; the estimate is the mean over replicate pairs', () => {
    assert.deepEqual(Object.keys(summary), [PAIR.ptPt, PAIR.ptRit, PAIR.ritRit, PAIR.identical]);
    for (const s of Object.values(summary)) {
      assert.equal(s.kappa.draws.length, BOOTSTRAP_DRAWS);
      assert.equal(s.overlap.draws.length, BOOTSTRAP_DRAWS);
    }
    assert.equal(summary[PAIR.ritRit]!.pairs, 3);
    assert.equal(summary[PAIR.ritRit]!.kappa.estimate, (rits[0]!.kappa + rits[1]!.kappa + rits[2]!.kappa) / 3);
    assert.equal(summary[PAIR.ritRit]!.overlap.estimate, (rits[0]!.overlap + rits[1]!.overlap + rits[2]!.overlap) / 3);
    assert.equal(summary[PAIR.ptPt]!.kappa.estimate, pts[0]!.kappa);
  });

  test('the identical control is exactly κ 1 and overlap 1 with zero-width draws', () => {
    const s = summary[PAIR.identical]!;
    assert.equal(s.kappa.estimate, 1);
    assert.ok(s.kappa.draws.every((d) => d === 1));
    assert.ok(s.overlap.draws.every((d) => d === 1));
  });

  test('draws are paired on images: overlap(P-T & P-T) − overlap(P-T & RI-T) ≥ 0 on every draw (not so unpaired)', () => {
    const p = summary[PAIR.ptPt]!.overlap.draws;
    const m = summary[PAIR.ptRit]!.overlap.draws;
    assert.equal(p.length, m.length);
    for (let b = 0; b < p.length; b++) assert.ok(p[b]! - m[b]! >= 0, `draw ${b}`);
    const gap = summary[PAIR.ptPt]!.overlap.estimate - summary[PAIR.ptRit]!.overlap.estimate;
    assert.ok(gap > 0 && gap < 0.05, `gap ${gap}`);
    // on another test set's resamples the difference changes sign
    const unpaired = mistakesSummary('another domain', pts)[PAIR.ptPt]!.overlap.draws;
    assert.ok(
      unpaired.some((v, b) => v - m[b]! < 0),
      'unpaired draws cross 0',
    );
    // the same pair under another name has the very same draws
    const again = mistakesSummary('real', [pairOf(PAIR.ptRit, x, y), pairOf(PAIR.ritRit, x, y)]);
    assert.deepEqual(again[PAIR.ptRit]!.kappa.draws, again[PAIR.ritRit]!.kappa.draws);
    assert.deepEqual(again[PAIR.ptRit]!.kappa.draws, summary[PAIR.ptRit]!.kappa.draws);
  });

  test('the interval narrows as the test set grows', () => {
    const width = (k: number) => {
      const s = mistakesSummary('real', [pairOf(PAIR.ptPt, outcomes(k, 0.7, `a${k}`), outcomes(k, 0.7, `b${k}`))])[PAIR.ptPt]!.kappa;
      const [lo, hi] = percentileInterval(s.draws);
      assert.ok(lo <= s.estimate && s.estimate <= hi);
      return hi - lo;
    };
    const [small, large] = [width(100), width(1600)];
    assert.ok(large < 0.5 * small, `width ${large} at n = 1600 vs ${small} at n = 100`);
  });

  test('the image resamples are those of the test set', () => {
    const d = mistakeDraws(x, y, imageResamples('real', n));
    assert.deepEqual([...d.kappa], summary[PAIR.ptRit]!.kappa.draws);
  });
});

describe('the mistakes stage on fake predictions', () => {
  const root = mkdtempSync(join(tmpdir(), 'mistakes-stage-'));
  let out: MistakesOutput;
  let files: string[];
  /** a finished run's predictions.json: right where `correct` is 1 */
  function run(id: string, seed: number) {
    const dir = join(root, id.replace(/[^\w]/g, '_'));
    mkdirSync(dir, { recursive: true });
    const correct = Array.from(outcomes(TEST_IMAGES, 0.6, `run${seed}`));
    const labels = correct.map((_, i) => i % 4);
    writeFileSync(
      join(dir, 'predictions.json'),
      JSON.stringify({
        correct,
        labels,
        predictions: labels.map((l, i) => (correct[i] ? l : (l + 1) % 4)),
        losses: correct.map((c) => 2 - c),
      }),
    );
    return upstream(id, dir, ['predictions.json']);
  }
  before(async () => {
    const pt = [0, 1, 2].map((s) => run(`finetune/real,P-T,seed=${s}`, s));
    const rit = [0, 1, 2].map((s) => run(`finetune/real,RI-T,seed=${s}`, 10 + s));
    const r = await runStage(mistakes, { gridImages: 4 }, { pt, rit, data: dataEntry(root) });
    out = MistakesOutput.parse(r.json.get('mistakes.json'));
    files = r.files;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('writes every pair, counts adding up, and the summary', () => {
    assert.equal(out.pairs.length, 13);
    for (const p of out.pairs) assert.equal(p.common + p.onlyAWrong + p.onlyBWrong + p.bothRight, TEST_IMAGES, p.pair);
    assert.deepEqual(Object.keys(out.summary), [PAIR.ptPt, PAIR.ptRit, PAIR.ritRit, PAIR.identical]);
    for (const [pair, s] of Object.entries(out.summary)) {
      const rows = out.pairs.filter((p) => p.pair === pair);
      assert.equal(s.pairs, rows.length);
      assert.ok(Math.abs(s.kappa.estimate - rows.reduce((t, p) => t + p.kappa, 0) / rows.length) < 1e-12, pair);
      assert.equal(s.kappa.draws.length, BOOTSTRAP_DRAWS);
    }
    const c = out.pairs.find((p) => p.pair === PAIR.identical)!;
    assert.deepEqual([c.a, c.b, c.kappa, c.onlyAWrong, c.onlyBWrong], ['finetune/real,P-T,seed=0', 'finetune/real,P-T,seed=0', 1, 0, 0]);
    assert.ok(out.summary[PAIR.identical]!.kappa.draws.every((d) => d === 1));
  });

  test('the grids come from the first P-T & RI-T pair', () => {
    const first = out.pairs.find((p) => p.pair === PAIR.ptRit && p.replicate === 0)!;
    assert.deepEqual([first.a, first.b], ['finetune/real,P-T,seed=0', 'finetune/real,RI-T,seed=1']);
    assert.equal(out.examples['both-wrong']!.length, Math.min(4, first.common));
    assert.equal(out.examples['pt-right-rit-wrong']!.length, Math.min(4, first.onlyBWrong));
    for (const e of out.examples['pt-right-rit-wrong']!) assert.ok(e.pt === e.label && e.rit !== e.label);
    assert.deepEqual(
      files.sort(),
      ['both-wrong', 'pt-right-rit-wrong', 'pt-wrong-rit-right']
        .filter((g) => out.examples[g]!.length)
        .map((g) => `${g}.png`)
        .sort(),
    );
  });
});
