// What the pretrain and finetune stages share: reading a dataset entry, building the model for
// it, training with checkpoints in the stage's scratch folder (so a crash resumes), and writing
// the outputs every analysis reads: per-epoch weights, the run summary and test predictions.
import { join } from 'node:path';
import type { z } from 'zod';
import type { Dataset } from '../../data/dataset.ts';
import { readDatasetFile } from '../../data/storage/dataset-file.ts';
import type { RunContext, Upstream } from '../../engine/stage.ts';
import { checkpointPath, listCheckpointEpochs, loadWeights, saveWeights } from '../../ml/checkpoint.ts';
import { evaluate } from '../../ml/evaluate.ts';
import { FixupResNet } from '../../ml/model.ts';
import { ModelConfigSchema, type ModelConfig } from '../../ml/model-config.ts';
import { train, TrainConfigSchema, type TrainInit } from '../../ml/train.ts';
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
  config: z.input<typeof TrainConfigSchema>;
  init: TrainInit;
  data: Upstream;
  sourceEpoch: number | null;
}

export async function trainAndWrite(ctx: RunContext<unknown, Record<string, never>>, args: TrainStageArgs): Promise<TrainingRun> {
  const info = datasetInfo(args.data);
  const trainSet = readSplit(args.data, 'train');
  const testSet = readSplit(args.data, 'test');
  const model = new FixupResNet(modelFor(args.arch, info));
  const config = TrainConfigSchema.parse(args.config);
  let lastReport = 0;
  const result = await train({
    model,
    train: trainSet,
    test: testSet,
    config,
    init: args.init,
    checkpointDir: join(ctx.scratchDir, 'checkpoints'),
    signal: ctx.signal,
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

  // Weights only (no optimizer state, no timings): outputs must be the same bytes on every rerun.
  for (const epoch of listCheckpointEpochs(join(ctx.scratchDir, 'checkpoints'))) {
    const { weights } = loadWeights(checkpointPath(join(ctx.scratchDir, 'checkpoints'), epoch));
    await saveWeights(ctx.out(`checkpoints/epoch-${String(epoch).padStart(4, '0')}`), result.model, weights, { epoch });
  }
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
  const run: TrainingRun = {
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
  ctx.writeJson('run.json', run);

  const evalResult = evaluate(model, result.weights, testSet);
  const predictions: Predictions = {
    predictions: [...evalResult.predictions],
    correct: [...evalResult.correct] as (0 | 1)[],
    losses: [...evalResult.losses].map((l) => Math.round(l * 1e6) / 1e6),
    labels: [...testSet.labels],
  };
  ctx.writeJson('predictions.json', predictions);
  ctx.log(
    `${args.kind} on ${info.domain}${run.blockSize !== null ? ` (block ${run.blockSize})` : ''}: test accuracy ${(100 * run.finalTestAccuracy).toFixed(1)}%, optimization speed ${(100 * run.optimizationSpeed).toFixed(1)}%`,
  );
  return run;
}
