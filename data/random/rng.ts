// Seeded random numbers for the procedural generator: the project's xoshiro128**
// (xoshiro128.ts) seeded from a hash of strings and integers, with the draws the renderers use.
// Never use Math.random.
import { splitMixState, Xoshiro128 } from './xoshiro128.ts';

/** 32-bit hash of a list of strings/integers; used to derive independent streams from a seed. */
export function hashSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    if (typeof part === 'number') {
      if (!Number.isSafeInteger(part)) throw new RangeError(`hashSeed takes integers and strings, got ${part}`);
      h = mix(h ^ 0x6e756d62, part >>> 0);
      h = mix(h, Math.floor(part / 4294967296) >>> 0);
    } else {
      h = mix(h ^ 0x73747269, part.length);
      for (let i = 0; i < part.length; i++) h = mix(h, part.charCodeAt(i));
    }
  }
  return h >>> 0;
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x01000193);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 12);
}

export class Rng extends Xoshiro128 {
  private spareNormal: number | null = null;

  constructor(seed: number) {
    super(splitMixState(seed));
  }

  static from(...parts: (string | number)[]): Rng {
    return new Rng(hashSeed(...parts));
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  sign(): number {
    return this.float() < 0.5 ? -1 : 1;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** standard normal (Marsaglia polar method: values come in pairs, the second kept for the next call) */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = this.float() * 2 - 1;
      v = this.float() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * m;
    return u * m;
  }
}
