// One entry point for stage authors: which datasets a suite has, and how to make each one.
import { basename, resolve } from 'node:path';
import type { Dataset } from './dataset.ts';
import { generateDomain } from './embedded/generate-domain.ts';
import type { EmbeddedDomain } from './embedded/domain-params.ts';
import { loadCifar, type CifarVariant } from './real/cifar-binary.ts';
import { downloadCifar } from './real/download-cifar.ts';
import { loadImageFolder } from './real/image-folder.ts';
import { loadMnistFamily } from './real/mnist-family.ts';
import type { SuiteConfig } from './suite-config.ts';

export { suiteDomains, type SuiteDomain } from './suite-domains.ts';
import { suiteDomains } from './suite-domains.ts';

/** Builds one split of one domain of the suite (deterministic for a given config). */
export async function loadSuiteDataset(config: SuiteConfig, domain: string, split: 'train' | 'test'): Promise<Dataset> {
  const known = suiteDomains(config).map((d) => d.domain);
  if (!known.includes(domain))
    throw new Error(`domain "${domain}" is not part of this ${config.kind} suite (domains: ${known.join(', ')})`);
  switch (config.kind) {
    case 'embedded': {
      const d = domain as EmbeddedDomain;
      const group = d === 'source' ? config.source : d === 'xray' ? { classes: 5, ...config.xray } : config.targets;
      return generateDomain({
        domain: d,
        split,
        count: group[split],
        size: config.size,
        channels: config.channels,
        classes: group.classes,
        seed: config.seed,
        worldSeed: config.worldSeed,
      });
    }
    case 'image-folder': {
      const all = [config.source, ...config.targets];
      const spec = all.find((s) => (s.domain ?? basename(resolve(s.root))) === domain)!;
      return loadImageFolder({
        root: spec.root,
        split,
        domain,
        size: config.size,
        channels: config.channels,
        ...(spec.classList ? { classListFile: spec.classList } : {}),
        ...(spec.maxPerSplit ? { maxPerSplit: spec.maxPerSplit } : {}),
        ...(spec.testFraction ? { testFraction: spec.testFraction } : {}),
        subsampleSeed: config.subsampleSeed,
        skipUnreadable: spec.skipUnreadable,
      });
    }
    case 'mnist-family':
      return loadMnistFamily({
        name: domain as 'mnist' | 'fashion-mnist',
        split,
        size: config.size,
        channels: config.channels,
        subsampleSeed: config.subsampleSeed,
        installMissing: config.installMissing,
        ...(config.maxPerSplit ? { maxPerSplit: config.maxPerSplit } : {}),
      });
    case 'cifar': {
      const variant = domain as CifarVariant;
      const dir = config.download ? await downloadCifar(variant, config.dataDir, (l) => process.stderr.write(`${l}\n`)) : config.dataDir;
      return loadCifar({
        dir,
        variant,
        split,
        channels: config.channels,
        subsampleSeed: config.subsampleSeed,
        ...(config.maxPerSplit ? { maxPerSplit: config.maxPerSplit } : {}),
      });
    }
  }
}
