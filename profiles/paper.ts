// paper: the paper's settings (datasets, recipes, grids), for a user with a GPU and the real datasets.
// Put (or symlink) the data under datasets/ in the project: relative paths keep fingerprints
// the same on every machine.
//   datasets/imagenet/             ILSVRC-2012 train as <class>/<images> (plus train/ and test/ split folders, or a seeded split)
//   datasets/domainnet/{real,clipart,quickdraw}/  with DomainNet's <domain>_train.txt / <domain>_test.txt
// Not reproduced: CheXpert (5-label multi-label with AUC); the embedded `xray` domain stands in.
import type { ProfileInput } from './schema.ts';

const DOMAINNET = (domain: string) => ({ root: `datasets/domainnet/${domain}`, domain, maxPerSplit: 50_000 });

export const paper: ProfileInput = {
  name: 'paper',
  description: 'the paper’s settings on ImageNet → DomainNet (real, clipart, quickdraw); needs the datasets and a GPU',
  suite: {
    kind: 'image-folder',
    size: 224,
    channels: 3,
    source: { root: 'datasets/imagenet', domain: 'imagenet' },
    targets: [DOMAINNET('real'), DOMAINNET('clipart'), DOMAINNET('quickdraw')],
  },
  // The paper used a Fixup ResNet-50 (bottleneck blocks [3, 4, 6, 3]); this model has basic blocks.
  arch: { widths: [64, 128, 256, 512], blocks: [3, 4, 6, 3] },
  // Augmentation: the paper's RandomResizedCrop + flip, approximated by a shift of ≤ 1/8 of the side
  // and a flip; the block-shuffle arms and their baseline run without it, as in the paper.
  pretrain: { epochs: 90, batchSize: 256, lr: 0.1, lrDropFractions: [30 / 90, 60 / 90], mixupAlpha: 0.7, augment: { flip: true, pad: 28 } },
  finetune: {
    epochs: 100,
    batchSize: 32,
    lrPT: 0.02 / 8,
    lrRIT: 0.1 / 8,
    lrDropFractions: [0.3, 0.6, 0.9],
    mixupAlpha: 0.7,
    smallParamLrFactor: 0.1,
    augment: { flip: true, pad: 28 },
  },
  seeds: [0, 1, 2],
  // 112-pixel blocks are 4 blocks of a 224 image, and RandomState(1234).permutation(4) is the
  // identity: the paper's own block-112 arm with seed 1234 was the unshuffled data. 'redraw' takes
  // the next permutation of the same seed instead (recorded as its draw, shown on Fig. 3).
  shuffle: {
    targets: ['real', 'clipart', 'quickdraw'],
    blockSizes: ['*', 1, 2, 4, 7, 8, 14, 16, 28, 32, 56, 112],
    seedBase: 1234,
    replicates: 3,
    weakPermutations: 'redraw',
  },
  checkpoints: { targets: ['real', 'clipart', 'quickdraw'], epochs: [0, 1, 2, 5, 10, 29, 30, 31, 59, 60, 61, 89, 90], replicates: 2 },
  lrVariants: true,
  analyses: {
    cka: { examples: 2000 },
    barrier: { points: 50 },
    // the reference grid (Chatterji et al.'s code): 11 α, σ = linspace(1e-16, 1, 11) × ratio 1, 10
    // draws; its 1e-16 stands in for σ = 0 (μ ≈ 1e32 for the unperturbed model), so only its ten σ > 0
    criticality: {
      modules: ['stem', 'layer1.0', 'layer4.2'],
      alphas: 11,
      sigmas: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
      draws: 10,
      examples: 5000,
    },
    mistakes: { gridImages: 48 },
  },
};
