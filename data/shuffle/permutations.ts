// The permutations of a block shuffle: which block (or, for '*', which element) goes where,
// drawn as numpy's RandomState draws them, so a seed gives the paper's shuffle.
import { NumpyRandomState } from '../random/numpy-mt19937.ts';
import type { ShuffleSpec } from './shuffle-spec.ts';

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/**
 * The paper's block order: `np.random.RandomState(seed).permutation(n)` over the (H/b)·(W/b)
 * blocks in row-major grid order; new block j is old block perm[j]. `draw` k takes the
 * (k+1)-th permutation of that RandomState instead (k = 0 is the paper's).
 */
export function blockOrder(shape: Pick<ImageShape, 'height' | 'width'>, blockSize: number, seed: number, draw = 0): Int32Array {
  assertBlockSizeDivides(shape, blockSize);
  return drawnPermutation((shape.height / blockSize) * (shape.width / blockSize), seed, draw);
}

/** The (draw+1)-th `permutation(n)` of `np.random.RandomState(seed)`. */
export function drawnPermutation(n: number, seed: number, draw = 0): Int32Array {
  const rs = new NumpyRandomState(seed);
  for (let k = 0; k < draw; k++) rs.permutation(n);
  return rs.permutation(n);
}

/** What a shuffle permutes: the (H/b)·(W/b) blocks, or for '*' the C·H·W elements. */
export function shuffledUnits(shape: ImageShape, blockSize: number | '*'): number {
  if (blockSize === '*') return shape.channels * shape.height * shape.width;
  assertBlockSizeDivides(shape, blockSize);
  return (shape.height / blockSize) * (shape.width / blockSize);
}

export function assertBlockSizeDivides(shape: Pick<ImageShape, 'height' | 'width'>, blockSize: number): void {
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    throw new Error(`block size must be a positive integer or "*", got ${blockSize}`);
  }
  if (shape.height % blockSize !== 0 || shape.width % blockSize !== 0) {
    const divisors = [];
    for (let b = 1; b <= Math.min(shape.height, shape.width); b++) {
      if (shape.height % b === 0 && shape.width % b === 0) divisors.push(b);
    }
    throw new Error(
      `block size ${blockSize} does not divide the ${shape.height}x${shape.width} image; ` + `choose one of ${divisors.join(', ')} or "*"`,
    );
  }
}

/**
 * For every output element (HWC index within one image) the input element it takes, so that
 * `out[i] = in[source[i]]`. Covers both the block shuffle and the pixel shuffle '*'.
 */
export function shuffleSourceIndex(shape: ImageShape, spec: ShuffleSpec): Int32Array {
  const { height: H, width: W, channels: C } = shape;
  const source = new Int32Array(H * W * C);
  if (spec.blockSize === '*') {
    // The paper permutes the flattened C×H×W tensor: out_chw[k] = in_chw[perm[k]].
    const perm = drawnPermutation(C * H * W, spec.seed, spec.draw);
    const plane = H * W;
    for (let c = 0; c < C; c++) {
      for (let p = 0; p < plane; p++) {
        const s = perm[c * plane + p]!;
        const sc = Math.floor(s / plane);
        source[p * C + c] = (s - sc * plane) * C + sc;
      }
    }
    return source;
  }
  const b = spec.blockSize;
  const order = blockOrder(shape, b, spec.seed, spec.draw);
  const cols = W / b;
  for (let y = 0; y < H; y++) {
    const by = Math.floor(y / b);
    for (let x = 0; x < W; x++) {
      const from = order[by * cols + Math.floor(x / b)]!;
      const sy = Math.floor(from / cols) * b + (y % b);
      const sx = (from % cols) * b + (x % b);
      for (let c = 0; c < C; c++) source[(y * W + x) * C + c] = (sy * W + sx) * C + c;
    }
  }
  return source;
}

export function invertPermutation(perm: ArrayLike<number>): Int32Array {
  const inv = new Int32Array(perm.length);
  for (let i = 0; i < perm.length; i++) inv[perm[i]!] = i;
  return inv;
}

export function isIdentity(perm: ArrayLike<number>): boolean {
  return fixedPoints(perm) === perm.length;
}

export function fixedPoints(perm: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < perm.length; i++) if (perm[i] === i) n++;
  return n;
}
