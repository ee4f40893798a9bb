// The bootstrap draws of the training summaries (learning-curves, block-shuffle,
// checkpoint-transfer) on synthetic runs: draw counts, estimates, pairing on images across curves
// of one target, and the relative drop per draw.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import type { Upstream } from '../../engine/stage.ts';
import { Rng } from '../../ml/rng.ts';
import { blockShuffle, BlockShuffleOutput } from '../../stages/block-shuffle.ts';
import { checkpointTransfer, CheckpointTransferOutput } from '../../stages/checkpoint-transfer.ts';
import { BOOTSTRAP_DRAWS, combine, imageResamples, meanAt, replicateResamples } from '../../stages/common/bootstrap.ts';
import type { BlockSize, TrainingRun } from '../../stages/common/schemas.ts';
import { dropLabel } from '../../stages/figure-block-shuffle.ts';
import { learningCurves, LearningCurvesOutput } from '../../stages/learning-curves.ts';
import { replicateDraws } from '../../stages/run/learning-curves.ts';
import { runStage } from './fake-runs.ts';

const N = 60;

/** An in-memory upstream holding JSON files. */
function entry(id: string, files: Record<string, unknown>): Upstream {
  return {
    id,
    stage: id.split('/')[0]!,
    outputDigest: {} as Upstream['outputDigest'],
    dir: '/nonexistent',
    files: Object.keys(files),
    file: (name) => `/nonexistent/${name}`,
    json: <T>(name: string, schema?: z.ZodType<T>) => {
      if (!(name in files)) throw new Error(`${id} has no ${name}`);
      return (schema ? schema.parse(files[name]) : files[name]) as T;
    },
  };
}

interface Spec {
  kind: 'P-T' | 'RI-T';
  seed: number;
  lr: number;
  correct: number[];
  domain?: string;
  blockSize?: BlockSize | null;
  sourceEpoch?: number | null;
  speed?: number;
}

function runEntry(s: Spec): Upstream {
  const accuracy = s.correct.reduce((a, c) => a + c, 0) / s.correct.length;
  const run: TrainingRun = {
    kind: s.kind,
    domain: s.domain ?? 'real',
    blockSize: s.blockSize ?? null,
    shuffleDraw: s.blockSize ? 0 : null,
    seed: s.seed,
    initKey: `k${s.seed}`,
    lr: s.lr,
    sourceEpoch: s.sourceEpoch ?? (s.kind === 'P-T' ? 9 : null),
    epochs: 2,
    completedEpochs: 2,
    diverged: null,
    history: [0, 1, 2].map((epoch) => ({
      epoch,
      lr: s.lr,
      trainLoss: null,
      trainAccuracy: 0.5,
      trainEvalLoss: 1,
      testAccuracy: accuracy,
      testLoss: 1,
    })),
    optimizationSpeed: s.speed ?? 0.5,
    finalTestAccuracy: accuracy,
    finalTestLoss: 1,
  };
  const predictions = {
    predictions: s.correct.map(() => 0),
    correct: s.correct,
    losses: s.correct.map(() => 1),
    labels: s.correct.map(() => 0),
  };
  return entry(`finetune/${s.domain ?? 'real'},${s.kind},seed=${s.seed},lr=${s.lr},b=${s.blockSize}`, {
    'run.json': run,
    'predictions.json': predictions,
  });
}

/** 0/1 per image: right on `set`. */
const rightOn = (set: Set<number>) => Array.from({ length: N }, (_, i) => (set.has(i) ? 1 : 0));
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('learning-curves draws', () => {
  // RI-T replicate j is right on A minus one image; P-T replicate j on A plus one image: every P-T
  // is right on a superset of every RI-T's images, by a margin of one or two images only
  const rng = Rng.from(3, 'curves');
  const A = new Set([...rng.permutation(N)].slice(0, 30));
  const inA = [...A];
  const outA = [...Array(N).keys()].filter((i) => !A.has(i));
  const rit = [0, 1, 2].map((j) =>
    runEntry({ kind: 'RI-T', seed: j, lr: 0.1, correct: rightOn(new Set(inA.filter((i) => i !== inA[j]))), speed: 0.4 + 0.01 * j }),
  );
  const pt = [0, 1, 2].map((j) =>
    runEntry({ kind: 'P-T', seed: j, lr: 0.02, correct: rightOn(new Set([...inA, outA[j]!])), speed: 0.6 + 0.01 * j }),
  );
  const variants = [
    runEntry({ kind: 'P-T', seed: 0, lr: 0.1, correct: rightOn(A) }),
    runEntry({ kind: 'RI-T', seed: 0, lr: 0.02, correct: rightOn(A) }),
  ];

  test('one curve per (role, init), with BOOTSTRAP_DRAWS draws of the mean accuracy and speed', async () => {
    const { json } = await runStage(learningCurves, {}, { main: [...pt, ...rit], lrVariants: variants });
    const { curves } = LearningCurvesOutput.parse(json.get('learning-curves.json'));
    assert.equal(curves.length, 4);
    assert.deepEqual(
      curves.map((c) => [c.role, c.init, c.lr, c.seeds.length]),
      [
        ['main', 'P-T', 0.02, 3],
        ['main', 'RI-T', 0.1, 3],
        ['lr-variant', 'P-T', 0.1, 1],
        ['lr-variant', 'RI-T', 0.02, 1],
      ],
    );
    for (const c of curves) {
      assert.equal(c.finalTestAccuracyDraws.draws.length, BOOTSTRAP_DRAWS);
      assert.equal(c.optimizationSpeedDraws.draws.length, BOOTSTRAP_DRAWS);
      assert.ok(Math.abs(c.finalTestAccuracyDraws.estimate - c.finalTestAccuracy.mean) < 1e-12);
      assert.ok(Math.abs(c.optimizationSpeedDraws.estimate - c.optimizationSpeed.mean) < 1e-12);
    }
    const [p, r] = [curves[0]!, curves[1]!];
    assert.ok(Math.abs(p.finalTestAccuracyDraws.estimate - 31 / N) < 1e-12);
    assert.ok(Math.abs(r.finalTestAccuracyDraws.estimate - 29 / N) < 1e-12);
    assert.ok(Math.abs(p.optimizationSpeedDraws.estimate - 0.61) < 1e-12);
  });

  test('P-T − RI-T accuracy is ≥ 0 in every draw (the curves are paired on images), > 0 in some', async () => {
    const { json } = await runStage(learningCurves, {}, { main: [...pt, ...rit], lrVariants: [] });
    const { curves } = LearningCurvesOutput.parse(json.get('learning-curves.json'));
    const [p, r] = [curves.find((c) => c.init === 'P-T')!, curves.find((c) => c.init === 'RI-T')!];
    const diff = combine([p.finalTestAccuracyDraws, r.finalTestAccuracyDraws], (a, b) => a - b);
    assert.equal(diff.draws.length, BOOTSTRAP_DRAWS);
    for (const d of diff.draws) assert.ok(d >= -1e-12, `${d}`);
    assert.ok(diff.draws.some((d) => d > 0));
    // unpaired (another test set's images for RI-T), the same margin would often be negative
    const other = replicateDraws(
      rit.map((e) => ({ run: e.json<TrainingRun>('run.json'), correct: e.json<{ correct: number[] }>('predictions.json').correct })),
      'clipart',
      'x',
    );
    const unpaired = combine([p.finalTestAccuracyDraws, other.testAccuracyDraws], (a, b) => a - b);
    assert.ok(unpaired.draws.filter((d) => d < 0).length > 50);
  });

  test('draw b is the mean over the picked replicates of their accuracy on image resample b', () => {
    const reps = [0, 1].map((j) => ({ run: { optimizationSpeed: j }, correct: rightOn(new Set(inA.slice(j))) }));
    const got = replicateDraws(reps, 'real', 'real/P-T/main');
    const [images, picks] = [imageResamples('real', N), replicateResamples(2, 'real/P-T/main')];
    assert.equal(got.testAccuracyDraws.draws.length, BOOTSTRAP_DRAWS);
    for (const b of [0, 1, 500, 999]) {
      const want = mean(Array.from(picks[b]!, (j) => meanAt(reps[j]!.correct, images[b]!)));
      assert.ok(Math.abs(got.testAccuracyDraws.draws[b]! - want) < 1e-12);
      assert.ok(Math.abs(got.optimizationSpeedDraws.draws[b]! - mean(Array.from(picks[b]!))) < 1e-12);
    }
  });

  test('rejects shuffled runs, and keeps a replicate whose lr was changed (with --override) in its curve', async () => {
    const shuffled = runEntry({ kind: 'P-T', seed: 5, lr: 0.02, correct: rightOn(A), blockSize: 2 });
    await assert.rejects(runStage(learningCurves, {}, { main: [shuffled], lrVariants: [] }), /unshuffled fine-tuning runs/);
    const otherLr = runEntry({ kind: 'P-T', seed: 5, lr: 0.05, correct: rightOn(A) });
    const mixed = (await runStage(learningCurves, {}, { main: [...pt, otherLr], lrVariants: [] })).json.get('learning-curves.json') as {
      curves: { init: string; seeds: number[] }[];
    };
    const ptCurve = mixed.curves.find((c) => c.init === 'P-T')!;
    assert.ok(ptCurve.seeds.includes(5), 'the overridden replicate is part of the P-T curve');
  });
});

describe('block-shuffle draws', () => {
  const info = entry('data/real', {
    'info.json': { domain: 'real', classes: ['a'], height: 8, width: 8, channels: 3, train: 10, test: N, shuffle: null },
  });
  const rng = Rng.from(4, 'blocks');
  const random = (p: number) => Array.from({ length: N }, () => (rng.float() < p ? 1 : 0));
  const runs = ([null, 2] as const).flatMap((blockSize) =>
    [0, 1].flatMap((seed) => [
      runEntry({ kind: 'P-T', seed, lr: 0.02, blockSize, correct: random(blockSize === null ? 0.8 : 0.5), speed: 0.9 }),
      runEntry({ kind: 'RI-T', seed, lr: 0.1, blockSize, correct: random(0.4), speed: 0.6 }),
    ]),
  );
  const zero = [0, 1].flatMap((seed) => [
    runEntry({ kind: 'P-T', seed, lr: 0.02, blockSize: 4, correct: rightOn(new Set()) }),
    runEntry({ kind: 'RI-T', seed, lr: 0.1, blockSize: 4, correct: random(0.3) }),
  ]);

  test("each arm has accuracy and speed draws; the relative drop's draws are 100·(P − R)/P of the arms' draws", async () => {
    const { json } = await runStage(blockShuffle, {}, { runs: [...runs, ...zero], data: [info] });
    const { rows } = BlockShuffleOutput.parse(json.get('block-shuffle.json'));
    assert.deepEqual(
      rows.map((r) => r.blockSize),
      [2, 4, 8],
    );
    for (const r of rows.filter((x) => x.blockSize !== 4)) {
      for (const arm of [r.pt, r.rit]) {
        assert.equal(arm.testAccuracyDraws.draws.length, BOOTSTRAP_DRAWS);
        assert.equal(arm.optimizationSpeedDraws.draws.length, BOOTSTRAP_DRAWS);
        assert.ok(Math.abs(arm.testAccuracyDraws.estimate - arm.testAccuracy) < 1e-12);
      }
      const d = r.relativeDropDraws!;
      assert.equal(d.draws.length, BOOTSTRAP_DRAWS);
      assert.ok(Math.abs(d.estimate - r.relativeDrop!) < 1e-9, `${d.estimate} vs ${r.relativeDrop}`);
      d.draws.forEach((x, b) => {
        const [p, q] = [r.pt.testAccuracyDraws.draws[b]!, r.rit.testAccuracyDraws.draws[b]!];
        assert.ok(Math.abs(x - (p > 0 ? (100 * (p - q)) / p : 0)) < 1e-9);
      });
      for (const x of r.pt.optimizationSpeedDraws.draws) assert.ok(Math.abs(x - 0.9) < 1e-12);
    }
    const none = rows.find((x) => x.blockSize === 4)!;
    assert.equal(none.relativeDropDraws, null);
    assert.equal(none.relativeDrop, null);
  });

  test('the figure labels the drop with its interval', () => {
    const draws = Array.from({ length: 1001 }, (_, i) => 29 + (16 * i) / 1000);
    assert.equal(dropLabel({ relativeDropDraws: { estimate: 37.2, draws } }), '37% [29, 45]');
    assert.equal(dropLabel({ relativeDropDraws: null }), '');
  });
});

describe('checkpoint-transfer draws', () => {
  test('each point has accuracy and speed draws, over its replicates and images', async () => {
    const source = entry('pretrain/source', {
      'run.json': {
        ...runEntry({ kind: 'P-T', seed: 0, lr: 0.1, correct: [1] }).json<TrainingRun>('run.json'),
        kind: 'pretrain',
        sourceEpoch: null,
      },
    });
    const rng = Rng.from(5, 'ckpt');
    const runs = [0, 3, 9].flatMap((sourceEpoch) =>
      [0, 1].map((seed) =>
        runEntry({
          kind: 'P-T',
          seed,
          lr: 0.02,
          sourceEpoch,
          correct: Array.from({ length: N }, () => (rng.float() < 0.3 + sourceEpoch / 20 ? 1 : 0)),
        }),
      ),
    );
    const { json } = await runStage(checkpointTransfer, {}, { source, runs });
    const out = CheckpointTransferOutput.parse(json.get('checkpoint-transfer.json'));
    assert.equal(out.targets.length, 1);
    const points = out.targets[0]!.points;
    assert.deepEqual(
      points.map((p) => p.sourceEpoch),
      [0, 3, 9],
    );
    for (const p of points) {
      assert.equal(p.testAccuracyDraws.draws.length, BOOTSTRAP_DRAWS);
      assert.equal(p.optimizationSpeedDraws.draws.length, BOOTSTRAP_DRAWS);
      assert.ok(Math.abs(p.testAccuracyDraws.estimate - p.testAccuracy) < 1e-12);
      assert.equal(p.seeds.length, 2);
    }
  });
});
