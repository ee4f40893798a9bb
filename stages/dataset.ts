// dataset: one domain of the data suite (train and test splits), made by the embedded generator
// or loaded from real data, stored in the binary dataset format, plus a sample grid (Fig. 1).
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { loadSuiteDataset } from '../data/load-suite.ts';
import { imageFolderInputs } from '../data/real/image-files.ts';
import { sampleGridPng } from '../data/preview/sample-grid.ts';
import { writeDatasetFile } from '../data/storage/dataset-file.ts';
import { SuiteConfigSchema, type SuiteConfig } from '../data/suite-config.ts';
import type { DatasetInfo } from './common/schemas.ts';

export const dataset = defineStage(import.meta.url, {
  name: 'dataset',
  params: z.strictObject({ suite: SuiteConfigSchema, domain: z.string().min(1) }),
  label: (p) => p.domain,
  resources: { cpus: 1, memoryMB: 2048 },
  // Real data on disk is an input: a changed image reruns this stage (and only what it changes).
  inputs: (p) => realDataInputs(p.suite, p.domain),
  async run(ctx) {
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
    ctx.log(`${domain}: ${info.train} train / ${info.test} test images, ${info.classes.length} classes, ${h.height}×${h.width}×${h.channels}`);
  },
});

function realDataInputs(suite: SuiteConfig, domain: string) {
  switch (suite.kind) {
    case 'image-folder': {
      const spec = [suite.source, ...suite.targets].find((s) => (s.domain ?? basename(resolve(s.root))) === domain);
      return spec ? imageFolderInputs({ root: spec.root, domain, ...(spec.classList ? { classListFile: spec.classList } : {}) }) : {};
    }
    case 'cifar':
      return suite.download ? {} : { archives: { root: suite.dataDir, patterns: ['**/*.bin'] } };
    default:
      return {};
  }
}
