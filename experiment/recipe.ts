// A profile's training recipe turned into each run's trainer config: the recipe with its lr
// drops as epochs, the run's lr and init stream, and augmentation only where the arm allows it.
import { lrDropEpochs, recipeOf, type TrainConfig } from '../ml/train-config.ts';
import type { Profile } from '../profiles/schema.ts';

export type Recipe = Profile['pretrain'] | Profile['finetune'];

export interface RunRandomness {
  /** data order, mixup and augmentation draws */
  seed: number;
  /** the fresh init's stream (init-streams.ts) */
  initKey: string;
}

/**
 * `augment: false` turns augmentation off whatever the recipe says: block-shuffled data and
 * the unshuffled baseline they are compared with train without it, as in the paper.
 */
export function trainConfig(
  r: Recipe,
  lr: number,
  rand: RunRandomness,
  opts: { augment: boolean; onDivergence: 'error' | 'stop' },
): Omit<TrainConfig, 'evalBatchSize'> {
  return {
    ...recipeOf(r),
    lr,
    lrDropEpochs: lrDropEpochs(r.epochs, r.lrDropFractions),
    augment: opts.augment ? r.augment : { flip: false, pad: 0 },
    seed: rand.seed,
    initSeed: rand.initKey,
    onDivergence: opts.onDivergence,
  };
}

/** Fig. 7's checkpoints: early epochs, each side of every lr drop, and the last. */
export function checkpointEpochs(p: Profile): number[] {
  if (p.checkpoints.epochs) return [...new Set(p.checkpoints.epochs)].sort((a, b) => a - b);
  const e = p.pretrain.epochs;
  const drops = lrDropEpochs(e, p.pretrain.lrDropFractions);
  const picks = [0, 1, 2, ...drops.flatMap((d) => [d - 1, d, d + 1]), e];
  return [...new Set(picks.filter((x) => x >= 0 && x <= e))].sort((a, b) => a - b);
}
