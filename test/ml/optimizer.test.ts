// The native SGD step gives the bytes of the JavaScript loop: momentum, weight decay and the
// lower rate of bias and scale parameters, over several steps, on values from tiny to large.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nativeStatus } from '../../ml/native.ts';
import { Sgd } from '../../ml/optimizer.ts';
import { Rng } from '../../ml/rng.ts';
import type { Weights } from '../../ml/weights.ts';

const native = nativeStatus();
const skip = native.available && native.addon.sgd ? false : 'SKIPPED: the native addon (with sgd) is not available';
if (skip) process.stderr.write(`\n*** ${skip} ***\n\n`);

function weights(rng: Rng): Weights {
  const sizes: [string, number][] = [
    ['stem.conv', 432],
    ['stem.bias', 1],
    ['layer1.0.scale', 1],
    ['fc.weight', 1000],
    ['fc.bias', 10],
  ];
  return new Map(
    sizes.map(([name, n]) => [name, { shape: [n], data: Float32Array.from({ length: n }, () => rng.normal() * 10 ** (rng.int(7) - 3)) }]),
  );
}

describe('SGD', { skip }, () => {
  it('gives the same bytes natively as in JavaScript, step after step', () => {
    const rng = Rng.from('sgd-test');
    const start = weights(rng);
    const copy = (w: Weights): Weights => new Map([...w].map(([n, t]) => [n, { shape: t.shape, data: t.data.slice() }]));
    const [a, b] = [copy(start), copy(start)];
    const options = { momentum: 0.9, weightDecay: 5e-4, smallParamLrFactor: 0.1 };
    const fast = new Sgd(options, a);
    const loop = new Sgd(options, b, undefined, false);
    for (let step = 0; step < 5; step++) {
      const grads = new Map([...start].map(([n, t]) => [n, Float32Array.from(t.data, () => rng.normal() * 10 ** (rng.int(5) - 2))]));
      fast.step(a, grads, 0.1 / (step + 1));
      loop.step(b, grads, 0.1 / (step + 1));
    }
    assert.equal(a.size, 5);
    for (const [name, t] of a) {
      assert.ok(!t.data.every((v, i) => v === start.get(name)!.data[i]), `${name} moved`);
      assert.deepEqual(Buffer.from(t.data.buffer), Buffer.from(b.get(name)!.data.buffer), name);
      assert.deepEqual(
        Buffer.from(fast.momentumBuffers.get(name)!.buffer),
        Buffer.from(loop.momentumBuffers.get(name)!.buffer),
        `${name} momentum`,
      );
    }
  });
});
