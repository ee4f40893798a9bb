// Subsampling a split to at most `max` images with a fixed seed, as the paper subsamples DomainNet.
import { NumpyRandomState } from '../random/numpy-mt19937.ts';

/** The paper's DomainNet rule, applied to each split separately. */
export const PAPER_SUBSAMPLE_SEED = 2020;

/**
 * Indices kept from a list of `length` items: all of them (in order) when length ≤ max, else
 * `np.random.RandomState(seed).choice(length, max, replace=False)`, in that (random) order.
 */
export function subsampleIndices(length: number, max: number | undefined, seed = PAPER_SUBSAMPLE_SEED): Int32Array {
  if (max === undefined || length <= max) return Int32Array.from({ length }, (_, i) => i);
  return new NumpyRandomState(seed).choiceWithoutReplacement(length, max);
}
