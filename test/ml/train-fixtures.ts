// Shared training setups of the ML tests.
import type { TrainOptions } from '../../ml/train.ts';
import { stripesDataset } from './synthetic.ts';

export const TINY_MODEL = { height: 12, width: 12, channels: 3, classes: 4, widths: [6, 12], blocks: [1, 1] };

const trainSet = stripesDataset({ count: 384, size: 12, seed: 1 });
const testSet = stripesDataset({ count: 128, size: 12, seed: 1, split: 'test' });

/** 4 epochs with mixup, a step schedule and a train-eval subset: everything resume must restore. */
export function resumeTestOptions(checkpointDir: string): TrainOptions {
  return {
    model: TINY_MODEL,
    train: trainSet,
    test: testSet,
    config: { epochs: 4, batchSize: 32, lr: 0.05, lrDropEpochs: [2], mixupAlpha: 0.7, seed: 5, trainEvalSize: 100 },
    init: { kind: 'fresh' },
    checkpointDir,
  };
}
