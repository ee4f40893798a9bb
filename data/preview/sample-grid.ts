// PNG pictures of datasets for people (the paper's Fig. 1 analogue).
import sharp from 'sharp';
import { imageSize, type Dataset } from '../dataset.ts';
import { shuffleDataset } from '../shuffle/shuffle-dataset.ts';
import type { BlockSize } from '../shuffle/shuffle-spec.ts';

export interface GridOptions {
  /** rows = classes shown (first `rows` classes that occur) */
  rows?: number;
  /** columns = examples per class */
  cols?: number;
  /** nearest-neighbour upscaling factor */
  scale?: number;
  gap?: number;
}

/** One row per class, `cols` examples each, in dataset order. */
export async function sampleGridPng(ds: Dataset, options: GridOptions = {}): Promise<Buffer> {
  const { rows = Math.min(10, ds.header.classes.length), cols = 8 } = options;
  const picks: number[][] = [];
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < ds.header.count; i++) {
    const l = ds.labels[i]!;
    let list = byClass.get(l);
    if (!list) {
      list = [];
      byClass.set(l, list);
    }
    if (list.length < cols) list.push(i);
  }
  for (const label of [...byClass.keys()].sort((a, b) => a - b).slice(0, rows)) picks.push(byClass.get(label)!);
  return tilesPng(ds, picks, options);
}

/** A grid of chosen images: tiles[r][c] is an image index of `ds`. */
export async function tilesPng(ds: Dataset, tiles: number[][], options: GridOptions = {}): Promise<Buffer> {
  const { scale = 3, gap = 2 } = options;
  const { height: H, width: W, channels: C } = ds.header;
  const per = imageSize(ds.header);
  const rows = tiles.length;
  const cols = Math.max(1, ...tiles.map((r) => r.length));
  const th = H * scale;
  const tw = W * scale;
  const outW = cols * tw + (cols + 1) * gap;
  const outH = rows * th + (rows + 1) * gap;
  const out = Buffer.alloc(outW * outH * 3, 255);
  tiles.forEach((row, r) => {
    row.forEach((index, c) => {
      const base = index * per;
      const x0 = gap + c * (tw + gap);
      const y0 = gap + r * (th + gap);
      for (let y = 0; y < th; y++) {
        const sy = Math.floor(y / scale);
        for (let x = 0; x < tw; x++) {
          const s = base + (sy * W + Math.floor(x / scale)) * C;
          const o = ((y0 + y) * outW + x0 + x) * 3;
          out[o] = ds.images[s]!;
          out[o + 1] = ds.images[s + (C > 1 ? 1 : 0)]!;
          out[o + 2] = ds.images[s + (C > 2 ? 2 : 0)]!;
        }
      }
    });
  });
  return sharp(out, { raw: { width: outW, height: outH, channels: 3 } })
    .png()
    .toBuffer();
}

/** The same images shown unshuffled and at each block size (columns), like Fig. 1's shuffled panels. */
/** `blockSizes` entries may carry the `draw` of a redrawn weak permutation (shuffle-strength.ts). */
export async function shuffleStripPng(
  ds: Dataset,
  indices: number[],
  blockSizes: (BlockSize | { blockSize: BlockSize; draw: number })[],
  seed: number,
  options: GridOptions = {},
): Promise<Buffer> {
  const per = imageSize(ds.header);
  const subset: Dataset = {
    header: { ...ds.header, count: indices.length },
    images: new Uint8Array(indices.length * per),
    labels: Uint16Array.from(indices, (i) => ds.labels[i]!),
  };
  indices.forEach((src, k) => subset.images.set(ds.images.subarray(src * per, (src + 1) * per), k * per));
  const versions = blockSizes.map((b) => shuffleDataset(subset, typeof b === 'object' ? { ...b, seed } : { blockSize: b, seed }));
  const combined: Dataset = {
    header: { ...ds.header, count: indices.length * versions.length },
    images: new Uint8Array(indices.length * versions.length * per),
    labels: new Uint16Array(indices.length * versions.length),
  };
  versions.forEach((v, k) => combined.images.set(v.images, k * v.images.length));
  const tiles = indices.map((_, row) => versions.map((_, k) => k * indices.length + row));
  return tilesPng(combined, tiles, options);
}
