// dataset: one domain of the data suite (train and test splits), made by the embedded generator
// or loaded from real data, stored in the binary dataset format, plus a sample grid (Fig. 1).
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { defineStage, type DepKind, type RunContext } from '../engine/stage.ts';
import { imageFolderInputs } from '../data/real/image-files.ts';
import { SuiteConfigSchema, type SuiteConfig } from '../data/suite-config.ts';

const Params = z.strictObject({ suite: SuiteConfigSchema, domain: z.string().min(1) });

export type DatasetContext = RunContext<z.output<typeof Params>, Record<never, DepKind>>;

export const dataset = defineStage(import.meta.url, {
  name: 'dataset',
  params: Params,
  label: (p) => p.domain,
  resources: { cpus: 1, memoryMB: 2048 },
  // Real data on disk is an input: a changed image reruns this stage (and only what it changes).
  inputs: (p) => realDataInputs(p.suite, p.domain),
  run: async (ctx) => (await import('./run/dataset.ts')).run(ctx),
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
