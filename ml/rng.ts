// Seeded, serialisable random numbers for training, so every random choice — init, data order,
// mixup — is reproducible and can be resumed from a saved state. The generator is the project's
// xoshiro128** (data/random/xoshiro128.ts); this front end derives independent streams from a
// seed and labels, and draws the distributions training needs.
import { splitMixState, Xoshiro128, type XoshiroState } from '../data/random/xoshiro128.ts';

export type RngState = XoshiroState;

export class Rng extends Xoshiro128 {
  /** A generator determined by a seed and optional labels (independent streams per label). */
  static from(seed: number | string, ...labels: (string | number)[]): Rng {
    const h = hashString([String(seed), ...labels.map(String)].join('\u0000'));
    return new Rng(splitMixState(h + 0x9e3779b9));
  }

  static fromState(state: RngState): Rng {
    return new Rng(state);
  }

  /** standard normal (Box–Muller; one value per call) */
  normal(): number {
    const u1 = 1 - this.float();
    const u2 = this.float();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Gamma(shape, 1) by Marsaglia–Tsang */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * this.float() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.float();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  beta(a: number, b: number): number {
    const x = this.gamma(a);
    return x / (x + this.gamma(b));
  }

  /** a uniformly random permutation of 0..n-1 (Fisher–Yates) */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

/** FNV-1a over UTF-16 code units */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
