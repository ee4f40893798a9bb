// xoshiro128** (Blackman & Vigna, 2018), the one generator behind the project's seeded random
// numbers: data/random/rng.ts (the procedural suite) and ml/rng.ts (training) are front ends
// that seed it differently and draw different distributions from it. Only 32-bit integer
// arithmetic feeds the state, so a seed gives the same stream in every process and platform.

export type XoshiroState = [number, number, number, number];

const GOLDEN_GAMMA = 0x9e3779b9;

export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  protected constructor(state: ArrayLike<number>) {
    this.a = state[0]! | 0;
    this.b = state[1]! | 0;
    this.c = state[2]! | 0;
    this.d = state[3]! | 0;
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** the state, as unsigned words; a generator made from it continues this stream */
  state(): XoshiroState {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** uniform in [0, 1) with 32 bits of resolution */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** uniform integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }
}

/** The first four outputs of SplitMix32 started at `seed`: a well-mixed state from one word. */
export function splitMixState(seed: number): XoshiroState {
  let s = seed | 0;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    s = (s + GOLDEN_GAMMA) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    words.push((z ^ (z >>> 16)) >>> 0);
  }
  return words as XoshiroState;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
