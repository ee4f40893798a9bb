// Conv2D for the wasm backend with padding always passed explicitly. The built-in kernel hands
// 'same' padding to XNNPACK as its TENSORFLOW_SAME_PADDING flag, which computes wrong outputs
// (and can write out of bounds) for some shapes, e.g. x [3,9,8,4], filter [3,1,4,4], stride 2.
import { tf } from '../tf.ts';
import type { ProjectKernel } from './registry.ts';
import { asWasmBackend, conv2d, type TensorInfo } from './wasm-heap.ts';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | number[][];
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function conv2D(args: { inputs: Record<string, unknown>; backend: unknown; attrs?: unknown }): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const x = args.inputs.x as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs as Attrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2D (wasm): dataFormat ${dataFormat} unsupported, use NHWC`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    strides, dilations, pad as never, dimRoundingMode,
  );
  const { top, left } = info.padInfo;
  // Bottom/right padding re-derived from tfjs' output size (XNNPACK then writes exactly that
  // size; negative means unused trailing rows, which XNNPACK's floor division drops too): for
  // numeric padding and non-square filters tfjs sizes the width with the filter height.
  const bottom = Math.max(0, (info.outHeight - 1) * info.strideHeight + info.effectiveFilterHeight - info.inHeight - top);
  const right = Math.max(0, (info.outWidth - 1) * info.strideWidth + info.effectiveFilterWidth - info.inWidth - left);
  return conv2d(
    backend, x, filter,
    {
      padTop: top, padBottom: bottom, padLeft: left, padRight: right,
      strideHeight: info.strideHeight, strideWidth: info.strideWidth,
      dilationHeight: info.dilationHeight, dilationWidth: info.dilationWidth,
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
