import { loadSuiteDataset } from '../../data/load-suite.ts';
import { sampleGridPng } from '../../data/preview/sample-grid.ts';
import { writeDatasetFile } from '../../data/storage/dataset-file.ts';
import type { DatasetInfo } from '../common/schemas.ts';
import type { DatasetContext } from '../dataset.ts';

export async function run(ctx: DatasetContext): Promise<void> {
  const { suite, domain } = ctx.params;
  const splits = {} as Record<'train' | 'test', Awaited<ReturnType<typeof loadSuiteDataset>>>;
  for (const split of ['train', 'test'] as const) {
    ctx.progress({ message: `${domain} ${split}` });
    splits[split] = await loadSuiteDataset(suite, domain, split);
    writeDatasetFile(ctx.out(`${split}.wtds`), splits[split]);
  }
  ctx.writeOutput('samples.png', await sampleGridPng(splits.train, { rows: 8, cols: 8 }));
  const h = splits.train.header;
  const info: DatasetInfo = {
    domain,
    classes: h.classes,
    height: h.height,
    width: h.width,
    channels: h.channels,
    train: h.count,
    test: splits.test.header.count,
    shuffle: null,
  };
  ctx.writeJson('info.json', info);
  ctx.log(
    `${domain}: ${info.train} train / ${info.test} test images, ${info.classes.length} classes, ${h.height}×${h.width}×${h.channels}`,
  );
}
