// What tfjs hands a kernel function, and the convolution attributes every Conv2D-family kernel
// receives, with the geometry tfjs derives from them.
import { tf } from '../tf.ts';

export type KernelArgs = { inputs: Record<string, unknown>; backend: unknown; attrs?: unknown };

/** The native addon's argument block, reused by every call (the addon reads it synchronously). */
const ADDON_ARGS = new Float64Array(32);

export function addonArgs(...values: number[]): Float64Array {
  for (let i = 0; i < values.length; i++) ADDON_ARGS[i] = values[i]!;
  return ADDON_ARGS;
}

export interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | number[][];
  dataFormat: 'NHWC' | 'NCHW';
  /** absent on the gradient kernels: they only support 1 */
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** tfjs' geometry (output size, padding, strides) of a convolution of x by filter */
export function conv2DInfo(xShape: readonly number[], filterShape: readonly number[], attrs: ConvAttrs): Conv2DInfo {
  type Shape4 = [number, number, number, number];
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad as never,
    attrs.dimRoundingMode,
  );
}
