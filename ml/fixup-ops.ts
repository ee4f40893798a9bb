// The element-wise parts of a Fixup block that cost most when each is its own pass over memory:
//   conv3x3BiasRelu:  relu(conv3x3(x, w) + bias)        (the stem, and conv1 of every block)
//   residualTail:  relu((r·scale + bias) + shortcut)    (the end of every block)
// With the native kernels these are one kernel forward (the convolution's epilogue, or
// WtResidualTail) and one backward (WtReluGrad: the ReLU mask and the scalar gradients' sums in
// the same pass), where tfjs runs 4 and 6 separate kernels. The fused kernels round every
// operation as the separate kernels do, so training gives the same bytes either way
// (test/ml/fixup-ops.test.ts). Without them (wasm kernels, tfjs-node) the ops are the plain tfjs
// sequence.
import { RELU_GRAD, RESIDUAL_TAIL } from './kernels/native-fixup.ts';
import { tf, type Tensor, type Tensor4D } from './tf.ts';

type Padding = 'same' | [[number, number], [number, number], [number, number], [number, number]];

/** 3×3 conv with symmetric padding 1 (PyTorch's), on every backend. */
export function conv3x3(x: Tensor4D, w: Tensor, stride: number): Tensor4D {
  if (stride === 1) return tf.conv2d(x, w as Tensor4D, 1, 'same');
  // TF 'same' pads stride-2 convs asymmetrically (0 before, 1 after for even sizes), which
  // would misalign the branch with the 1×1 downsample shortcut; pad explicitly instead.
  // tfjs-node's Conv2DBackpropFilter accepts only 'same'/'valid', so there pad the input.
  if (tf.getBackend() === 'tensorflow')
    return tf.conv2d(
      tf.pad(x, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]),
      w as Tensor4D,
      stride,
      'valid',
    );
  return tf.conv2d(x, w as Tensor4D, stride, padding3x3(stride));
}

const padding3x3 = (stride: number): Padding =>
  stride === 1
    ? 'same'
    : [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ];

const usesFusedKernels = (): boolean =>
  tf.getBackend() === 'wasm' && !!tf.getKernel(RESIDUAL_TAIL, 'wasm') && !!tf.getKernel(RELU_GRAD, 'wasm');
const run = (name: string, inputs: Record<string, Tensor>, attrs: Record<string, unknown> = {}) =>
  tf.engine().runKernel(name, inputs as never, attrs as never) as Tensor | Tensor[];

/** relu((r·scale + bias) + shortcut), with scale and bias of shape [1]. */
export function residualTail(r: Tensor4D, scale: Tensor, bias: Tensor, shortcut: Tensor4D): Tensor4D {
  if (!usesFusedKernels()) return tf.relu(tf.add(tf.add(tf.mul(r, scale), bias), shortcut));
  return fusedTail(r, scale, bias, shortcut) as Tensor4D;
}

const fusedTail = tf.customGrad((...args: unknown[]) => {
  const [r, scale, bias, shortcut, save] = args as [Tensor, Tensor, Tensor, Tensor, (ts: Tensor[]) => void];
  const y = run(RESIDUAL_TAIL, { r, scale, bias, shortcut }) as Tensor;
  save([r, scale, y]);
  return {
    value: y,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
      const [rs, ss, ys] = saved as [Tensor, Tensor, Tensor];
      const [g, dr, sumG, sumGR] = run(RELU_GRAD, { dy: dy as Tensor, y: ys, r: rs, scale: ss }) as Tensor[];
      return [dr!, sumGR!, sumG!, g!];
    },
  };
});

/**
 * relu(conv2d(x, w) + bias), bias of shape [1]. `inputGradient: false` where nothing upstream
 * needs dL/dx (the stem): tfjs would not compute it either.
 */
export function conv3x3BiasRelu(x: Tensor4D, w: Tensor, bias: Tensor, stride: number, inputGradient = true): Tensor4D {
  if (!usesFusedKernels()) return tf.relu(tf.add(conv3x3(x, w, stride), bias));
  return fusedConv(stride, inputGradient)(x, w, bias) as Tensor4D;
}

const fusedConvs = new Map<string, (...ts: Tensor[]) => Tensor>();

function fusedConv(stride: number, inputGradient: boolean): (...ts: Tensor[]) => Tensor {
  const key = `${stride}:${inputGradient}`;
  let op = fusedConvs.get(key);
  if (op) return op;
  const attrs = { strides: [stride, stride], pad: padding3x3(stride), dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined };
  op = tf.customGrad((...args: unknown[]) => {
    const [x, w, bias, save] = args as [Tensor, Tensor, Tensor, (ts: Tensor[]) => void];
    const y = run('FusedConv2D', { x, filter: w, bias }, { ...attrs, activation: 'relu', leakyreluAlpha: 0 }) as Tensor;
    save([x, w, y]);
    return {
      value: y,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
        const [xs, ws, ys] = saved as [Tensor, Tensor, Tensor];
        const [g, sumG] = run(RELU_GRAD, { dy: dy as Tensor, y: ys }) as Tensor[];
        const dx = inputGradient
          ? (run('Conv2DBackpropInput', { dy: g!, filter: ws }, { ...attrs, inputShape: xs.shape }) as Tensor)
          : tf.zerosLike(xs);
        const dw = run('Conv2DBackpropFilter', { x: xs, dy: g! }, { ...attrs, filterShape: ws.shape }) as Tensor;
        return [dx, dw, sumG!];
      },
    };
  });
  fusedConvs.set(key, op);
  return op;
}
