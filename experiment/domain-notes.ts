// What the report says each domain is. The embedded suite's domains are stand-ins, named after the
// datasets they imitate; every other suite's domains are the user's own data, described only by
// their names.
import { suiteDomains } from '../data/suite-domains.ts';
import type { SuiteConfig } from '../data/suite-config.ts';

const EMBEDDED_ANALOGUES: Record<string, string> = {
  source: 'natural images, like ImageNet',
  real: 'like DomainNet real',
  clipart: 'like DomainNet clipart',
  quickdraw: 'like DomainNet quickdraw',
  xray: 'like CheXpert',
};

export interface DomainNote {
  name: string;
  role: 'source' | 'target';
  /** the dataset it stands in for (embedded suite only) */
  like?: string;
}

export function domainNotes(suite: SuiteConfig): DomainNote[] {
  return suiteDomains(suite).map((d) => ({
    name: d.domain,
    role: d.role,
    ...(suite.kind === 'embedded' && EMBEDDED_ANALOGUES[d.domain] ? { like: EMBEDDED_ANALOGUES[d.domain] } : {}),
  }));
}
