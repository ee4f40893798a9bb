// What the kernel tests share: random convolution shapes, random data, the relative error, and
// running one op on the cpu backend and on wasm (with whatever kernels are installed there).
import assert from 'node:assert/strict';
import { switchBackend } from '../../ml/backend.ts';
import { Rng } from '../../ml/rng.ts';
import { tf, type Tensor, type Tensor4D } from '../../ml/tf.ts';

export type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
export interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

export interface CaseOptions {
  /** names the random stream, so two test files draw different cases */
  stream: string;
  maxBatch: number;
  /** a channel count (input and output are drawn separately) */
  channels(int: (lo: number, hi: number) => number, rng: Rng): number;
}

/** Random convolutions: kernels 1–4 (sometimes not square), strides 1/2, same/valid/explicit padding, odd sizes, batch 1 in a quarter. */
export function randomConvCases(count: number, seed: number, options: CaseOptions): ConvCase[] {
  const rng = Rng.from(seed, options.stream);
  const int = (lo: number, hi: number) => lo + rng.int(hi - lo + 1);
  const cases: ConvCase[] = [];
  while (cases.length < count) {
    const kh = int(1, 4);
    const kw = rng.float() < 0.7 ? kh : int(1, 4);
    const s = int(1, 2);
    const strides: [number, number] = rng.float() < 0.8 ? [s, s] : [s, int(1, 2)];
    const h = int(kh, 13);
    const w = int(kw, 13);
    const kind = rng.int(3);
    const pad: Pad =
      kind === 0
        ? 'same'
        : kind === 1
          ? 'valid'
          : [
              [0, 0],
              [int(0, kh - 1), int(0, kh - 1)],
              [int(0, kw - 1), int(0, kw - 1)],
              [0, 0],
            ];
    const n = rng.float() < 0.25 ? 1 : int(2, options.maxBatch);
    const inChannels = options.channels(int, rng);
    cases.push({ x: [n, h, w, inChannels], filter: [kh, kw, inChannels, options.channels(int, rng)], strides, pad });
  }
  return cases;
}

/** uniform in [lo, 1) */
export function randomData(shape: number[], rng: Rng, lo = -1): Float32Array {
  const d = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < d.length; i++) d[i] = lo + rng.float() * (1 - lo);
  return d;
}

/** max |a − b| / max |b| */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return den === 0 ? num : num / den;
}

/** f on the cpu backend, then on wasm; the output shapes must agree */
export async function onBoth(f: () => Tensor): Promise<{ wasm: Float32Array; cpu: Float32Array; shape: number[] }> {
  const out: Record<string, Float32Array> = {};
  let shape: number[] = [];
  for (const b of ['cpu', 'wasm'] as const) {
    await switchBackend(b);
    const t = tf.tidy(f);
    out[b] = t.dataSync() as Float32Array;
    if (b === 'wasm') assert.deepEqual(t.shape, shape, 'output shape differs from cpu');
    shape = t.shape;
    t.dispose();
  }
  return { wasm: out.wasm!, cpu: out.cpu!, shape };
}

export function convOutShape(c: ConvCase): number[] {
  return tf.tidy(() => tf.conv2d(tf.zeros(c.x) as Tensor4D, tf.zeros(c.filter) as Tensor4D, c.strides, c.pad).shape);
}

export const CONV_KERNELS = ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const;

/** one of CONV_KERNELS on the given case and data (dy is the output gradient for the two gradients) */
export function convOp(
  kernel: (typeof CONV_KERNELS)[number],
  c: ConvCase,
  x: Float32Array,
  filter: Float32Array,
  dy: Float32Array,
): Tensor {
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: [1, 1] };
  if (kernel === 'Conv2D') return tf.conv2d(tf.tensor4d(x, c.x), tf.tensor4d(filter, c.filter), c.strides, c.pad);
  if (kernel === 'Conv2DBackpropFilter')
    return tf.engine().runKernel(kernel, { x: tf.tensor4d(x, c.x), dy: tf.tensor(dy, convOutShape(c)) }, {
      ...attrs,
      filterShape: c.filter,
    } as never) as Tensor;
  return tf.engine().runKernel(kernel, { dy: tf.tensor(dy, convOutShape(c)), filter: tf.tensor4d(filter, c.filter) }, {
    ...attrs,
    inputShape: c.x,
  } as never) as Tensor;
}

/** every case within relative error 1e-5 of the cpu backend; returns the worst error seen */
export async function assertConvMatchesCpu(kernel: (typeof CONV_KERNELS)[number], cases: ConvCase[], rng: Rng): Promise<number> {
  let worst = 0;
  for (const c of cases) {
    const x = randomData(c.x, rng);
    const filter = randomData(c.filter, rng);
    const dy = randomData(convOutShape(c), rng);
    const { wasm, cpu } = await onBoth(() => convOp(kernel, c, x, filter, dy));
    const e = relativeError(wasm, cpu);
    assert.ok(e < 1e-5, `${kernel} ${JSON.stringify(c)}: relative error ${e}`);
    worst = Math.max(worst, e);
  }
  return worst;
}
