// Applying a block shuffle to every image of a dataset (and undoing it), recording it in the
// dataset's provenance.
import { imageSize, type Dataset } from '../dataset.ts';
import { perElementNormalization } from '../normalization.ts';
import { invertPermutation, isIdentity, shuffleSourceIndex } from './permutations.ts';
import { describeShuffle, type ShuffleSpec } from './shuffle-spec.ts';

/**
 * Applies the paper's block or pixel shuffle to every image (same permutation for all images,
 * so train and test shuffled with the same spec match). Normalisation is carried along so that
 * normalise-then-shuffle (the paper's order) equals shuffle-then-normalise here:
 * a block shuffle keeps every element in its channel, so a per-channel mean/std stays valid;
 * '*' mixes channels, so mean/std become per-element and are permuted like the pixels.
 */
export function shuffleDataset(ds: Dataset, spec: ShuffleSpec): Dataset {
  const source = shuffleSourceIndex(ds.header, spec);
  // e.g. NumPy's RandomState(1234).permutation(4) is [0 1 2 3]: 32×32 images with 16-pixel blocks stay unshuffled
  return permuteDataset(ds, source, { shuffle: spec, identity: isIdentity(source), description: describeShuffle(spec) });
}

/** Undoes `shuffleDataset(ds, spec)`. */
export function unshuffleDataset(ds: Dataset, spec: ShuffleSpec): Dataset {
  const source = invertPermutation(shuffleSourceIndex(ds.header, spec));
  return permuteDataset(ds, source, { unshuffle: spec, description: `inverse of ${describeShuffle(spec)}` });
}

/** out[n][i] = in[n][source[i]] for every image n; `source` is a permutation of one image's elements. */
export function permuteDataset(ds: Dataset, source: Int32Array, provenanceEntry: Record<string, unknown>): Dataset {
  const h = ds.header;
  const n = imageSize(h);
  if (source.length !== n) throw new Error(`permutation has ${source.length} entries but an image has ${n}`);
  const images = isIdentity(source) ? ds.images.slice() : permuteImages(ds.images, h.count, source);
  const perChannel = h.normalization.mean.length === h.channels && n !== h.channels;
  let normalization = h.normalization;
  if (!perChannel || !keepsChannels(source, h.channels)) {
    const full = perElementNormalization(h);
    normalization = { mean: gather(full.mean, source), std: gather(full.std, source) };
  }
  const previous = Array.isArray(h.provenance.shuffles) ? (h.provenance.shuffles as unknown[]) : [];
  return {
    header: { ...h, normalization, provenance: { ...h.provenance, shuffles: [...previous, provenanceEntry] } },
    images,
    labels: ds.labels.slice(),
  };
}

export function permuteImages(images: Uint8Array, count: number, source: Int32Array): Uint8Array {
  const n = source.length;
  const out = new Uint8Array(images.length);
  for (let img = 0; img < count; img++) {
    const base = img * n;
    for (let i = 0; i < n; i++) out[base + i] = images[base + source[i]!]!;
  }
  return out;
}

function keepsChannels(source: Int32Array, channels: number): boolean {
  for (let i = 0; i < source.length; i++) if (source[i]! % channels !== i % channels) return false;
  return true;
}

function gather(values: number[], source: Int32Array): number[] {
  const out = new Array<number>(source.length);
  for (let i = 0; i < source.length; i++) out[i] = values[source[i]!]!;
  return out;
}
