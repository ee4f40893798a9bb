// Common and uncommon mistakes of two models on the same test set (paper §3a).

export interface MistakeComparison {
  examples: number;
  /** both wrong */
  common: number;
  /** A right, B wrong */
  onlyBWrong: number;
  /** A wrong, B right */
  onlyAWrong: number;
  bothRight: number;
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
    else if (!a && !b) (out.common++, out.indices.common.push(i));
    else if (a) (out.onlyBWrong++, out.indices.onlyBWrong.push(i));
    else (out.onlyAWrong++, out.indices.onlyAWrong.push(i));
  }
  const union = out.common + out.onlyAWrong + out.onlyBWrong;
  out.overlap = union === 0 ? 1 : out.common / union;
  const n = out.examples;
  const accA = (out.bothRight + out.onlyBWrong) / n;
  const accB = (out.bothRight + out.onlyAWrong) / n;
  const observed = (out.bothRight + out.common) / n;
  const chance = accA * accB + (1 - accA) * (1 - accB);
  out.kappa = chance === 1 ? 1 : (observed - chance) / (1 - chance);
  return out;
}
