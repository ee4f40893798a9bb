// shuffle: a dataset with every image block-shuffled (block size b) or pixel-shuffled ('*'),
// with ONE permutation drawn from the seed, shared by all images of both splits, exactly as
// the paper's code does it. Normalisation is permuted with the pixels. The plan (experiment/shuffle-plan.ts)
// has already checked that the permutation moves most blocks; a weak one given by hand (e.g.
// with --override) is refused here too, so no "shuffled" entry is ever the original data.
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { shuffleDataset } from '../data/shuffle/shuffle-dataset.ts';
import { isStrongShuffle, shuffleStrength, WeakShuffleError } from '../data/shuffle/shuffle-strength.ts';
import { readDatasetFile, writeDatasetFile } from '../data/storage/dataset-file.ts';
import { BlockSize, DatasetInfo } from './common/schemas.ts';

export const shuffle = defineStage(import.meta.url, {
  name: 'shuffle',
  params: z.strictObject({ blockSize: BlockSize, seed: z.number().int().min(0), draw: z.number().int().min(0).default(0) }),
  deps: { data: 'one' },
  resources: { cpus: 1, memoryMB: 2048 },
  run(ctx) {
    const spec = { blockSize: ctx.params.blockSize, seed: ctx.params.seed, draw: ctx.params.draw };
    const info = ctx.deps.data.json('info.json', DatasetInfo);
    const strength = shuffleStrength(info, spec.blockSize, spec.seed, spec.draw);
    if (!isStrongShuffle(strength)) throw new WeakShuffleError(info, strength, false);
    for (const split of ['train', 'test'] as const) {
      const ds = readDatasetFile(ctx.deps.data.file(`${split}.wtds`));
      writeDatasetFile(ctx.out(`${split}.wtds`), shuffleDataset(ds, spec));
    }
    ctx.log(
      `${info.domain}: ${strength.moved} of ${strength.units} ${spec.blockSize === '*' ? 'elements' : 'blocks'} moved (seed ${spec.seed}, draw ${spec.draw})`,
    );
    ctx.writeJson('info.json', { ...info, shuffle: { ...spec, units: strength.units, moved: strength.moved } } satisfies DatasetInfo);
  },
});
