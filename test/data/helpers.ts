import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset } from '../../data/dataset.ts';

/** A small dataset with distinct, position-dependent pixel values. */
export function patternDataset(count: number, height: number, width: number, channels: number, seed = 1): Dataset {
  const n = height * width * channels;
  const images = new Uint8Array(count * n);
  let s = seed;
  for (let i = 0; i < images.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    images[i] = s >>> 24;
  }
  return {
    header: {
      domain: 'pattern',
      split: 'train',
      classes: ['a', 'b', 'c'],
      count,
      height,
      width,
      channels,
      normalization: {
        mean: Array.from({ length: channels }, (_, c) => 0.4 + 0.05 * c),
        std: Array.from({ length: channels }, (_, c) => 0.2 + 0.03 * c),
      },
      provenance: { test: true },
    },
    images,
    labels: Uint16Array.from({ length: count }, (_, i) => i % 3),
  };
}

/** model input x = (pixel/255 − mean)/std for every element, per-channel or per-element stats. */
export function normalized(ds: Dataset): Float64Array {
  const { height, width, channels, normalization } = ds.header;
  const n = height * width * channels;
  const perElement = normalization.mean.length === n && n !== channels;
  const out = new Float64Array(ds.images.length);
  for (let i = 0; i < ds.images.length; i++) {
    const e = i % n;
    const k = perElement ? e : e % channels;
    out[i] = (ds.images[i]! / 255 - normalization.mean[k]!) / normalization.std[k]!;
  }
  return out;
}

export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'wt-data-test-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const result = fn(dir);
    if (result instanceof Promise) return result.finally(cleanup) as T;
    cleanup();
    return result;
  } catch (err) {
    cleanup();
    throw err;
  }
}
