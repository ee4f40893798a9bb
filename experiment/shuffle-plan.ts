// Which permutation each replicate of a shuffle arm uses: the first `shuffle.replicates` seeds,
// permutation seed = seedBase + seed, each checked (or redrawn) by the profile's weak-permutation
// rule. One function, so the plan, the profile check and Fig. 1 can never disagree.
import { planReplicateShuffles, type PlannedShuffle, type WeakShuffleRule } from '../data/shuffle/shuffle-strength.ts';
import { suiteImageShape } from '../data/suite-config.ts';
import type { Profile } from '../profiles/schema.ts';
import type { BlockSize } from '../stages/common/schemas.ts';

export function shuffleReplicateSeeds(p: Profile): number[] {
  return p.seeds.slice(0, p.shuffle.replicates);
}

/** One entry per replicate seed; throws WeakShuffleError under 'refuse'. */
export function planShuffles(p: Profile, blockSize: BlockSize, rule: WeakShuffleRule = p.shuffle.weakPermutations): PlannedShuffle[] {
  return planReplicateShuffles(
    suiteImageShape(p.suite),
    blockSize,
    shuffleReplicateSeeds(p).map((s) => p.shuffle.seedBase + s),
    rule,
  );
}
