// The replicate-pair half of the bootstrap convention in bootstrap.ts.
/**
 * The mean of a statistic over the replicate pairs of one pair type, and its bootstrap draws:
 * draw b averages, over the replicate pairs that `picks[b]` names (a resample of 0..k−1 with
 * replacement), each pair's statistic on draw b's image resample (`draws[b]`), or its estimate
 * when the statistic has no image resampling (`draws` absent). Shared by the replicate-pair
 * analyses (barrier, mistakes, distance).
 */
export function replicateMean(
  perPair: readonly { estimate: number; draws?: ArrayLike<number> }[],
  picks: readonly ArrayLike<number>[],
): { estimate: number; draws: number[] } {
  const k = perPair.length;
  if (!k) throw new Error('replicateMean: no replicate pairs');
  for (const p of perPair)
    if (p.draws && p.draws.length !== picks.length)
      throw new Error(`replicateMean: a pair has ${p.draws.length} draws, the replicate resamples ${picks.length}`);
  const estimate = perPair.reduce((s, p) => s + p.estimate, 0) / k;
  const draws = picks.map((pick, b) => {
    if (pick.length !== k) throw new Error(`replicateMean: resample ${b} picks ${pick.length} of ${k} replicate pairs`);
    let s = 0;
    for (let j = 0; j < pick.length; j++) {
      const p = perPair[pick[j]!]!;
      s += p.draws ? p.draws[b]! : p.estimate;
    }
    return s / k;
  });
  return { estimate, draws };
}
