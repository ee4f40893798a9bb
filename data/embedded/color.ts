// Colours for the embedded generator: HSV to RGB, random colours in a saturation/value band,
// and nearby colours for the parts of one object.
import type { Rng } from '../random/rng.ts';

export type Rgb = [number, number, number];

export function hsv(h: number, s: number, v: number): Rgb {
  const hh = (((h % 1) + 1) % 1) * 6;
  const i = Math.floor(hh);
  const f = hh - i;
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  switch (i) {
    case 0:
      return [v, t, p];
    case 1:
      return [q, v, p];
    case 2:
      return [p, v, t];
    case 3:
      return [p, q, v];
    case 4:
      return [t, p, v];
    default:
      return [v, p, q];
  }
}

export function randomColor(rng: Rng, sat: [number, number], val: [number, number]): Rgb {
  return hsv(rng.float(), rng.range(sat[0], sat[1]), rng.range(val[0], val[1]));
}

/** A colour from the hue/value neighbourhood of `base` (object parts of one object). */
export function nearbyColor(rng: Rng, base: Rgb, spread: number): Rgb {
  return [clamp01(base[0] + rng.normal() * spread), clamp01(base[1] + rng.normal() * spread), clamp01(base[2] + rng.normal() * spread)];
}

export function clamp01(v: number): number {
  return v < 0 ? 0 : Math.min(v, 1);
}

/** Anti-aliased coverage of a signed distance measured in pixels. */
export function coverage(distancePx: number): number {
  const c = 0.5 - distancePx;
  return c < 0 ? 0 : Math.min(c, 1);
}
