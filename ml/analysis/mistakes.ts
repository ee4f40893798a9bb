// Common and uncommon mistakes of two models on the same test set: which images both get wrong,
// which only one does, and two summaries of how alike their mistakes are (the overlap of the
// mistake sets and Cohen's κ of the right/wrong outcomes), on the data and on bootstrap
// resamples of the test images.

export interface MistakeCounts {
  /** both wrong */
  common: number;
  /** A right, B wrong */
  onlyBWrong: number;
  /** A wrong, B right */
  onlyAWrong: number;
  bothRight: number;
}

export interface MistakeComparison extends MistakeCounts {
  examples: number;
  /** |common| / |A wrong ∪ B wrong| (1 = identical mistakes); grows with the error rates themselves */
  overlap: number;
  /**
   * Cohen's κ of the two models' right/wrong outcomes: agreement beyond what two independent
   * models with these accuracies would show (0 = independent, 1 = the same mistakes).
   */
  kappa: number;
  /** example indices of each kind, for image grids */
  indices: { common: number[]; onlyBWrong: number[]; onlyAWrong: number[] };
}

/**
 * |both wrong| / |either wrong|. When neither model is wrong on any image this is 0/0; it is
 * taken as 1 (the two mistake sets, both empty, are identical).
 */
export function overlapOf(c: MistakeCounts): number {
  const union = c.common + c.onlyAWrong + c.onlyBWrong;
  return union === 0 ? 1 : c.common / union;
}

/**
 * Cohen's κ = (observed − chance) / (1 − chance), with observed = the share of images on which the
 * two agree (both right or both wrong) and chance = accA·accB + (1−accA)(1−accB). It is 0/0 only
 * when chance = 1, i.e. both models are right on every image or both wrong on every image; they
 * then agree on every image, and κ is taken as 1 (the same outcomes). When only one model is
 * right (or wrong) everywhere, observed = chance < 1 and κ = 0: no agreement beyond chance.
 * The counts may be weighted (a bootstrap resample counts an image as often as it was drawn).
 */
export function kappaOf(c: MistakeCounts): number {
  const n = c.common + c.onlyAWrong + c.onlyBWrong + c.bothRight;
  if (!(n > 0)) throw new Error('kappa: no examples');
  const accA = (c.bothRight + c.onlyBWrong) / n;
  const accB = (c.bothRight + c.onlyAWrong) / n;
  const observed = (c.bothRight + c.common) / n;
  const chance = accA * accB + (1 - accA) * (1 - accB);
  return chance === 1 ? 1 : (observed - chance) / (1 - chance);
}

export function compareMistakes(correctA: ArrayLike<number | boolean>, correctB: ArrayLike<number | boolean>): MistakeComparison {
  if (correctA.length !== correctB.length) throw new Error(`mistakes: ${correctA.length} vs ${correctB.length} predictions`);
  const out: MistakeComparison = {
    examples: correctA.length,
    common: 0,
    onlyBWrong: 0,
    onlyAWrong: 0,
    bothRight: 0,
    overlap: 0,
    kappa: 0,
    indices: { common: [], onlyBWrong: [], onlyAWrong: [] },
  };
  for (let i = 0; i < correctA.length; i++) {
    const a = !!correctA[i];
    const b = !!correctB[i];
    if (a && b) out.bothRight++;
    else if (!a && !b) {
      out.common++;
      out.indices.common.push(i);
    } else if (a) {
      out.onlyBWrong++;
      out.indices.onlyBWrong.push(i);
    } else {
      out.onlyAWrong++;
      out.indices.onlyAWrong.push(i);
    }
  }
  out.overlap = overlapOf(out);
  out.kappa = kappaOf(out);
  return out;
}

/** κ and overlap of two models on each image resample (indices into the test images). */
export function mistakeDraws(
  correctA: ArrayLike<number | boolean>,
  correctB: ArrayLike<number | boolean>,
  resamples: readonly ArrayLike<number>[],
): { kappa: Float64Array; overlap: Float64Array } {
  if (correctA.length !== correctB.length) throw new Error(`mistakes: ${correctA.length} vs ${correctB.length} predictions`);
  // per image: 0 both wrong, 1 only A wrong, 2 only B wrong, 3 both right
  const kind = new Uint8Array(correctA.length);
  for (let i = 0; i < kind.length; i++) kind[i] = (correctA[i] ? 2 : 0) + (correctB[i] ? 1 : 0);
  const out = { kappa: new Float64Array(resamples.length), overlap: new Float64Array(resamples.length) };
  const counts = new Float64Array(4);
  for (let b = 0; b < resamples.length; b++) {
    const idx = resamples[b]!;
    counts.fill(0);
    for (let i = 0; i < idx.length; i++) counts[kind[idx[i]!]!]!++;
    const c = { common: counts[0]!, onlyAWrong: counts[1]!, onlyBWrong: counts[2]!, bothRight: counts[3]! };
    out.kappa[b] = kappaOf(c);
    out.overlap[b] = overlapOf(c);
  }
  return out;
}
