// Reading trained models back from training entries, for the analyses.
import type { Upstream } from '../../engine/stage.ts';
import { loadWeights } from '../../ml/checkpoint.ts';
import { FixupResNet } from '../../ml/model.ts';
import type { Weights } from '../../ml/weights.ts';
import { checkpointIn } from './training.ts';
import { TrainingRun } from './schemas.ts';

export interface TrainedModel {
  id: string;
  run: TrainingRun;
  model: FixupResNet;
  /** weights after the last epoch */
  weights: Weights;
}

export function trainingRun(entry: Upstream): TrainingRun {
  return entry.json('run.json', TrainingRun);
}

export function finalModel(entry: Upstream): TrainedModel {
  const run = trainingRun(entry);
  if (run.diverged)
    throw new Error(
      `${entry.id} diverged at epoch ${run.diverged.epoch} (lr ${run.lr}), so it has no final model to analyse; lower that learning rate in the profile.`,
    );
  const { weights, model } = loadWeights(checkpointIn(entry, run.completedEpochs));
  return { id: entry.id, run, model: new FixupResNet(model), weights };
}

export function weightsAtEpoch(entry: Upstream, epoch: number): Weights {
  return loadWeights(checkpointIn(entry, epoch)).weights;
}

/** Two instances of the same config (paper: the `experiments` and `experiments-rep2` runs). */
export function pairOf<T>(list: T[], what: string): [T, T] {
  if (list.length < 2) throw new Error(`${what}: needs two instances, got ${list.length}`);
  return [list[0]!, list[1]!];
}
