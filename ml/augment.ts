// Training-time augmentation of a normalised NHWC batch, in place: the small-image form of the
// paper's RandomResizedCrop + horizontal flip. Each image is flipped left–right with probability
// 1/2 and translated by a random offset of up to `pad` pixels in each direction, the uncovered
// border filled with 0 (the dataset mean after normalisation): CIFAR's pad-and-crop. Off for
// block-shuffled data, as in the paper: a flip or shift would break the fixed permutation.
import type { Rng } from './rng.ts';

export interface Augmentation {
  flip: boolean;
  /** maximum shift in pixels (0 = none) */
  pad: number;
}

export interface ImageGeometry {
  height: number;
  width: number;
  channels: number;
}

/** Augments the first `count` images of `x` in place, drawing from `rng`. */
export function augmentBatch(x: Float32Array, count: number, g: ImageGeometry, a: Augmentation, rng: Rng): void {
  const size = g.height * g.width * g.channels;
  const scratch = new Float32Array(size);
  for (let i = 0; i < count; i++) {
    const flip = a.flip && rng.float() < 0.5;
    const dy = a.pad ? rng.int(2 * a.pad + 1) - a.pad : 0;
    const dx = a.pad ? rng.int(2 * a.pad + 1) - a.pad : 0;
    if (!flip && dy === 0 && dx === 0) continue;
    const image = x.subarray(i * size, (i + 1) * size);
    scratch.set(image);
    shiftAndFlip(scratch, image, g, dy, dx, flip);
  }
}

/** out(y, x) = in(y + dy, flip ? W−1−(x + dx) : x + dx), 0 outside the image. */
function shiftAndFlip(src: Float32Array, out: Float32Array, g: ImageGeometry, dy: number, dx: number, flip: boolean): void {
  const { height: H, width: W, channels: C } = g;
  for (let y = 0; y < H; y++) {
    const sy = y + dy;
    for (let x = 0; x < W; x++) {
      const sxShifted = x + dx;
      const o = (y * W + x) * C;
      if (sy < 0 || sy >= H || sxShifted < 0 || sxShifted >= W) {
        out.fill(0, o, o + C);
        continue;
      }
      const sx = flip ? W - 1 - sxShifted : sxShifted;
      const s = (sy * W + sx) * C;
      for (let c = 0; c < C; c++) out[o + c] = src[s + c]!;
    }
  }
}
