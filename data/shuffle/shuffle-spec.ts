// What a shuffle is: a block size (or '*' for the pixel shuffle) and a seed, validated.
import { z } from 'zod';

/** A block size in pixels, or '*' for the paper's pixel shuffle across positions AND channels. */
export type BlockSize = number | '*';

export interface ShuffleSpec {
  blockSize: BlockSize;
  /** NumPy RandomState seed of the permutation; the paper uses 1234 + replicate seed. */
  seed: number;
  /**
   * Which permutation drawn from that RandomState: 0 (the paper's) is its first `permutation(n)`
   * call, k its (k+1)-th. Only a redrawn weak permutation has k > 0 (see shuffle-strength.ts).
   */
  draw?: number;
}

export const PAPER_SHUFFLE_SEED_BASE = 1234;

export const BlockSizeSchema = z.union([z.number().int().positive(), z.literal('*')]);

export const ShuffleSpecSchema = z
  .object({
    blockSize: BlockSizeSchema,
    seed: z.number().int().min(0).max(0xffffffff),
    draw: z.number().int().min(0).optional(),
  })
  .strict();

/** "8" → 8, "*" → '*'; anything else is a clear error. */
export function parseBlockSize(text: string): BlockSize {
  const t = text.trim();
  if (t === '*') return '*';
  if (/^[1-9][0-9]*$/.test(t)) return Number(t);
  throw new Error(`block size must be a positive integer or "*", got ${JSON.stringify(text)}`);
}

/** The block sizes of the paper's Fig. 3 scaled to a side: every divisor, plus '*'. */
export function blockSizesForSide(side: number): BlockSize[] {
  const sizes: BlockSize[] = ['*'];
  for (let b = 1; b <= side; b++) if (side % b === 0) sizes.push(b);
  return sizes;
}

export function describeShuffle(spec: ShuffleSpec): string {
  const from = spec.draw ? `seed ${spec.seed}, draw ${spec.draw}` : `seed ${spec.seed}`;
  return spec.blockSize === '*' ? `pixel shuffle * (${from})` : `block shuffle ${spec.blockSize} (${from})`;
}
