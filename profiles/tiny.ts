// tiny: every stage kind at toy size, for tests and for trying a change end to end in ~2 minutes.
// Not for science.
import type { ProfileInput } from './schema.ts';

export const tiny: ProfileInput = {
  name: 'tiny',
  description: 'every stage kind at toy size (tests, smoke runs); the numbers mean nothing',
  suite: {
    kind: 'embedded',
    size: 16,
    channels: 3,
    source: { classes: 8, train: 160, test: 80 },
    targets: { classes: 4, train: 80, test: 40 },
    xray: { train: 40, test: 20 },
    domains: ['real', 'quickdraw'],
  },
  arch: { widths: [4, 8], blocks: [1, 1] },
  pretrain: { epochs: 2, batchSize: 32, lr: 0.05 },
  finetune: { epochs: 2, batchSize: 32, lrPT: 0.01, lrRIT: 0.05 },
  seeds: [0, 1],
  shuffle: { targets: ['real'], blockSizes: [4, '*'] },
  checkpoints: { targets: ['real'], epochs: [0, 1] },
  lrVariants: true,
  analyses: {
    cka: { examples: 20 },
    barrier: { points: 5 },
    criticality: { modules: ['stem'], alphas: 3, sigmas: [0.05, 0.1], draws: 1, examples: 40 }, // every σ > 0: σ = 0 would divide μ by zero
    mistakes: { gridImages: 8 },
  },
};
