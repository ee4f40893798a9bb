// Conv2DBackpropFilter for the wasm backend (tfjs has none), as one XNNPACK convolution:
//
//   dW[a,b,ci,co] = Σ_{n,i,j} x[n, i·sh + a − top, j·sw + b − left, ci] · dy[n,i,j,co]
//
// is a convolution whose "batch" is ci and whose "channels" are n: input xᵀ = [Ci,H,W,N],
// filter dyᵀ = [OH,OW,N,Co] dilated by the forward stride, output [Ci,KH,KW,Co], which is
// finally reordered to the filter layout [KH,KW,Ci,Co].
//
// XNNPACK runs this GEMM (M = Ci·KH·KW, N = Co, K = OH·OW·N) without blocking K, streaming the
// whole packed dy once per row tile; so the batch is split into groups whose dy fits in L2
// cache, one convolution per group, and the group results are summed (in a fixed order).
import { conv2DInfo, type ConvAttrs, type KernelArgs } from './kernel-args.ts';
import type { ProjectKernel } from './registry.ts';
import { allocF32, asWasmBackend, conv2d, dispose, disposeView, heapF32, transpose, view, type TensorInfo } from './wasm-heap.ts';

/** floats of dy per group (1 MiB): fits L2 next to the group's input */
const GROUP_DY_FLOATS = 1 << 18;

function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const attrs = args.attrs as ConvAttrs & { filterShape: [number, number, number, number] };
  if (attrs.dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter (wasm): dataFormat ${attrs.dataFormat} unsupported, use NHWC`);

  const info = conv2DInfo(x.shape, attrs.filterShape, attrs);
  const { inHeight: h, inWidth: w, inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw } = info;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const n = x.shape[0]!;

  // Bottom/right padding that makes the conv output exactly KH×KW; when the forward pass
  // never reached the last input rows it is negative: pad 0 and crop the extra output rows.
  const padBottom = kh + (oh - 1) * sh - h - padInfo.top;
  const padRight = kw + (ow - 1) * sw - w - padInfo.left;
  const outH = kh + Math.max(0, -padBottom);
  const outW = kw + Math.max(0, -padRight);

  const convParams = {
    padTop: padInfo.top,
    padLeft: padInfo.left,
    padBottom: Math.max(0, padBottom),
    padRight: Math.max(0, padRight),
    strideHeight: 1,
    strideWidth: 1,
    dilationHeight: sh,
    dilationWidth: sw,
  };
  const groupSize = Math.max(1, Math.min(n, Math.floor(GROUP_DY_FLOATS / (oh * ow * co))));
  const sum = new Float32Array(ci * outH * outW * co);
  for (let n0 = 0; n0 < n; n0 += groupSize) {
    const g = Math.min(groupSize, n - n0);
    const xg = view(backend, x, n0 * h * w * ci, [g, h, w, ci]);
    const dyg = view(backend, dy, n0 * oh * ow * co, [g, oh, ow, co]);
    const xT = transpose(backend, xg, [3, 1, 2, 0]);
    const dyT = transpose(backend, dyg, [1, 2, 0, 3]);
    const part = conv2d(backend, { ...xT, shape: [ci, h, w, g] }, { ...dyT, shape: [oh, ow, g, co] }, convParams, [ci, outH, outW, co]);
    const p = heapF32(backend, part);
    if (n0 === 0) sum.set(p);
    else for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! + p[i]!;
    dispose(backend, xT, dyT, part);
    disposeView(backend, xg);
    disposeView(backend, dyg);
  }

  const out = allocF32(backend, [kh, kw, ci, co]);
  const dst = heapF32(backend, out);
  for (let c = 0; c < ci; c++)
    for (let a = 0; a < kh; a++)
      for (let b = 0; b < kw; b++) {
        const s = ((c * outH + a) * outW + b) * co;
        dst.set(sum.subarray(s, s + co), ((a * kw + b) * ci + c) * co);
      }
  return out;
}

export const conv2DBackpropFilterKernel: ProjectKernel = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  implementation: 'xnnpack-conv-transposed',
  kernelFunc: conv2DBackpropFilter as ProjectKernel['kernelFunc'],
};
