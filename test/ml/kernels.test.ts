// The project's wasm (XNNPACK-based) kernels against the cpu backend on random shapes. The native
// kernels that replace them when the addon is built are tested in native.test.ts.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { backendInfo, initBackend, switchBackend } from '../../ml/backend.ts';
import { assertConvMatchesCpu, CONV_KERNELS, onBoth, randomConvCases, randomData, relativeError, type ConvCase } from './kernel-check.ts';
import { Rng } from '../../ml/rng.ts';
import { tf, type Tensor, type Tensor4D } from '../../ml/tf.ts';

const cases = randomConvCases(120, 7, { stream: 'kernel-cases', maxBatch: 5, channels: (int) => int(1, 6) });

// this file tests the wasm kernels: keep the native addon out (each test file runs in its own process)
process.env.WT_NATIVE = '0';

describe('project wasm kernels match the cpu backend', () => {
  before(async () => {
    await initBackend({ backend: 'wasm', log: () => {} });
  });

  it('are installed on wasm', () => {
    const k = backendInfo().kernels;
    for (const name of ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Identity', 'Cast'])
      assert.ok(k[name], `${name} not installed`);
  });

  it('cover strides 1 and 2, same/valid/explicit padding, odd sizes and batch 1', () => {
    const has = (p: (c: ConvCase) => boolean) => assert.ok(cases.some(p));
    has((c) => c.strides[0] === 1);
    has((c) => c.strides[0] === 2);
    has((c) => c.pad === 'same' && c.strides[0] === 2);
    has((c) => c.pad === 'valid' && c.strides[0] === 2);
    has((c) => Array.isArray(c.pad));
    has((c) => c.x[1] % 2 === 1 && c.x[2] % 2 === 1);
    has((c) => c.x[0] === 1);
  });

  for (const kernel of CONV_KERNELS) {
    it(`${kernel}: relative error < 1e-5 on ${cases.length} random shapes`, async () => {
      const worst = await assertConvMatchesCpu(kernel, cases, Rng.from(11, kernel));
      assert.ok(worst > 0, 'suspicious: bit-identical to cpu everywhere');
    });
  }

  it('gradients of a conv layer (both kernels through tf.grads) match cpu', async () => {
    const rng = Rng.from(3, 'grads');
    for (const c of cases.slice(0, 30)) {
      const x = randomData(c.x, rng);
      const filter = randomData(c.filter, rng);
      for (const which of [0, 1]) {
        const { wasm, cpu } = await onBoth(
          () =>
            tf.grads((a: Tensor, b: Tensor) =>
              tf
                .conv2d(a as Tensor4D, b as Tensor4D, c.strides, c.pad)
                .square()
                .sum(),
            )([tf.tensor4d(x, c.x), tf.tensor4d(filter, c.filter)])[which]!,
        );
        const e = relativeError(wasm, cpu);
        assert.ok(e < 1e-5, `${JSON.stringify(c)} grad ${which}: ${e}`);
      }
    }
  });

  it('Identity shares the buffer and survives disposal of its input', async () => {
    await switchBackend('wasm');
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.engine().runKernel('Identity', { x: a }, {}) as Tensor;
    a.dispose();
    assert.deepEqual([...b.dataSync()], [1, 2, 3]);
    b.dispose();
  });

  it('Cast shares the buffer for the same dtype and still converts otherwise', async () => {
    await switchBackend('wasm');
    const a = tf.tensor1d([1.5, -2.25, 3]);
    const same = tf.cast(a, 'float32');
    const int = tf.cast(a, 'int32');
    a.dispose();
    assert.deepEqual([...same.dataSync()], [1.5, -2.25, 3]);
    assert.equal(int.dtype, 'int32');
    assert.deepEqual([...int.dataSync()], [1, -2, 3]);
    tf.dispose([same, int]);
  });

  it('a 1×1 stride-2 conv and a wide filter on a small image', async () => {
    for (const c of [
      { x: [2, 7, 7, 3], filter: [1, 1, 3, 4], strides: [2, 2], pad: 'valid' },
      { x: [1, 4, 5, 2], filter: [4, 4, 2, 3], strides: [2, 2], pad: 'same' },
    ] as ConvCase[]) {
      const rng = Rng.from(5);
      const x = randomData(c.x, rng);
      const f = randomData(c.filter, rng);
      const { wasm, cpu } = await onBoth(
        () =>
          tf.grads((a: Tensor) => tf.conv2d(a as Tensor4D, tf.tensor4d(f, c.filter), c.strides, c.pad).sum())([tf.tensor4d(x, c.x)])[0]!,
      );
      assert.ok(relativeError(wasm, cpu) < 1e-5);
    }
  });
});
