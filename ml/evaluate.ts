// Evaluation of weights on a dataset (eval mode = the plain forward pass: no BatchNorm, no
// mixup): per-example predictions, correctness and cross-entropy loss; and activations of
// named layers (for CKA).
import type { Dataset } from '../data/dataset.ts';
import { BatchNormaliser, checkDatasetFitsModel } from './batches.ts';
import type { FixupResNet, TensorMap } from './model.ts';
import { Rng } from './rng.ts';
import { tf, type Tensor4D } from './tf.ts';
import type { Weights } from './weights.ts';

export interface EvalResult {
  count: number;
  /** argmax class per example */
  predictions: Uint16Array;
  /** 1 where the prediction equals the label */
  correct: Uint8Array;
  /** cross-entropy per example */
  losses: Float32Array;
  accuracy: number;
  meanLoss: number;
}

export interface EvalOptions {
  batchSize?: number;
  /** evaluate only these examples (default: all, in order) */
  indices?: ArrayLike<number>;
}

export function evaluate(model: FixupResNet, weights: Weights, data: Dataset, options: EvalOptions = {}): EvalResult {
  const params = model.toTensors(weights);
  try {
    return evaluateTensors(model, params, data, options);
  } finally {
    for (const t of params.values()) t.dispose();
  }
}

/** evaluate() with parameters already on the backend. */
export function evaluateTensors(model: FixupResNet, params: TensorMap, data: Dataset, options: EvalOptions = {}): EvalResult {
  checkDatasetFitsModel(data, model.config);
  const indices = options.indices ?? range(data.header.count);
  const n = indices.length;
  const classes = model.config.classes;
  const result: EvalResult = {
    count: n,
    predictions: new Uint16Array(n),
    correct: new Uint8Array(n),
    losses: new Float32Array(n),
    accuracy: 0,
    meanLoss: 0,
  };
  let correct = 0;
  let lossSum = 0;
  forEachBatch(model, data, indices, options.batchSize ?? 256, (start, x) => {
    const logitsT = tf.tidy(() => model.forward(params, x).logits);
    const logits = logitsT.dataSync();
    logitsT.dispose();
    for (let b = 0; b < x.shape[0]; b++) {
      const i = start + b;
      const label = data.labels[indices[i]!]!;
      let best = 0;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) {
        const v = logits[b * classes + c]!;
        if (v > max) {
          max = v;
          best = c;
        }
      }
      let sumExp = 0;
      for (let c = 0; c < classes; c++) sumExp += Math.exp(logits[b * classes + c]! - max);
      const loss = Math.log(sumExp) + max - logits[b * classes + label]!;
      result.predictions[i] = best;
      result.correct[i] = best === label ? 1 : 0;
      result.losses[i] = loss;
      correct += result.correct[i]!;
      lossSum += loss;
    }
  });
  result.accuracy = n ? correct / n : 0;
  result.meanLoss = n ? lossSum / n : 0;
  return result;
}

export interface Activation {
  /** per-example shape, e.g. [H, W, C] for a conv layer */
  shape: number[];
  n: number;
  /** features per example (product of shape) */
  d: number;
  /** n × d, row-major, each row the example's NHWC-flattened output */
  data: Float32Array;
}

export interface ActivationOptions {
  /** examples to use; default: a fixed random subset of `count` examples */
  indices?: ArrayLike<number>;
  /** size of the default subset (default 1000, capped at the dataset size) */
  count?: number;
  batchSize?: number;
}

/** Outputs of the named layers (see FixupResNet.outputNames) on a fixed subset of `data`. */
export function activations(
  model: FixupResNet,
  weights: Weights,
  data: Dataset,
  layers: string[],
  options: ActivationOptions = {},
): Map<string, Activation> {
  checkDatasetFitsModel(data, model.config);
  const indices = options.indices ?? fixedSubset(data.header.count, options.count ?? 1000, 'activations');
  const n = indices.length;
  const out = new Map<string, Activation>();
  const params = model.toTensors(weights);
  try {
    forEachBatch(model, data, indices, options.batchSize ?? 128, (start, x) => {
      const outputs = tf.tidy(() => {
        const r = model.forward(params, x, layers);
        return layers.map((l) => r.outputs.get(l)!);
      });
      layers.forEach((l, k) => {
        const t = outputs[k]!;
        const shape = t.shape.slice(1);
        const d = shape.reduce((a, b) => a * b, 1);
        let a = out.get(l);
        if (!a) {
          a = { shape, n, d, data: new Float32Array(n * d) };
          out.set(l, a);
        }
        a.data.set(t.dataSync() as Float32Array, start * d);
        t.dispose();
      });
    });
  } finally {
    for (const t of params.values()) t.dispose();
  }
  return out;
}

/** `count` distinct example indices of a dataset of `size`, the same for every call with the same label. */
export function fixedSubset(size: number, count: number, label: string): Uint32Array {
  if (count >= size) return range(size);
  return Rng.from('fixed-subset', label, size).permutation(size).slice(0, count).sort();
}

function range(n: number): Uint32Array {
  const r = new Uint32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}

function forEachBatch(
  model: FixupResNet,
  data: Dataset,
  indices: ArrayLike<number>,
  batchSize: number,
  f: (start: number, x: Tensor4D) => void,
): void {
  const norm = new BatchNormaliser(data.header);
  const { height, width, channels } = model.config;
  const buf = new Float32Array(Math.min(batchSize, indices.length) * norm.size);
  for (let start = 0; start < indices.length; start += batchSize) {
    const b = Math.min(batchSize, indices.length - start);
    const idx = Array.prototype.slice.call(indices, start, start + b) as number[];
    norm.fill(data, idx, buf);
    const x = tf.tensor4d(buf.subarray(0, b * norm.size), [b, height, width, channels]);
    try {
      f(start, x);
    } finally {
      x.dispose();
    }
  }
}
