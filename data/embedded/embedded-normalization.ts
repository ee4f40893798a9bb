// The per-channel normalisation of each embedded domain: the source domain's statistics for all
// of them, as the paper uses ImageNet's for every domain.
import type { DatasetHeader } from '../dataset.ts';
import type { EmbeddedDomain } from './domain-params.ts';

type Normalization = DatasetHeader['normalization'];

// Like the paper (ImageNet statistics for every DomainNet domain), every embedded domain is
// normalised with the SOURCE domain's statistics, so a pre-trained network sees inputs on the
// scale it was trained on. Measured with `channelStatistics` on 20,000 source train images
// at 32×32, 3 channels (generator version 1); re-measure if the photo renderer changes.
const SOURCE_STATS: Normalization = { mean: [0.4329, 0.4359, 0.4335], std: [0.1876, 0.1934, 0.1854] };

export const EMBEDDED_NORMALIZATION: Record<EmbeddedDomain, Normalization> = {
  source: SOURCE_STATS,
  real: SOURCE_STATS,
  clipart: SOURCE_STATS,
  quickdraw: SOURCE_STATS,
  xray: SOURCE_STATS,
};
