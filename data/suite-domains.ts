// Which domains a suite has, and which is the source: what planning needs, without the loaders.
import { basename, resolve } from 'node:path';
import type { SuiteConfig } from './suite-config.ts';

export interface SuiteDomain {
  /** domain name as it appears in dataset headers and artifact names */
  domain: string;
  role: 'source' | 'target';
}

/** The source first, then the targets in config order. */
export function suiteDomains(config: SuiteConfig): SuiteDomain[] {
  switch (config.kind) {
    case 'embedded':
      return [{ domain: 'source', role: 'source' }, ...config.domains.map((d) => ({ domain: d, role: 'target' as const }))];
    case 'image-folder':
      return [
        { domain: config.source.domain ?? basename(resolve(config.source.root)), role: 'source' },
        ...config.targets.map((t) => ({ domain: t.domain ?? basename(resolve(t.root)), role: 'target' as const })),
      ];
    case 'mnist-family':
    case 'cifar':
      return [{ domain: config.source, role: 'source' }, ...config.targets.map((d) => ({ domain: d, role: 'target' as const }))];
  }
}
