// What the pretrain and finetune stages share: reading a dataset entry, building the model for
// it, training with checkpoints in the stage's scratch folder (so a crash resumes), and writing
// the outputs every analysis reads: per-epoch weights, the run summary and test predictions.
import { join } from 'node:path';
import type { Dataset } from '../../data/dataset.ts';
import { readDatasetFile } from '../../data/storage/dataset-file.ts';
import type { DepSpec, RunContext, Upstream } from '../../engine/stage.ts';
import { checkpointPath, listCheckpointEpochs, loadWeights, saveWeights } from '../../ml/checkpoint.ts';
import { evaluate } from '../../ml/evaluate.ts';
import { FixupResNet } from '../../ml/model.ts';
import { ModelConfigSchema, type ModelConfig } from '../../ml/model-config.ts';
import { type TrainConfig, type TrainInit, type TrainResult, train } from '../../ml/train.ts';
import type { Weights } from '../../ml/weights.ts';
import { DatasetInfo, type EpochRow, type Predictions, type TrainingRun } from './schemas.ts';

/** Architecture params a profile sets; size, channels and classes come from the data. */
export { ArchitectureParams, TrainingParams } from './training-params.ts';
import type { ArchitectureParams } from './training-params.ts';

export function readSplit(data: Upstream, split: 'train' | 'test'): Dataset {
  return readDatasetFile(data.file(`${split}.wtds`));
}

export function datasetInfo(data: Upstream): DatasetInfo {
  return data.json('info.json', DatasetInfo);
}

export function modelFor(arch: ArchitectureParams, info: DatasetInfo): ModelConfig {
  return ModelConfigSchema.parse({
    ...arch,
    height: info.height,
    width: info.width,
    channels: info.channels,
    classes: info.classes.length,
  });
}

/** `checkpoints/epoch-0007` inside an entry (the .json/.bin pair); a clear error if that epoch was not saved. */
export function checkpointIn(entry: Upstream, epoch: number): string {
  const name = checkpointPath('checkpoints', epoch);
  if (!entry.files.includes(`${name}.json`)) {
    const have = entry.files.filter((f) => /^checkpoints\/epoch-\d+\.json$/.test(f)).map((f) => Number(/(\d+)\.json$/.exec(f)![1]));
    throw new Error(
      `${entry.id} has no checkpoint for epoch ${epoch} (it has epochs ${have.join(', ')}); choose one of those in the profile.`,
    );
  }
  return join(entry.dir, name);
}

export function loadEntryWeights(entry: Upstream, epoch?: number): { weights: Weights; model: ModelConfig } {
  const run = entry.json('run.json') as TrainingRun;
  const { weights, model } = loadWeights(checkpointIn(entry, epoch ?? run.completedEpochs));
  return { weights, model };
}

interface TrainStageArgs {
  kind: TrainingRun['kind'];
  arch: ArchitectureParams;
  /** the stage's params, validated when the run was planned */
  config: TrainConfig;
  init: TrainInit;
  data: Upstream;
  sourceEpoch: number | null;
}

/** What training needs of a stage's context; pretrain's and finetune's differ only in params and deps. */
export type TrainingContext = Pick<
  RunContext<unknown, DepSpec>,
  'cpus' | 'scratchDir' | 'signal' | 'progress' | 'log' | 'setMetadata' | 'out' | 'writeJson'
>;

export async function trainAndWrite(ctx: TrainingContext, args: TrainStageArgs): Promise<TrainingRun> {
  const info = datasetInfo(args.data);
  const testSet = readSplit(args.data, 'test');
  const model = new FixupResNet(modelFor(args.arch, info));
  const result = await trainWithProgress(ctx, model, readSplit(args.data, 'train'), testSet, args);
  recordRunFacts(ctx, result, args.config);
  await copyCheckpoints(ctx, result);
  const run = trainingRun(args, info, result);
  ctx.writeJson('run.json', run);
  ctx.writeJson('predictions.json', testPredictions(model, result, testSet));
  ctx.log(
    `${args.kind} on ${info.domain}${run.blockSize !== null ? ` (block ${run.blockSize})` : ''}: test accuracy ${(100 * run.finalTestAccuracy).toFixed(1)}%, optimization speed ${(100 * run.optimizationSpeed).toFixed(1)}%`,
  );
  return run;
}

/** Trains with checkpoints in scratch (a crashed run resumes), reporting progress at most 4 times a second. */
function trainWithProgress(ctx: TrainingContext, model: FixupResNet, trainSet: Dataset, testSet: Dataset, args: TrainStageArgs) {
  let lastReport = 0;
  return train({
    model,
    train: trainSet,
    test: testSet,
    config: args.config,
    init: args.init,
    checkpointDir: join(ctx.scratchDir, 'checkpoints'),
    signal: ctx.signal,
    cpus: ctx.cpus,
    onProgress: (p) => {
      const now = performance.now();
      if (now - lastReport < 250 && p.step !== p.stepsPerEpoch) return;
      lastReport = now;
      ctx.progress({
        done: (p.epoch - 1) * p.stepsPerEpoch + p.step,
        total: p.epochs * p.stepsPerEpoch,
        message:
          p.phase === 'eval'
            ? `epoch ${p.epoch}/${p.epochs} eval`
            : `epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(3)} ${Math.round(p.samplesPerSecond)}/s`,
      });
    },
  });
}

/** The log lines and manifest metadata of a run: a resume, a divergence, the backend and the timings. */
function recordRunFacts(ctx: TrainingContext, result: TrainResult, config: TrainConfig): void {
  if (result.resumedFrom !== null) ctx.log(`resumed from the epoch-${result.resumedFrom} checkpoint of an interrupted run`);
  if (result.diverged)
    ctx.log(
      `the loss became ${result.diverged.loss} at epoch ${result.diverged.epoch} step ${result.diverged.step} (lr ${config.lr}): training stopped there, as a result (the paper's "failed to converge")`,
    );
  ctx.setMetadata('backend', result.backend);
  ctx.setMetadata(
    'epochSeconds',
    result.history.map((h) => h.seconds),
  );
  ctx.setMetadata(
    'samplesPerSecond',
    result.history.map((h) => h.samplesPerSecond),
  );
}

/** Weights only (no optimizer state, no timings): outputs must be the same bytes on every rerun. */
async function copyCheckpoints(ctx: TrainingContext, result: TrainResult): Promise<void> {
  const scratch = join(ctx.scratchDir, 'checkpoints');
  for (const epoch of listCheckpointEpochs(scratch)) {
    const { weights } = loadWeights(checkpointPath(scratch, epoch));
    await saveWeights(ctx.out(checkpointPath('checkpoints', epoch)), result.model, weights, { epoch });
  }
}

function trainingRun(args: TrainStageArgs, info: DatasetInfo, result: TrainResult): TrainingRun {
  const config = args.config;
  const history: EpochRow[] = result.history.map(({ epoch, lr, trainLoss, trainAccuracy, trainEvalLoss, testAccuracy, testLoss }) => ({
    epoch,
    lr,
    trainLoss,
    trainAccuracy,
    trainEvalLoss,
    testAccuracy,
    testLoss,
  }));
  const trained = history.filter((h) => h.epoch > 0);
  const last = history.at(-1)!;
  return {
    kind: args.kind,
    domain: info.domain,
    blockSize: info.shuffle?.blockSize ?? null,
    shuffleDraw: info.shuffle ? info.shuffle.draw : null,
    seed: Number(config.seed),
    initKey: String(config.initSeed ?? config.seed),
    lr: config.lr,
    sourceEpoch: args.sourceEpoch,
    epochs: config.epochs,
    completedEpochs: last.epoch,
    diverged: result.diverged ? { epoch: result.diverged.epoch, step: result.diverged.step } : null,
    history,
    optimizationSpeed: trained.length ? trained.reduce((s, h) => s + h.trainAccuracy, 0) / trained.length : last.trainAccuracy,
    finalTestAccuracy: last.testAccuracy,
    finalTestLoss: last.testLoss,
  };
}

/** Every test example's prediction, correctness, loss and label: what the mistakes analysis compares. */
function testPredictions(model: FixupResNet, result: TrainResult, testSet: Dataset): Predictions {
  const evalResult = evaluate(model, result.weights, testSet);
  return {
    predictions: [...evalResult.predictions],
    correct: [...evalResult.correct] as (0 | 1)[],
    losses: [...evalResult.losses].map((l) => Math.round(l * 1e6) / 1e6),
    labels: [...testSet.labels],
  };
}
