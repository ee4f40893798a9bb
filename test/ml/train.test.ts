import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { initBackend } from '../../ml/backend.ts';
import { checkpointPath, listCheckpointEpochs, loadWeights, readCheckpoint } from '../../ml/checkpoint.ts';
import { FixupResNet } from '../../ml/model.ts';
import { learningRateAt, Sgd } from '../../ml/optimizer.ts';
import { tf } from '../../ml/tf.ts';
import { train, TrainingAbortedError, type EpochRecord, type TrainOptions } from '../../ml/train.ts';
import { moduleOf, type Weights } from '../../ml/weights.ts';
import { stripesDataset } from './synthetic.ts';
import { resumeTestOptions, TINY_MODEL } from './train-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'wt-train-'));
let n = 0;
const freshDir = () => join(root, `run-${n++}`);
before(async () => {
  await initBackend({ backend: 'wasm', log: () => {} });
});
after(() => rmSync(root, { recursive: true, force: true }));

const finalBytes = (dir: string, epoch: number) => readFileSync(`${checkpointPath(dir, epoch)}.bin`);
const withoutTimes = (h: EpochRecord[]) => h.map(({ seconds: _s, samplesPerSecond: _p, ...rest }) => rest);

describe('train', () => {
  it('a diverging run fails by default, and with onDivergence "stop" ends as a result with the last finite weights', async () => {
    const options = (onDivergence: 'error' | 'stop') => ({
      ...resumeTestOptions(freshDir()),
      config: { epochs: 3, batchSize: 32, lr: 1e6, seed: 2, onDivergence },
    });
    await assert.rejects(train(options('error')), /training diverged: loss .* lower the learning rate/);
    const r = await train(options('stop'));
    assert.ok(r.diverged, 'the divergence is reported');
    assert.equal(r.history.length, r.diverged.epoch, 'history holds the epochs before the divergence');
    for (const t of r.weights.values()) assert.ok(t.data.every(Number.isFinite), "weights are the last finished epoch's");
  });

  it('reaches > 90% train accuracy on a separable task within seconds', async () => {
    const r = await train({
      model: { height: 16, width: 16, channels: 3, classes: 4, widths: [8, 16], blocks: [1, 1] },
      train: stripesDataset({ count: 512 }),
      test: stripesDataset({ count: 256, split: 'test' }),
      config: { epochs: 3, batchSize: 32, lr: 0.05, seed: 1 },
      init: { kind: 'fresh' },
      checkpointDir: freshDir(),
    });
    const last = r.history.at(-1)!;
    assert.ok(last.trainAccuracy > 0.9, `train accuracy ${last.trainAccuracy}`);
    assert.ok(last.testAccuracy > 0.9, `test accuracy ${last.testAccuracy}`);
    assert.ok(r.history[0]!.trainAccuracy < 0.5, 'epoch 0 is evaluated before training');
    assert.deepEqual(
      r.history.map((h) => h.epoch),
      [0, 1, 2, 3],
    );
  });

  it('is bit-identical for the same seed (with mixup) and differs for another seed', async () => {
    const dirs = [freshDir(), freshDir(), freshDir()];
    const opts = (dir: string, seed: number): TrainOptions => ({
      ...resumeTestOptions(dir),
      config: { ...resumeTestOptions(dir).config, epochs: 2, seed },
    });
    const a = await train(opts(dirs[0]!, 5));
    const b = await train(opts(dirs[1]!, 5));
    const c = await train(opts(dirs[2]!, 6));
    assert.ok(finalBytes(dirs[0]!, 2).equals(finalBytes(dirs[1]!, 2)));
    assert.deepEqual(withoutTimes(a.history), withoutTimes(b.history));
    assert.deepEqual(a.weights, b.weights);
    assert.ok(!finalBytes(dirs[0]!, 2).equals(finalBytes(dirs[2]!, 2)));
    assert.notDeepEqual(c.weights, a.weights);
  });

  it('resumes after an abort bit-identically, and aborts only with the last checkpoint on disk', async () => {
    const reference = freshDir();
    const full = await train(resumeTestOptions(reference));

    const dir = freshDir();
    const controller = new AbortController();
    await assert.rejects(
      train({
        ...resumeTestOptions(dir),
        signal: controller.signal,
        onProgress: (p) => p.epoch === 3 && p.step === 2 && controller.abort(),
      }),
      (e: unknown) => e instanceof TrainingAbortedError && e.lastCheckpointEpoch === 2,
    );
    assert.deepEqual(listCheckpointEpochs(dir), [0, 1, 2]);
    const resumed = await train(resumeTestOptions(dir));
    assert.equal(resumed.resumedFrom, 2);
    assert.ok(finalBytes(dir, 4).equals(finalBytes(reference, 4)), 'final weights and momentum differ from the uninterrupted run');
    assert.deepEqual(withoutTimes(resumed.history), withoutTimes(full.history));
    assert.deepEqual(readCheckpoint(checkpointPath(dir, 4)).meta.rng, readCheckpoint(checkpointPath(reference, 4)).meta.rng);
    assert.deepEqual(
      resumed.history.map((h) => h.lr),
      [0.05, 0.05, 0.05, 0.05 * 0.1, 0.05 * 0.1],
    );
  });

  it('resumes bit-identically after the process is killed mid-epoch', async () => {
    const reference = freshDir();
    await train(resumeTestOptions(reference));
    const dir = freshDir();
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./train-child.ts', import.meta.url)), dir], {
      stdio: 'ignore',
      env: { ...process.env, WT_BACKEND: 'wasm' },
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 60_000;
    while (!existsSync(`${checkpointPath(dir, 2)}.json`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    const done = listCheckpointEpochs(dir);
    assert.ok(done.includes(2) && !done.includes(4), `checkpoints when killed: ${done}`);
    const resumed = await train(resumeTestOptions(dir));
    assert.ok(resumed.resumedFrom! >= 2);
    assert.ok(finalBytes(dir, 4).equals(finalBytes(reference, 4)));
  });

  it('refuses to resume a run with different settings from the same directory', async () => {
    const dir = freshDir();
    await train({ ...resumeTestOptions(dir), config: { ...resumeTestOptions(dir).config, epochs: 1 } });
    await assert.rejects(
      train({ ...resumeTestOptions(dir), config: { ...resumeTestOptions(dir).config, epochs: 1, lr: 0.1 } }),
      /belongs to a different training run/,
    );
  });

  it('P-T: loads every parameter but the head from the source, re-initialises the head', async () => {
    const sourceModel = new FixupResNet({ ...TINY_MODEL, classes: 6 });
    const source = sourceModel.init(42);
    for (const t of source.values()) t.data.forEach((v, i) => (t.data[i] = v + 0.01 * ((i % 7) - 3)));
    const dir = freshDir();
    const base = resumeTestOptions(dir);
    const r = await train({ ...base, config: { ...base.config, epochs: 1, initSeed: 9 }, init: { kind: 'pretrained', weights: source } });
    const start: Weights = loadWeights(checkpointPath(dir, 0)).weights;
    const target = new FixupResNet(TINY_MODEL);
    const freshHead = target.init(9);
    for (const [name, t] of start) {
      if (moduleOf(name) === 'fc') assert.deepEqual(t, freshHead.get(name), `${name} should be freshly initialised`);
      else assert.deepEqual(t, source.get(name), `${name} should equal the source`);
    }
    // nothing is frozen
    assert.notDeepEqual(r.weights.get('stem.conv'), source.get('stem.conv'));
    const bad = new Map(source);
    bad.delete('layer1.0.conv1');
    await assert.rejects(
      train({ ...base, checkpointDir: freshDir(), init: { kind: 'pretrained', weights: bad } }),
      /source weights lack layer1\.0\.conv1/,
    );
    const wrongShape = new FixupResNet({ ...TINY_MODEL, widths: [6, 8] }).init(0);
    await assert.rejects(
      train({ ...base, checkpointDir: freshDir(), init: { kind: 'pretrained', weights: wrongShape } }),
      /source layer2\.0\.conv1 is \[3,3,6,8\], this model needs \[3,3,6,12\]/,
    );
  });

  it('leaks no tensors across steps', async () => {
    const counts: number[] = [];
    const base = resumeTestOptions(freshDir());
    await train({
      ...base,
      config: { ...base.config, epochs: 2 },
      onProgress: (p) => p.phase === 'train' && counts.push(tf.memory().numTensors),
    });
    assert.ok(counts.length >= 20);
    assert.ok(
      counts.every((c) => c === counts[0]),
      `tensor counts vary: ${[...new Set(counts)]}`,
    );
    assert.ok(counts[0]! < 10, `tensors alive during training: ${counts[0]}`);
  });
});

describe('optimizer', () => {
  it('matches PyTorch SGD with momentum, weight decay and lr/10 for bias/scale', () => {
    const w: Weights = new Map([
      ['a.conv', { shape: [1], data: Float32Array.from([1]) }],
      ['a.bias', { shape: [1], data: Float32Array.from([1]) }],
    ]);
    const sgd = new Sgd({ momentum: 0.9, weightDecay: 0.1, smallParamLrFactor: 0.1 }, w);
    const g = new Map([
      ['a.conv', Float32Array.from([0.5])],
      ['a.bias', Float32Array.from([0.5])],
    ]);
    sgd.step(w, g, 1);
    // d = 0.5 + 0.1·1 = 0.6; buf = 0.6; p = 1 − lr·0.6
    assert.ok(Math.abs(w.get('a.conv')!.data[0]! - 0.4) < 1e-6);
    assert.ok(Math.abs(w.get('a.bias')!.data[0]! - 0.94) < 1e-6);
    sgd.step(w, g, 1);
    // buf = 0.9·0.6 + 0.5 + 0.1·0.4 = 1.08; p = 0.4 − 1.08
    assert.ok(Math.abs(w.get('a.conv')!.data[0]! - (0.4 - 1.08)) < 1e-6);
  });

  it('drops the lr after the given epochs', () => {
    assert.deepEqual(
      [1, 30, 31, 60, 61, 100].map((e) => learningRateAt(e, 1, [30, 60], 0.1)),
      [1, 1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002],
    );
  });
});
