// The fused Fixup kernels change speed, not results: a training step's loss, logits and every
// parameter gradient have the same bytes with the fused kernels as with the separate native
// kernels, on a model with a downsampling block and every scalar away from its init (so no
// path is trivially zero), and with 1 thread as with 2. The fused kernels must actually run,
// which the kernel profile checks, or the comparison would compare a path with itself.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initBackend } from '../../ml/backend.ts';
import { RELU_GRAD, RESIDUAL_TAIL } from '../../ml/kernels/native-fixup.ts';
import { installKernel, restoreBuiltinKernel, type ProjectKernel } from '../../ml/kernels/registry.ts';
import { FixupResNet } from '../../ml/model.ts';
import { nativeStatus } from '../../ml/native.ts';
import { Rng } from '../../ml/rng.ts';
import { tf, type Scalar, type Tensor, type Tensor4D } from '../../ml/tf.ts';

const native = nativeStatus();
const skip = native.available ? false : `SKIPPED: the native kernels addon is not available (${native.available ? '' : native.reason})`;
if (skip) process.stderr.write(`\n*** ${skip} ***\n\n`);

interface Case {
  label: string;
  model: FixupResNet;
  weights: Map<string, { shape: number[]; data: Float32Array }>;
  x: Float32Array;
  labels: number[];
  size: number;
}

/** A model with a downsampling block, every parameter away from its init, and a random batch. */
function makeCase(label: string, size: number, batch: number, widths: number[]): Case {
  const model = new FixupResNet({ height: size, width: size, channels: 3, classes: 5, widths, blocks: widths.map(() => 1) });
  const rng = Rng.from('fixup-ops-test', label);
  const noise = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * rng.normal());
  const weights = new Map(
    [...model.init(1)].map(([name, t]) => {
      const jitter = noise(t.data.length, 0.2);
      return [name, { shape: t.shape, data: t.data.map((v, i) => v + jitter[i]!) }];
    }),
  );
  return { label, model, weights, x: noise(batch * size * size * 3, 1), labels: Array.from({ length: batch }, (_, i) => i % 5), size };
}

// small: every tensor is one partial chunk; large: 40·16·16·16 = 163,840 elements per block
// tensor, over the parallel threshold and cut into 10 chunks with a partial last one
const CASES = [makeCase('small', 8, 6, [8, 16]), makeCase('large', 16, 40, [16, 32])];

/** loss, logits and gradients of one step, each as bytes, and the kernels that ran */
async function step(c: Case): Promise<{ bytes: string[]; kernels: Set<string> }> {
  const names = c.model.params.map((p) => p.name);
  const bytes: string[] = [];
  const profile = await tf.profile(() => {
    tf.tidy(() => {
      const xs = tf.tensor4d(c.x, [c.labels.length, c.size, c.size, 3]);
      const ys = tf.oneHot(tf.tensor1d(c.labels, 'int32'), 5).toFloat();
      const params = names.map((n) => tf.tensor(c.weights.get(n)!.data, c.weights.get(n)!.shape));
      const hex = (t: Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer).toString('hex');
      let logits = '';
      const { value, grads } = tf.valueAndGrads((...ps: Tensor[]) => {
        const out = c.model.forward(new Map(names.map((n, i) => [n, ps[i]!])), xs as Tensor4D).logits;
        logits = hex(out);
        return tf.neg(tf.mean(tf.sum(tf.mul(ys, tf.logSoftmax(out)), 1))) as Scalar;
      })(params);
      bytes.push(hex(value), logits, ...grads.map(hex));
    });
  });
  return { bytes, kernels: new Set(profile.kernelNames) };
}

function withoutFusedKernels<T>(f: () => Promise<T>): Promise<T> {
  const saved = [RESIDUAL_TAIL, RELU_GRAD].map((k) => tf.getKernel(k, 'wasm')!);
  for (const k of [RESIDUAL_TAIL, RELU_GRAD]) restoreBuiltinKernel(k, 'wasm');
  return f().finally(() => {
    for (const k of saved)
      installKernel({ kernelName: k.kernelName, backendName: 'wasm', implementation: 'native', kernelFunc: k.kernelFunc } as ProjectKernel);
  });
}

describe('fused Fixup kernels', { skip }, () => {
  before(async () => {
    await initBackend({ backend: 'wasm', log: () => {} });
  });

  for (const c of CASES)
    it(`give the bytes the separate native kernels give, for the loss, the logits and every gradient (${c.label})`, async () => {
      const fused = await step(c);
      assert.ok(fused.kernels.has(RESIDUAL_TAIL) && fused.kernels.has(RELU_GRAD), `fused kernels ran: ${[...fused.kernels].join(', ')}`);
      const separate = await withoutFusedKernels(() => step(c));
      assert.ok(!separate.kernels.has(RESIDUAL_TAIL) && separate.kernels.has('Multiply'), 'the comparison ran the separate kernels');
      assert.equal(fused.bytes.length, c.model.params.length + 2);
      fused.bytes.forEach((b, i) =>
        assert.equal(b, separate.bytes[i], `output ${i} (${i < 2 ? ['loss', 'logits'][i] : c.model.params[i - 2]!.name}) differs`),
      );
    });

  it('give the same bytes with 1 thread as with 2', async () => {
    if (!native.available) return;
    const threads = native.addon.info().threads;
    const c = CASES[1]!;
    try {
      native.addon.configure(undefined, 1);
      const one = await step(c);
      native.addon.configure(undefined, 2);
      const two = await step(c);
      assert.equal(one.bytes.length, c.model.params.length + 2);
      assert.deepEqual(one.bytes, two.bytes);
    } finally {
      native.addon.configure(undefined, threads);
    }
  });
});
