// default: what `npx tsx pipeline.ts figures` runs — the embedded suite at 16×16, a small Fixup
// ResNet, sized for a 2-core CPU laptop (see README for the measured wall time) while keeping every
// figure's structure: 4 targets × P-T/RI-T × 2 seeds, 5 shuffle levels, 7 pre-training checkpoints.
// Scaled-down choices: 10 target classes of 200 training images (RI-T must learn enough in 12 epochs
// for barriers and mistakes to mean anything), lr drops at 1/2 and 3/4 of fine-tuning (the paper's
// 30/60/90 of 100 leave too few full-lr epochs when there are only 12).
import type { ProfileInput } from './schema.ts';

export const defaultProfile: ProfileInput = {
  name: 'default',
  description: 'the embedded domain suite at 16×16 on a small Fixup ResNet, sized for a 2-core CPU',
  suite: {
    kind: 'embedded',
    size: 16,
    channels: 3,
    source: { classes: 40, train: 8000, test: 1000 },
    targets: { classes: 10, train: 2000, test: 500 },
    xray: { train: 2000, test: 500 },
    domains: ['real', 'clipart', 'quickdraw', 'xray'],
  },
  arch: { widths: [16, 32, 64], blocks: [1, 1, 1] },
  pretrain: { epochs: 12, batchSize: 32, lr: 0.1, lrDropFractions: [1 / 3, 2 / 3], trainEvalSize: 1000 },
  finetune: { epochs: 12, batchSize: 32, lrPT: 0.02, lrRIT: 0.1, lrDropFractions: [0.5, 0.75], trainEvalSize: 500 },
  seeds: [0, 1],
  shuffle: { targets: ['real', 'clipart', 'quickdraw'], blockSizes: ['*', 1, 2, 4, 8] },
  checkpoints: { targets: ['real', 'clipart', 'quickdraw'], epochs: [0, 1, 3, 5, 7, 9, 12] },
  lrVariants: true,
  analyses: {
    cka: { examples: 500 },
    barrier: { points: 21 },
    criticality: { targets: ['real', 'xray'], modules: ['stem', 'layer3.0'], alphas: 6, sigmas: [0, 0.05, 0.1, 0.2, 0.4], draws: 3, examples: 500 },
    mistakes: { gridImages: 24 },
  },
};
