// Conv2D for the wasm backend with padding always passed explicitly. The built-in kernel hands
// 'same' padding to XNNPACK as its TENSORFLOW_SAME_PADDING flag, which computes wrong outputs
// (and can write out of bounds) for some shapes, e.g. x [3,9,8,4], filter [3,1,4,4], stride 2.
import { conv2DInfo, type ConvAttrs, type KernelArgs } from './kernel-args.ts';
import type { ProjectKernel } from './registry.ts';
import { asWasmBackend, conv2d, type TensorInfo } from './wasm-heap.ts';

function conv2D(args: KernelArgs): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const x = args.inputs.x as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  const attrs = args.attrs as ConvAttrs;
  if (attrs.dataFormat !== 'NHWC') throw new Error(`Conv2D (wasm): dataFormat ${attrs.dataFormat} unsupported, use NHWC`);
  const info = conv2DInfo(x.shape, filter.shape, attrs);
  const { top, left } = info.padInfo;
  // Bottom/right padding re-derived from tfjs' output size (XNNPACK then writes exactly that
  // size; negative means unused trailing rows, which XNNPACK's floor division drops too): for
  // numeric padding and non-square filters tfjs sizes the width with the filter height.
  const bottom = Math.max(0, (info.outHeight - 1) * info.strideHeight + info.effectiveFilterHeight - info.inHeight - top);
  const right = Math.max(0, (info.outWidth - 1) * info.strideWidth + info.effectiveFilterWidth - info.inWidth - left);
  return conv2d(
    backend,
    x,
    filter,
    {
      padTop: top,
      padBottom: bottom,
      padLeft: left,
      padRight: right,
      strideHeight: info.strideHeight,
      strideWidth: info.strideWidth,
      dilationHeight: info.dilationHeight,
      dilationWidth: info.dilationWidth,
    },
    info.outShape,
  );
}

export const conv2DKernel: ProjectKernel = {
  kernelName: 'Conv2D',
  backendName: 'wasm',
  implementation: 'xnnpack-explicit-padding',
  kernelFunc: conv2D as ProjectKernel['kernelFunc'],
};
