// Conv2DBackpropInput for the wasm backend as XNNPACK convolutions (tfjs' own is a scalar loop).
//
// With stride s, input row ih receives dy row oh through filter row kh when
// ih + top = oh·s + kh. Rows with the same phase p = (ih + top) mod s use only the filter rows
// kh ≡ p (mod s), so each (row phase, column phase) is a stride-1 convolution of dy with a
// small sub-filter (spatially flipped, in/out channels swapped); its output rows are scattered
// to ih = q·s + p − top. Stride 1 is the single phase, written straight into the result.
// Unlike convolving a zero-dilated dy, no multiply-add is wasted on inserted zeros.
import { conv2DInfo, type ConvAttrs, type KernelArgs } from './kernel-args.ts';
import { builtinKernel, type ProjectKernel } from './registry.ts';
import { allocF32, asWasmBackend, conv2d, dispose, heapF32, type TensorInfo, type WasmBackend } from './wasm-heap.ts';

/** One phase along one axis. */
interface AxisPhase {
  /** filter taps of this phase: k = phase + t·stride */
  phase: number;
  taps: number;
  /** dx positions of this phase: (qMin + j)·stride + phase − padBefore, j < count */
  qMin: number;
  count: number;
  /** padding of dy for the phase convolution, and its output length (≥ count) */
  padBefore: number;
  padAfter: number;
  convLength: number;
}

function axisPhases(inSize: number, outSize: number, k: number, stride: number, pad: number): AxisPhase[] | null {
  const phases: AxisPhase[] = [];
  for (let phase = 0; phase < stride; phase++) {
    const taps = phase < k ? Math.ceil((k - phase) / stride) : 0;
    const qMin = Math.ceil((pad - phase) / stride);
    const count = Math.floor((inSize - 1 + pad - phase) / stride) - qMin + 1;
    if (taps === 0 || count <= 0) continue;
    const padBefore = taps - 1 - qMin;
    if (padBefore < 0) return null; // padding wider than the filter
    const padAfter = Math.max(0, count - (outSize + padBefore - taps + 1));
    phases.push({ phase, taps, qMin, count, padBefore, padAfter, convLength: outSize + padBefore + padAfter - taps + 1 });
  }
  return phases;
}

function conv2DBackpropInput(args: KernelArgs): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const dy = args.inputs.dy as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  const attrs = args.attrs as ConvAttrs & { inputShape: [number, number, number, number] };
  const { inputShape } = attrs;
  if (attrs.dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropInput (wasm): dataFormat ${attrs.dataFormat} unsupported, use NHWC`);

  const info = conv2DInfo(inputShape, filter.shape, attrs);
  const { inHeight: h, inWidth: w, inChannels: ci, filterHeight: kh, filterWidth: kw, padInfo } = info;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const rows = axisPhases(h, oh, kh, sh, padInfo.top);
  const cols = axisPhases(w, ow, kw, sw, padInfo.left);
  if (!rows || !cols) {
    const builtin = builtinKernel('Conv2DBackpropInput', 'wasm');
    if (!builtin) throw new Error('Conv2DBackpropInput (wasm): padding wider than the filter is unsupported');
    return builtin.kernelFunc(args as never) as TensorInfo;
  }

  const n = inputShape[0];
  const single = rows.length === 1 && cols.length === 1 && sh === 1 && sw === 1;
  const coversAll = rows.length === sh && cols.length === sw;
  let dx: TensorInfo | undefined;
  for (const r of rows)
    for (const c of cols) {
      const sub = subFilter(backend, filter, r, c, sh, sw);
      const params = {
        padTop: r.padBefore,
        padBottom: r.padAfter,
        padLeft: c.padBefore,
        padRight: c.padAfter,
        strideHeight: 1,
        strideWidth: 1,
        dilationHeight: 1,
        dilationWidth: 1,
      };
      const part = conv2d(backend, dy, sub, params, [n, r.convLength, c.convLength, ci]);
      dispose(backend, sub);
      if (single && r.convLength === h && c.convLength === w) return part;
      dx ??= allocF32(backend, inputShape, !coversAll);
      scatter(backend, part, dx, r, c, sh, sw, padInfo.top, padInfo.left);
      dispose(backend, part);
    }
  return dx ?? allocF32(backend, inputShape, true);
}

/** The filter taps of one phase, flipped, as [taps_h, taps_w, Co, Ci]. */
function subFilter(backend: WasmBackend, filter: TensorInfo, r: AxisPhase, c: AxisPhase, sh: number, sw: number): TensorInfo {
  const [, kw, ci, co] = filter.shape as [number, number, number, number];
  const out = allocF32(backend, [r.taps, c.taps, co, ci]);
  const src = heapF32(backend, filter);
  const dst = heapF32(backend, out);
  for (let a = 0; a < r.taps; a++)
    for (let b = 0; b < c.taps; b++) {
      const fa = r.phase + (r.taps - 1 - a) * sh;
      const fb = c.phase + (c.taps - 1 - b) * sw;
      const s0 = (fa * kw + fb) * ci * co;
      const d0 = (a * c.taps + b) * co * ci;
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) dst[d0 + o * ci + i] = src[s0 + i * co + o]!;
    }
  return out;
}

/** Copy a phase result [N, convLength_r, convLength_c, Ci] into its rows/columns of dx. */
function scatter(
  backend: WasmBackend,
  part: TensorInfo,
  dx: TensorInfo,
  r: AxisPhase,
  c: AxisPhase,
  sh: number,
  sw: number,
  top: number,
  left: number,
): void {
  const [n, h, w, ci] = dx.shape as [number, number, number, number];
  const src = heapF32(backend, part);
  const dst = heapF32(backend, dx);
  for (let b = 0; b < n; b++)
    for (let j = 0; j < r.count; j++) {
      const ih = (r.qMin + j) * sh + r.phase - top;
      for (let k = 0; k < c.count; k++) {
        const iw = (c.qMin + k) * sw + c.phase - left;
        const s = ((b * r.convLength + j) * c.convLength + k) * ci;
        dst.set(src.subarray(s, s + ci), ((b * h + ih) * w + iw) * ci);
      }
    }
}

export const conv2DBackpropInputKernel: ProjectKernel = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  implementation: 'xnnpack-conv-phases',
  kernelFunc: conv2DBackpropInput as ProjectKernel['kernelFunc'],
};
