import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initBackend } from '../../ml/backend.ts';
import { activations, evaluate, fixedSubset } from '../../ml/evaluate.ts';
import { FixupResNet } from '../../ml/model.ts';
import { tf, type Tensor4D } from '../../ml/tf.ts';
import { stripesDataset } from './synthetic.ts';

before(async () => {
  await initBackend({ backend: 'wasm', log: () => {} });
});

const model = new FixupResNet({ height: 12, width: 12, channels: 3, classes: 4, widths: [6, 12], blocks: [1, 1] });
const weights = model.init(3);
const data = stripesDataset({ count: 37, size: 12, seed: 2 });

/** logits computed directly, normalising like data/dataset.ts documents */
function directLogits(indices: number[]): Float32Array {
  const { mean, std } = data.header.normalization;
  const size = 12 * 12 * 3;
  const x = new Float32Array(indices.length * size);
  indices.forEach((idx, b) => {
    for (let e = 0; e < size; e++) x[b * size + e] = (data.images[idx * size + e]! / 255 - mean[e % 3]!) / std[e % 3]!;
  });
  const p = model.toTensors(weights);
  const out = tf.tidy(() => model.forward(p, tf.tensor4d(x, [indices.length, 12, 12, 3])).logits.dataSync() as Float32Array);
  for (const t of p.values()) t.dispose();
  return out;
}

describe('evaluate', () => {
  it('returns per-example predictions, correctness and losses consistent with the logits', () => {
    const r = evaluate(model, weights, data, { batchSize: 8 });
    assert.equal(r.count, 37);
    const logits = directLogits([...Array(37).keys()]);
    let correct = 0;
    let loss = 0;
    for (let i = 0; i < 37; i++) {
      const row = [...logits.subarray(i * 4, i * 4 + 4)];
      const pred = row.indexOf(Math.max(...row));
      assert.equal(r.predictions[i], pred);
      assert.equal(r.correct[i], pred === data.labels[i] ? 1 : 0);
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      assert.ok(Math.abs(r.losses[i]! - (lse - row[data.labels[i]!]!)) < 1e-4);
      correct += r.correct[i]!;
      loss += r.losses[i]!;
    }
    assert.equal(r.accuracy, correct / 37);
    assert.ok(Math.abs(r.meanLoss - loss / 37) < 1e-5);
  });

  it('evaluates a chosen subset and does not depend on the batch size', () => {
    const all = evaluate(model, weights, data, { batchSize: 5 });
    const sub = evaluate(model, weights, data, { indices: [3, 10, 20], batchSize: 2 });
    assert.deepEqual([...sub.predictions], [all.predictions[3], all.predictions[10], all.predictions[20]]);
    const again = evaluate(model, weights, data, { batchSize: 64 });
    assert.deepEqual(again.predictions, all.predictions);
  });

  it('rejects a dataset that does not fit the model', () => {
    assert.throws(() => evaluate(model, weights, stripesDataset({ count: 4, size: 16 })), /images are 16×16×3, model expects 12×12×3/);
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    evaluate(model, weights, data);
    activations(model, weights, data, ['stem', 'layer2'], { count: 10 });
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('activations', () => {
  it('returns N×D features of named layers on a fixed subset', () => {
    const a = activations(model, weights, data, ['stem', 'layer1', 'layer2', 'pool'], { count: 10, batchSize: 4 });
    assert.deepEqual([...a.keys()], ['stem', 'layer1', 'layer2', 'pool']);
    assert.deepEqual(a.get('stem')!.shape, [12, 12, 6]);
    assert.deepEqual(a.get('layer2')!.shape, [6, 6, 12]);
    assert.equal(a.get('layer2')!.d, 6 * 6 * 12);
    assert.equal(a.get('pool')!.data.length, 10 * 12);
    // same subset on every call, and rows equal the forward pass of those examples
    const idx = [...fixedSubset(37, 10, 'activations')];
    assert.deepEqual(activations(model, weights, data, ['pool'], { count: 10 }).get('pool')!.data, a.get('pool')!.data);
    const { mean, std } = data.header.normalization;
    const size = 12 * 12 * 3;
    const x = new Float32Array(10 * size);
    idx.forEach((i, b) => {
      for (let e = 0; e < size; e++) x[b * size + e] = (data.images[i * size + e]! / 255 - mean[e % 3]!) / std[e % 3]!;
    });
    const p = model.toTensors(weights);
    const direct = tf.tidy(() =>
      model
        .forward(p, tf.tensor4d(x, [10, 12, 12, 3]) as Tensor4D, ['layer2'])
        .outputs.get('layer2')!
        .dataSync(),
    );
    for (const t of p.values()) t.dispose();
    const got = a.get('layer2')!.data;
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - direct[i]!) < 1e-5);
  });

  it('supports per-element normalisation', () => {
    const perElement = stripesDataset({ count: 6, size: 12, perElementNormalization: true });
    assert.equal(perElement.header.normalization.mean.length, 12 * 12 * 3);
    const r = evaluate(model, weights, perElement);
    const perChannel = evaluate(model, weights, {
      ...perElement,
      header: { ...perElement.header, normalization: { mean: [0.4, 0.4, 0.4], std: [0.25, 0.25, 0.25] } },
    });
    assert.deepEqual(r.predictions, perChannel.predictions);
  });
});
