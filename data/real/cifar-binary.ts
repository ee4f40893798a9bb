// CIFAR-10 / CIFAR-100 "binary version" reader.
//   CIFAR-10:  <dir>/data_batch_1..5.bin (train), test_batch.bin; records of 1 label byte + 3072
//              pixel bytes (1024 R, 1024 G, 1024 B, row-major); class names in batches.meta.txt.
//   CIFAR-100: <dir>/train.bin, test.bin; records of coarse byte, fine byte, 3072 pixel bytes;
//              names in fine_label_names.txt / coarse_label_names.txt.
// `dir` may be the extracted folder (cifar-10-batches-bin / cifar-100-binary) or its parent.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../dataset.ts';
import { CIFAR100_NORMALIZATION, CIFAR10_NORMALIZATION, normalizationForChannels } from '../normalization.ts';
import { PAPER_SUBSAMPLE_SEED, subsampleIndices } from './subsample.ts';

export type CifarVariant = 'cifar10' | 'cifar100';

export const CIFAR_FOLDER: Record<CifarVariant, string> = { cifar10: 'cifar-10-batches-bin', cifar100: 'cifar-100-binary' };
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const PIXELS = 3072;

export function cifarFiles(variant: CifarVariant, split: 'train' | 'test'): string[] {
  if (variant === 'cifar10') return split === 'train' ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ['test_batch.bin'];
  return [split === 'train' ? 'train.bin' : 'test.bin'];
}

export interface CifarOptions {
  dir: string;
  variant: CifarVariant;
  split: 'train' | 'test';
  /** CIFAR-100 only: 'fine' (100 classes, default) or 'coarse' (20 superclasses) */
  labels?: 'fine' | 'coarse';
  channels?: 1 | 3;
  maxPerSplit?: number;
  subsampleSeed?: number;
}

export function resolveCifarDir(dir: string, variant: CifarVariant): string {
  const nested = join(dir, CIFAR_FOLDER[variant]);
  const first = cifarFiles(variant, 'test')[0]!;
  if (existsSync(join(dir, first))) return dir;
  if (existsSync(join(nested, first))) return nested;
  throw new Error(
    `No ${variant} binary files in ${dir} (looked for ${first} there and in ${nested}). Download them with downloadCifar('${variant}', '${dir}') or point "dir" at the extracted ${CIFAR_FOLDER[variant]} folder.`,
  );
}

/** Decodes records (CHW planes) into HWC images; throws naming the file if its size is off. */
export function parseCifarRecords(
  buf: Uint8Array,
  file: string,
  variant: CifarVariant,
  labelKind: 'fine' | 'coarse',
): { images: Uint8Array; labels: Uint16Array } {
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  const record = labelBytes + PIXELS;
  if (buf.length === 0 || buf.length % record !== 0) {
    throw new Error(
      `${file} is ${buf.length} bytes, not a whole number of ${variant} records of ${record} bytes: the file is truncated or not a ${variant} binary file. Delete it and download again.`,
    );
  }
  const n = buf.length / record;
  const images = new Uint8Array(n * PIXELS);
  const labels = new Uint16Array(n);
  const labelOffset = variant === 'cifar10' ? 0 : labelKind === 'coarse' ? 0 : 1;
  for (let i = 0; i < n; i++) {
    const r = i * record;
    labels[i] = buf[r + labelOffset]!;
    const px = r + labelBytes;
    const o = i * PIXELS;
    for (let p = 0; p < 1024; p++) {
      images[o + p * 3] = buf[px + p]!;
      images[o + p * 3 + 1] = buf[px + 1024 + p]!;
      images[o + p * 3 + 2] = buf[px + 2048 + p]!;
    }
  }
  return { images, labels };
}

export function cifarClassNames(dir: string, variant: CifarVariant, labelKind: 'fine' | 'coarse'): string[] {
  const file = variant === 'cifar10' ? 'batches.meta.txt' : `${labelKind}_label_names.txt`;
  const path = join(dir, file);
  if (!existsSync(path)) {
    if (variant === 'cifar10') return CIFAR10_CLASSES;
    throw new Error(`${path} is missing; it names the CIFAR-100 ${labelKind} classes. Re-extract the archive.`);
  }
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function loadCifar(options: CifarOptions): Dataset {
  const dir = resolveCifarDir(options.dir, options.variant);
  const labelKind = options.variant === 'cifar100' ? (options.labels ?? 'fine') : 'fine';
  const parts = cifarFiles(options.variant, options.split).map((f) => {
    const path = join(dir, f);
    if (!existsSync(path))
      throw new Error(
        `${path} is missing (the ${options.variant} ${options.split} split needs ${cifarFiles(options.variant, options.split).join(', ')}). Re-extract the archive.`,
      );
    return parseCifarRecords(readFileSync(path), path, options.variant, labelKind);
  });
  const total = parts.reduce((s, p) => s + p.labels.length, 0);
  const allImages = new Uint8Array(total * PIXELS);
  const allLabels = new Uint16Array(total);
  let at = 0;
  for (const p of parts) {
    allImages.set(p.images, at * PIXELS);
    allLabels.set(p.labels, at);
    at += p.labels.length;
  }
  const classes = cifarClassNames(dir, options.variant, labelKind);
  for (let i = 0; i < total; i++) {
    if (allLabels[i]! >= classes.length)
      throw new Error(
        `${dir}: image ${i} has label ${allLabels[i]} but only ${classes.length} class names exist; the files are corrupted.`,
      );
  }
  const seed = options.subsampleSeed ?? PAPER_SUBSAMPLE_SEED;
  const keep = subsampleIndices(total, options.maxPerSplit, seed);
  const channels = options.channels ?? 3;
  const per = 1024 * channels;
  const images = new Uint8Array(keep.length * per);
  const labels = new Uint16Array(keep.length);
  keep.forEach((src, i) => {
    labels[i] = allLabels[src]!;
    if (channels === 3) images.set(allImages.subarray(src * PIXELS, (src + 1) * PIXELS), i * per);
    else
      for (let p = 0; p < 1024; p++)
        images[i * per + p] = Math.round(
          0.299 * allImages[src * PIXELS + p * 3]! +
            0.587 * allImages[src * PIXELS + p * 3 + 1]! +
            0.114 * allImages[src * PIXELS + p * 3 + 2]!,
        );
  });
  const norm = options.variant === 'cifar10' ? CIFAR10_NORMALIZATION : CIFAR100_NORMALIZATION;
  return {
    header: {
      domain: options.variant === 'cifar100' && labelKind === 'coarse' ? 'cifar100-coarse' : options.variant,
      split: options.split,
      classes,
      count: keep.length,
      height: 32,
      width: 32,
      channels,
      normalization: normalizationForChannels(norm, channels),
      provenance: { loader: 'cifar-binary', dir, imagesInSplit: total, maxPerSplit: options.maxPerSplit ?? null, subsampleSeed: seed },
    },
    images,
    labels,
  };
}
