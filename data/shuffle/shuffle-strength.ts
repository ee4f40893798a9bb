// A shuffled dataset must be shuffled. With few blocks NumPy's permutation can be the identity
// (RandomState(1234).permutation(4) is [0 1 2 3]: 16×16 images in 8-pixel blocks stay as they
// are) or leave most blocks in place; such an arm is the unshuffled baseline under another name.
// The rule here: a shuffle is *strong* when most of what it permutes (more than half of the
// blocks, or of the elements for '*') moves, and the replicates of one block size must not
// share a permutation. A weak draw is either refused, or replaced by the next permutation drawn
// from the same RandomState (`draw` k in the spec, recorded in the dataset's provenance).
import { fixedPoints, shuffledUnits, drawnPermutation, type ImageShape } from './permutations.ts';
import type { BlockSize } from './shuffle-spec.ts';

export type WeakShuffleRule = 'refuse' | 'redraw';

export interface PlannedShuffle {
  blockSize: BlockSize;
  seed: number;
  /** 0 = the paper's permutation; k > 0 = the (k+1)-th one of the same RandomState */
  draw: number;
  /** blocks (or elements for '*') in all, and how many the permutation moves */
  units: number;
  moved: number;
}

/** Most units move (more than half). */
export function isStrongShuffle(s: Pick<PlannedShuffle, 'units' | 'moved'>): boolean {
  return 2 * s.moved > s.units;
}

/** How many units the (draw+1)-th permutation of RandomState(seed) moves. */
export function shuffleStrength(shape: ImageShape, blockSize: BlockSize, seed: number, draw = 0): PlannedShuffle {
  const units = shuffledUnits(shape, blockSize);
  const perm = drawnPermutation(units, seed, draw);
  return { blockSize, seed, draw, units, moved: units - fixedPoints(perm) };
}

const MAX_DRAWS = 1000;

/**
 * The permutation of each replicate (seed) of one block size: the paper's draw when it is
 * strong and unlike the earlier replicates', otherwise (rule 'redraw') the first later draw
 * that is. Throws a WeakShuffleError under 'refuse', or when no such draw exists.
 */
export function planReplicateShuffles(
  shape: ImageShape,
  blockSize: BlockSize,
  seeds: readonly number[],
  rule: WeakShuffleRule,
): PlannedShuffle[] {
  const taken: string[] = [];
  return seeds.map((seed) => {
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const s = shuffleStrength(shape, blockSize, seed, draw);
      const key = drawnPermutation(s.units, seed, draw).join();
      const ok = isStrongShuffle(s) && !taken.includes(key);
      if (ok) {
        taken.push(key);
        return s;
      }
      if (rule === 'refuse') throw new WeakShuffleError(shape, s, taken.includes(key));
    }
    throw new WeakShuffleError(
      shape,
      shuffleStrength(shape, blockSize, seed, 0),
      false,
      `no draw among the first ${MAX_DRAWS} moves most of them and differs from the other replicates'`,
    );
  });
}

export class WeakShuffleError extends Error {
  override name = 'WeakShuffleError';
  constructor(shape: ImageShape, s: PlannedShuffle, repeated: boolean, why?: string) {
    const what = s.blockSize === '*' ? 'elements' : `${s.blockSize}-pixel blocks`;
    const problem =
      why ??
      (repeated
        ? 'draws the same permutation as an earlier replicate'
        : s.moved === 0
          ? 'is the identity'
          : `moves only ${s.moved} of them`);
    super(
      `shuffle: block size ${s.blockSize} on ${shape.height}×${shape.width} images has ${s.units} ${what}, and the permutation ` +
        `with seed ${s.seed} ${problem}; that arm would not be a shuffle. To fix: set shuffle.weakPermutations to "redraw" ` +
        `(each replicate takes the next permutation of the same RandomState that moves most blocks, recorded as its draw), ` +
        `choose another shuffle.seedBase, or drop ${s.blockSize} from shuffle.blockSizes.`,
    );
  }
}
