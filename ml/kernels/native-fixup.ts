// The fused Fixup kernels of the native addon, as two project kernels of the wasm backend that
// ml/fixup-ops.ts calls: the block's tail (scale, bias, shortcut and ReLU in one pass) and the
// backward pass of a ReLU with the scalar gradients before it (one pass, sums included). Both
// equal the separate native kernels bit for bit (native/wt-kernels/src/kernels.h says how).
import type { NativeAddon } from '../native.ts';
import { addonArgs, type KernelArgs } from './kernel-args.ts';
import type { KernelFunc, ProjectKernel } from './registry.ts';
import { allocF32, asWasmBackend, elementCount, heapOffset, type TensorInfo } from './wasm-heap.ts';

export const RESIDUAL_TAIL = 'WtResidualTail';
export const RELU_GRAD = 'WtReluGrad';

/** The two kernels, or none when the addon was built before it had them. */
export function fixupKernels(addon: NativeAddon, implementation: string): ProjectKernel[] {
  if (typeof addon.residualTail !== 'function' || typeof addon.reluGrad !== 'function') return [];
  const kernel = (kernelName: string, kernelFunc: (args: KernelArgs) => TensorInfo | TensorInfo[]): ProjectKernel => ({
    kernelName,
    backendName: 'wasm',
    implementation,
    kernelFunc: kernelFunc as KernelFunc,
  });

  const residualTail = kernel(RESIDUAL_TAIL, (args) => {
    const backend = asWasmBackend(args.backend);
    const { r, scale, bias, shortcut } = args.inputs as Record<string, TensorInfo>;
    const y = allocF32(backend, r!.shape);
    const off = (t: TensorInfo) => heapOffset(backend, t);
    addon.residualTail!(backend.wasm.HEAPU8, addonArgs(off(r!), off(scale!), off(bias!), off(shortcut!), off(y), elementCount(r!.shape)));
    return y;
  });

  /** outputs [g, sumG], or [g, dr, sumG, sumGR] when r and scale are given */
  const reluGrad = kernel(RELU_GRAD, (args) => {
    const backend = asWasmBackend(args.backend);
    const { dy, y, r, scale } = args.inputs as Record<string, TensorInfo | undefined>;
    const g = allocF32(backend, dy!.shape);
    const sumG = allocF32(backend, [1]);
    const dr = r ? allocF32(backend, dy!.shape) : undefined;
    const sumGR = r ? allocF32(backend, [1]) : undefined;
    const off = (t: TensorInfo | undefined) => (t ? heapOffset(backend, t) : -1);
    const block = addonArgs(off(dy), off(y), off(r), off(scale), off(g), off(dr), off(sumG), off(sumGR), elementCount(dy!.shape));
    addon.reluGrad!(backend.wasm.HEAPU8, block);
    return dr && sumGR ? [g, dr, sumG, sumGR] : [g, sumG];
  });

  return [residualTail, reluGrad];
}
