// Fractal value noise with ~1/f amplitude spectrum: octaves of random lattice values,
// smoothly interpolated, each octave twice the frequency and half the amplitude.
import type { Rng } from '../random/rng.ts';

/** Fills out[y·size + x] with noise of zero mean and roughly unit range ([-1, 1]). */
export function fractalNoise(rng: Rng, size: number, out: Float32Array, baseCells = 2, octaves = 4, persistence = 0.5): void {
  out.fill(0, 0, size * size);
  let amplitude = 1;
  let total = 0;
  let cells = baseCells;
  for (let o = 0; o < octaves; o++) {
    addLatticeOctave(rng, size, out, cells, amplitude);
    total += amplitude;
    amplitude *= persistence;
    cells *= 2;
  }
  const inv = 1 / total;
  for (let i = 0; i < size * size; i++) out[i]! *= inv;
}

const lattice = new Float32Array(65 * 65);
const weights = new Float32Array(256);
const cellIndex = new Int32Array(256);

function addLatticeOctave(rng: Rng, size: number, out: Float32Array, cells: number, amplitude: number): void {
  const n = cells + 1;
  for (let i = 0; i < n * n; i++) lattice[i] = rng.float() * 2 - 1;
  const ox = rng.float();
  const oy = rng.float();
  // per-column cell index and smooth weight (shared across rows: the lattice is axis aligned)
  for (let x = 0; x < size; x++) {
    const g = ((x + 0.5) / size) * (cells - 1) + ox;
    const i0 = Math.min(cells - 1, Math.floor(g));
    const t = g - i0;
    cellIndex[x] = i0;
    weights[x] = t * t * (3 - 2 * t);
  }
  for (let y = 0; y < size; y++) {
    const g = ((y + 0.5) / size) * (cells - 1) + oy;
    const j0 = Math.min(cells - 1, Math.floor(g));
    let ty = g - j0;
    ty = ty * ty * (3 - 2 * ty);
    const row0 = j0 * n;
    const row1 = row0 + n;
    const base = y * size;
    for (let x = 0; x < size; x++) {
      const i0 = cellIndex[x]!;
      const tx = weights[x]!;
      const a = lattice[row0 + i0]! + (lattice[row0 + i0 + 1]! - lattice[row0 + i0]!) * tx;
      const b = lattice[row1 + i0]! + (lattice[row1 + i0 + 1]! - lattice[row1 + i0]!) * tx;
      out[base + x]! += (a + (b - a) * ty) * amplitude;
    }
  }
}
