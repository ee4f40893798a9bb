// Training of the Fixup ResNet: SGD (momentum, weight decay, lr/10 for bias/scale), step lr
// schedule, optional mixup, per-epoch evaluation and checkpoints, bit-identical resume.
//
// Everything random (init, data order, mixup) comes from the seeds, so the same options on the
// same backend give bit-identical weights. Checkpoint `epoch-0000` holds the initial weights,
// `epoch-000k` the weights after epoch k together with the optimizer momentum, the data RNG
// state and the history so far; a run restarted with the same options continues from the
// latest checkpoint in `checkpointDir` and produces the same bytes as an uninterrupted run.
// Resume checkpoints are sealed (a checksum over the whole record, not just the .bin); a
// checkpoint that does not verify is skipped for the newest one that does, or the run restarts
// (ml/resume.ts).
import { createHash } from 'node:crypto';
import type { Dataset } from '../data/dataset.ts';
import { augmentBatch } from './augment.ts';
import { initBackend, type BackendInfo } from './backend.ts';
import { BatchNormaliser, checkDatasetFitsModel } from './batches.ts';
import { checkpointPath, OPTIMIZER_PREFIX, readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { evaluateTensors, fixedSubset } from './evaluate.ts';
import { FixupResNet } from './model.ts';
import type { ModelConfig, ModelConfigInput } from './model-config.ts';
import { learningRateAt, Sgd } from './optimizer.ts';
import { chooseResumePoint, type SkippedCheckpoint } from './resume.ts';
import { Rng } from './rng.ts';
import { tf, type Scalar, type Tensor } from './tf.ts';
import { moduleOf, type ParamTensor, type Weights } from './weights.ts';

import { TrainConfigSchema, type TrainConfig, type TrainConfigInput } from './train-config.ts';

export { TrainConfigSchema, type TrainConfig, type TrainConfigInput };

/** RI-T: fresh Fixup init. P-T: every parameter from `weights` except the `reinit` modules (default the head). */
export type TrainInit = { kind: 'fresh' } | { kind: 'pretrained'; weights: Weights; reinit?: string[] };

export interface TrainProgress {
  phase: 'train' | 'eval';
  epoch: number;
  epochs: number;
  /** 1-based step within the epoch (0 during eval) */
  step: number;
  stepsPerEpoch: number;
  /** this step's training loss (NaN during eval) */
  loss: number;
  /** training samples per second over the epoch so far */
  samplesPerSecond: number;
  lr: number;
}

export interface EpochRecord {
  epoch: number;
  /** lr used during this epoch (for epoch 0: the lr epoch 1 will use) */
  lr: number;
  /** mean training loss (with mixup, if on) over the epoch's steps; null for epoch 0 */
  trainLoss: number | null;
  /** eval-mode accuracy / loss on clean training images (the fixed subset if trainEvalSize) */
  trainAccuracy: number;
  trainEvalLoss: number;
  testAccuracy: number;
  testLoss: number;
  /** training throughput of this epoch (0 for epoch 0) */
  samplesPerSecond: number;
  /** wall-clock seconds of this epoch including evaluation */
  seconds: number;
}

export interface TrainOptions {
  model: FixupResNet | ModelConfigInput;
  train: Dataset;
  test: Dataset;
  config: TrainConfigInput;
  init: TrainInit;
  /** where per-epoch checkpoints go (and a crashed run resumes from) */
  checkpointDir: string;
  onProgress?: (p: TrainProgress) => void;
  /** stops at the next step boundary (the last epoch checkpoint is on disk), throwing TrainingAbortedError */
  signal?: AbortSignal;
  /** notes about resuming (checkpoints skipped and why, a restart); default: stderr (a stage's log) */
  onLog?: (message: string) => void;
  /** cores the run may keep busy (a stage's context.cpus); default: every core */
  cpus?: number;
}

export interface Divergence {
  epoch: number;
  step: number;
  loss: number;
}

export interface TrainResult {
  /** set when the loss became non-finite and `onDivergence` is 'stop'; weights are then the last finished epoch's */
  diverged: Divergence | null;
  model: ModelConfig;
  weights: Weights;
  history: EpochRecord[];
  /** epoch of the checkpoint the run resumed from, or null for a fresh start */
  resumedFrom: number | null;
  /** checkpoints in checkpointDir that did not verify (moved to `rejected/`), with the reasons */
  skippedCheckpoints: SkippedCheckpoint[];
  backend: BackendInfo;
}

export class TrainingAbortedError extends Error {
  override name = 'AbortError';
  constructor(readonly lastCheckpointEpoch: number) {
    super(`training aborted; the latest checkpoint on disk is epoch ${lastCheckpointEpoch}`);
  }
}

interface RunState {
  epoch: number;
  weights: Weights;
  sgd: Sgd;
  rng: Rng;
  history: EpochRecord[];
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const backend = await initBackend({ cpus: options.cpus });
  const model = options.model instanceof FixupResNet ? options.model : new FixupResNet(options.model);
  const cfg = TrainConfigSchema.parse(options.config);
  checkDatasetFitsModel(options.train, model.config);
  checkDatasetFitsModel(options.test, model.config);
  const resumeKey = runResumeKey(model, cfg, options);
  const sgdOptions = { momentum: cfg.momentum, weightDecay: cfg.weightDecay, smallParamLrFactor: cfg.smallParamLrFactor };
  const trainEvalIndices = cfg.trainEvalSize ? fixedSubset(options.train.header.count, cfg.trainEvalSize, 'train-eval') : undefined;
  const stepsPerEpoch = Math.ceil(options.train.header.count / cfg.batchSize);
  const lrOf = (epoch: number) => learningRateAt(Math.max(1, epoch), cfg.lr, cfg.lrDropEpochs, cfg.lrDropFactor);

  const evaluateEpoch = (weights: Weights, epoch: number) => {
    options.onProgress?.({ phase: 'eval', epoch, epochs: cfg.epochs, step: 0, stepsPerEpoch, loss: NaN, samplesPerSecond: 0, lr: 0 });
    const params = model.toTensors(weights);
    try {
      const test = evaluateTensors(model, params, options.test, { batchSize: cfg.evalBatchSize });
      const trainEval = evaluateTensors(model, params, options.train, { batchSize: cfg.evalBatchSize, indices: trainEvalIndices });
      return { trainAccuracy: trainEval.accuracy, trainEvalLoss: trainEval.meanLoss, testAccuracy: test.accuracy, testLoss: test.meanLoss };
    } finally {
      for (const t of params.values()) t.dispose();
    }
  };
  const save = (s: RunState) =>
    writeCheckpoint(
      checkpointPath(options.checkpointDir, s.epoch),
      model.config,
      new Map<string, ParamTensor>([
        ...s.weights,
        ...[...s.sgd.momentumBuffers].map(([n, b]): [string, ParamTensor] => [
          OPTIMIZER_PREFIX + n,
          { shape: [...s.weights.get(n)!.shape], data: b },
        ]),
      ]),
      { epoch: s.epoch, resumeKey, rng: s.rng.state(), history: s.history, backend: { name: backend.name, version: backend.version } },
      { sealRecord: true },
    );

  const log = options.onLog ?? ((m: string) => void process.stderr.write(`${m}\n`));
  const { point, skipped: skippedCheckpoints } = chooseResumePoint(options.checkpointDir, model, resumeKey, log);
  let state: RunState | undefined = point && {
    epoch: point.epoch,
    weights: point.weights,
    sgd: new Sgd(sgdOptions, point.weights, point.buffers),
    rng: Rng.fromState(point.rng),
    history: point.history,
  };
  const resumedFrom = state ? state.epoch : null;
  if (!state) {
    const t0 = performance.now();
    const weights = initialWeights(model, options.init, cfg.initSeed ?? cfg.seed);
    state = { epoch: 0, weights, sgd: new Sgd(sgdOptions, weights), rng: Rng.from(cfg.seed, 'data'), history: [] };
    state.history.push({
      epoch: 0,
      lr: lrOf(1),
      trainLoss: null,
      ...evaluateEpoch(weights, 0),
      samplesPerSecond: 0,
      seconds: (performance.now() - t0) / 1000,
    });
    await save(state);
  }

  const stepper = new TrainStep(model, options.train, cfg.batchSize);
  const ids = model.params.map((p) => p.name);
  let diverged: Divergence | null = null;
  epochs: while (state.epoch < cfg.epochs) {
    const epoch = state.epoch + 1;
    const lr = lrOf(epoch);
    const t0 = performance.now();
    const order = state.rng.permutation(options.train.header.count);
    let lossSum = 0;
    for (let step = 1; step <= stepsPerEpoch; step++) {
      await new Promise<void>((r) => setImmediate(r));
      if (options.signal?.aborted) throw new TrainingAbortedError(state.epoch);
      const batch = order.subarray((step - 1) * cfg.batchSize, step * cfg.batchSize);
      const lambda = cfg.mixupAlpha > 0 ? state.rng.beta(cfg.mixupAlpha, cfg.mixupAlpha) : 1;
      const partner = cfg.mixupAlpha > 0 ? state.rng.permutation(batch.length) : undefined;
      const rng = state.rng;
      const augment =
        cfg.augment.flip || cfg.augment.pad
          ? (x: Float32Array, n: number) => augmentBatch(x, n, model.config, cfg.augment, rng)
          : undefined;
      const { loss, grads } = stepper.run(state.weights, ids, batch, lambda, partner, augment);
      if (!Number.isFinite(loss)) {
        if (cfg.onDivergence === 'error')
          throw new Error(`training diverged: loss ${loss} at epoch ${epoch} step ${step} (lr ${lr}); lower the learning rate`);
        diverged = { epoch, step, loss };
        state.weights = loadModelWeights(options.checkpointDir, state.epoch);
        break epochs;
      }
      state.sgd.step(state.weights, grads, lr);
      lossSum += loss;
      const done = Math.min(step * cfg.batchSize, options.train.header.count);
      options.onProgress?.({
        phase: 'train',
        epoch,
        epochs: cfg.epochs,
        step,
        stepsPerEpoch,
        loss,
        lr,
        samplesPerSecond: done / ((performance.now() - t0) / 1000),
      });
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    if (options.signal?.aborted) throw new TrainingAbortedError(state.epoch);
    const record: EpochRecord = {
      epoch,
      lr,
      trainLoss: lossSum / stepsPerEpoch,
      ...evaluateEpoch(state.weights, epoch),
      samplesPerSecond: options.train.header.count / trainSeconds,
      seconds: 0,
    };
    record.seconds = (performance.now() - t0) / 1000;
    state.history.push(record);
    state.epoch = epoch;
    await save(state);
  }
  return { model: model.config, weights: state.weights, history: state.history, resumedFrom, skippedCheckpoints, backend, diverged };
}

/** Builds batches (with mixup) and computes loss and gradients on the current backend (exported for bench/train.ts). */
export class TrainStep {
  private readonly norm: BatchNormaliser;
  private readonly x: Float32Array;
  private readonly partnerX: Float32Array;
  private readonly y: Float32Array;
  private readonly classes: number;
  private readonly gradFn: (params: Tensor[]) => { value: Scalar; grads: Tensor[] };
  private input: { x: Tensor; y: Tensor } | undefined;

  constructor(
    private readonly model: FixupResNet,
    private readonly data: Dataset,
    batchSize: number,
  ) {
    this.norm = new BatchNormaliser(data.header);
    this.classes = model.config.classes;
    this.x = new Float32Array(batchSize * this.norm.size);
    this.partnerX = new Float32Array(batchSize * this.norm.size);
    this.y = new Float32Array(batchSize * this.classes);
    const names = model.params.map((p) => p.name);
    this.gradFn = tf.valueAndGrads((...params: Tensor[]) => {
      const { x, y } = this.input!;
      const { logits } = model.forward(new Map(names.map((n, i) => [n, params[i]!])), x as never);
      return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1))) as Scalar;
    });
  }

  run(
    weights: Weights,
    ids: string[],
    batch: Uint32Array,
    lambda: number,
    partner: Uint32Array | undefined,
    augment?: (x: Float32Array, count: number) => void,
  ) {
    const b = batch.length;
    const { height, width, channels } = this.model.config;
    const size = this.norm.size;
    this.norm.fill(this.data, batch, this.x);
    augment?.(this.x, b);
    this.y.fill(0, 0, b * this.classes);
    for (let i = 0; i < b; i++) this.y[i * this.classes + this.data.labels[batch[i]!]!] = lambda;
    if (partner) {
      // mixup: x = λ·x_i + (1−λ)·x_partner(i), y likewise (the paper's λ·CE(y_a) + (1−λ)·CE(y_b))
      this.partnerX.set(this.x.subarray(0, b * size));
      for (let i = 0; i < b; i++) {
        const j = partner[i]!;
        for (let e = 0; e < size; e++)
          this.x[i * size + e] = lambda * this.partnerX[i * size + e]! + (1 - lambda) * this.partnerX[j * size + e]!;
        const k = i * this.classes + this.data.labels[batch[j]!]!;
        this.y[k] = this.y[k]! + (1 - lambda);
      }
    }
    let loss = NaN;
    const grads = new Map<string, Float32Array>();
    tf.tidy(() => {
      this.input = {
        x: tf.tensor4d(this.x.subarray(0, b * size), [b, height, width, channels]),
        y: tf.tensor2d(this.y.subarray(0, b * this.classes), [b, this.classes]),
      };
      const params = ids.map((n) => {
        const t = weights.get(n)!;
        return tf.tensor(t.data, t.shape);
      });
      const result = this.gradFn(params);
      loss = result.value.dataSync()[0]!;
      ids.forEach((n, i) => grads.set(n, result.grads[i]!.dataSync() as Float32Array));
      this.input = undefined;
    });
    return { loss, grads };
  }
}

/** The model parameters (not the optimizer state) of a run's checkpoint. */
function loadModelWeights(dir: string, epoch: number): Weights {
  return new Map([...readCheckpoint(checkpointPath(dir, epoch)).tensors].filter(([n]) => !n.startsWith(OPTIMIZER_PREFIX)));
}

function initialWeights(model: FixupResNet, init: TrainInit, seed: number | string): Weights {
  if (init.kind === 'fresh') return model.init(seed);
  const reinit = init.reinit ?? ['fc'];
  const body = new Map(
    model.params
      .filter((p) => !reinit.includes(p.module))
      .map((p) => {
        const t = init.weights.get(p.name);
        if (!t) throw new Error(`P-T init: the source weights lack ${p.name}`);
        if (t.shape.join() !== p.shape.join())
          throw new Error(
            `P-T init: source ${p.name} is [${t.shape}], this model needs [${p.shape}] (only the re-initialised modules ${reinit.join(', ')} may differ)`,
          );
        return [p.name, t];
      }),
  );
  return model.reinitModules(body, reinit, seed);
}

/** Identifies a run (model, training config, init and data): a checkpoint resumes only the run it was written by. */
function runResumeKey(model: FixupResNet, cfg: TrainConfig, options: TrainOptions): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      model: model.config,
      cfg,
      init: options.init.kind,
      reinit: options.init.kind === 'pretrained' ? (options.init.reinit ?? ['fc']) : [],
    }),
  );
  if (options.init.kind === 'pretrained')
    for (const [n, t] of options.init.weights)
      if (!(options.init.reinit ?? ['fc']).includes(moduleOf(n)))
        h.update(n).update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  for (const d of [options.train, options.test]) {
    h.update(JSON.stringify({ ...d.header, provenance: undefined }));
    h.update(d.images).update(new Uint8Array(d.labels.buffer, d.labels.byteOffset, d.labels.byteLength));
  }
  return h.digest('hex');
}
