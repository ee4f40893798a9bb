// The normalisation statistics of the real datasets: ImageNet's for image folders (DomainNet,
// CheXpert), and each MNIST-family and CIFAR set's own.
import { imageSize, type Dataset, type DatasetHeader } from './dataset.ts';

type Normalization = DatasetHeader['normalization'];

/** The paper normalises every domain (DomainNet included) with the ImageNet statistics. */
export const IMAGENET_NORMALIZATION: Normalization = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
export const MNIST_NORMALIZATION: Normalization = { mean: [0.1307], std: [0.3081] };
export const FASHION_MNIST_NORMALIZATION: Normalization = { mean: [0.286], std: [0.353] };
export const CIFAR10_NORMALIZATION: Normalization = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };
export const CIFAR100_NORMALIZATION: Normalization = { mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762] };

/** Per-channel mean/std of pixel/255 over the whole dataset. */
export function channelStatistics(ds: Dataset): Normalization {
  const c = ds.header.channels;
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  const img = ds.images;
  for (let i = 0; i < img.length; i += c) {
    for (let ch = 0; ch < c; ch++) {
      const v = img[i + ch]! / 255;
      sum[ch]! += v;
      sumSq[ch]! += v * v;
    }
  }
  const n = Math.max(1, img.length / c);
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(sumSq, (s, ch) => Math.sqrt(Math.max(1e-12, s / n - mean[ch]! ** 2)));
  return { mean: mean.map(round6), std: std.map(round6) };
}

/** Per-channel (length C) → per-element (length H·W·C, HWC order); per-element passes through. */
export function perElementNormalization(h: DatasetHeader): Normalization {
  const n = imageSize(h);
  const { mean, std } = h.normalization;
  if (mean.length === n) return { mean: [...mean], std: [...std] };
  const c = h.channels;
  const outMean = new Array<number>(n);
  const outStd = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    outMean[i] = mean[i % c]!;
    outStd[i] = std[i % c]!;
  }
  return { mean: outMean, std: outStd };
}

/** Adapts a per-channel normalisation to another channel count (RGB→gray averages, gray→RGB repeats). */
export function normalizationForChannels(norm: Normalization, channels: number): Normalization {
  if (norm.mean.length === channels) return norm;
  if (channels === 1) {
    const avg = (a: number[]) => round6(a.reduce((s, v) => s + v, 0) / a.length);
    return { mean: [avg(norm.mean)], std: [avg(norm.std)] };
  }
  return {
    mean: Array.from({ length: channels }, (_, i) => norm.mean[i % norm.mean.length]!),
    std: Array.from({ length: channels }, (_, i) => norm.std[i % norm.std.length]!),
  };
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
