// A profile's training recipe turned into the trainer's config: lr drops at fractions of the
// epochs, the init stream, and augmentation only where the arm allows it.
import type { Profile } from '../profiles/schema.ts';

export type Recipe = Profile['pretrain'] | Profile['finetune'];

export interface RunRandomness {
  /** data order, mixup and augmentation draws */
  seed: number;
  /** the fresh init's stream (init-streams.ts) */
  initKey: string;
}

export function lrDropEpochs(r: Recipe): number[] {
  return [...new Set(r.lrDropFractions.map((f) => Math.round(f * r.epochs)))].filter((e) => e >= 1 && e < r.epochs);
}

/**
 * `augment: false` turns augmentation off whatever the recipe says: block-shuffled data and
 * the unshuffled baseline they are compared with train without it, as in the paper.
 */
export function trainConfig(r: Recipe, lr: number, rand: RunRandomness, opts: { augment: boolean; onDivergence: 'error' | 'stop' }) {
  return {
    epochs: r.epochs,
    batchSize: r.batchSize,
    lr,
    momentum: r.momentum,
    weightDecay: r.weightDecay,
    lrDropEpochs: lrDropEpochs(r),
    lrDropFactor: r.lrDropFactor,
    smallParamLrFactor: r.smallParamLrFactor,
    mixupAlpha: r.mixupAlpha,
    augment: opts.augment ? r.augment : { flip: false, pad: 0 },
    seed: rand.seed,
    initSeed: rand.initKey,
    onDivergence: opts.onDivergence,
    ...(r.trainEvalSize ? { trainEvalSize: r.trainEvalSize } : {}),
  };
}

/** Fig. 7's checkpoints: early epochs, each side of every lr drop, and the last. */
export function checkpointEpochs(p: Profile): number[] {
  if (p.checkpoints.epochs) return [...new Set(p.checkpoints.epochs)].sort((a, b) => a - b);
  const e = p.pretrain.epochs;
  const picks = [0, 1, 2, ...lrDropEpochs(p.pretrain).flatMap((d) => [d - 1, d, d + 1]), e];
  return [...new Set(picks.filter((x) => x >= 0 && x <= e))].sort((a, b) => a - b);
}
