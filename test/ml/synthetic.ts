// Small synthetic datasets for the ML tests (no dependency on data/ generators).
import type { Dataset } from '../../data/dataset.ts';
import { Rng } from '../../ml/rng.ts';

/**
 * An easily separable texture task: class 0 horizontal stripes, 1 vertical stripes, 2 diagonal
 * stripes, 3 checkerboard (period 2·stripe, random phase), each on uniform noise.
 */
export function stripesDataset(options: {
  count: number;
  size?: number;
  channels?: number;
  seed?: number;
  split?: 'train' | 'test';
  perElementNormalization?: boolean;
}): Dataset {
  const { count, size = 16, channels = 3, seed = 1, split = 'train' } = options;
  const classes = 4;
  const rng = Rng.from(seed, 'stripes', split);
  const images = new Uint8Array(count * size * size * channels);
  const labels = new Uint16Array(count);
  const pattern = [
    (y: number, _x: number) => y >> 1,
    (_y: number, x: number) => x >> 1,
    (y: number, x: number) => (x + y) >> 1,
    (y: number, x: number) => (x >> 1) + (y >> 1),
  ];
  for (let i = 0; i < count; i++) {
    const label = rng.int(classes);
    labels[i] = label;
    const phase = rng.int(2);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const on = (pattern[label]!(y, x) + phase) & 1;
        for (let c = 0; c < channels; c++) images[((i * size + y) * size + x) * channels + c] = rng.int(110) + (on ? 140 : 0);
      }
  }
  const perElement = options.perElementNormalization ?? false;
  const n = perElement ? size * size * channels : channels;
  return {
    header: {
      domain: 'synthetic-quadrants',
      split,
      classes: Array.from({ length: classes }, (_, c) => `q${c}`),
      count,
      height: size,
      width: size,
      channels,
      normalization: { mean: Array(n).fill(0.4), std: Array(n).fill(0.25) },
      provenance: { generator: 'test/ml/synthetic.ts quadrantDataset', seed },
    },
    images,
    labels,
  };
}
