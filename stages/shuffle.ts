// shuffle: a dataset with every image block-shuffled (block size b) or pixel-shuffled ('*'),
// with ONE permutation drawn from the seed, shared by all images of both splits, exactly as
// the paper's code (paper-spec §1.3). Normalisation is permuted with the pixels.
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { shuffleDataset } from '../data/shuffle/shuffle-dataset.ts';
import { readDatasetFile, writeDatasetFile } from '../data/storage/dataset-file.ts';
import { BlockSize, DatasetInfo } from './common/schemas.ts';

export const shuffle = defineStage(import.meta.url, {
  name: 'shuffle',
  params: z.strictObject({ blockSize: BlockSize, seed: z.number().int().min(0) }),
  deps: { data: 'one' },
  resources: { cpus: 1, memoryMB: 2048 },
  run(ctx) {
    const spec = { blockSize: ctx.params.blockSize, seed: ctx.params.seed };
    for (const split of ['train', 'test'] as const) {
      const ds = readDatasetFile(ctx.deps.data.file(`${split}.wtds`));
      writeDatasetFile(ctx.out(`${split}.wtds`), shuffleDataset(ds, spec));
    }
    const info = ctx.deps.data.json('info.json', DatasetInfo);
    ctx.writeJson('info.json', { ...info, shuffle: spec } satisfies DatasetInfo);
  },
});
