// The fused Fixup kernels of the native addon, as two project kernels of the wasm backend that
// ml/fixup-ops.ts calls: the block's tail (scale, bias, shortcut and ReLU in one pass) and the
// backward pass of a ReLU with the scalar gradients before it (one pass, sums included). Both
// equal the separate native kernels bit for bit (native/wt-kernels/src/kernels.h says how).
import type { NativeAddon } from '../native.ts';
import type { KernelArgs } from './kernel-args.ts';
import type { KernelFunc, ProjectKernel } from './registry.ts';
import { allocF32, asWasmBackend, type TensorInfo, type WasmBackend } from './wasm-heap.ts';

export const RESIDUAL_TAIL = 'WtResidualTail';
export const RELU_GRAD = 'WtReluGrad';

const A = new Float64Array(16);
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const off = (backend: WasmBackend, t: TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;

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
    A.set([off(backend, r!), off(backend, scale!), off(backend, bias!), off(backend, shortcut!), off(backend, y), size(r!.shape)]);
    addon.residualTail!(backend.wasm.HEAPU8, A);
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
    const opt = (t: TensorInfo | undefined) => (t ? off(backend, t) : -1);
    A.set([
      off(backend, dy!),
      off(backend, y!),
      opt(r),
      opt(scale),
      off(backend, g),
      opt(dr),
      off(backend, sumG),
      opt(sumGR),
      size(dy!.shape),
    ]);
    addon.reluGrad!(backend.wasm.HEAPU8, A);
    return dr && sumGR ? [g, dr, sumG, sumGR] : [g, sumG];
  });

  return [residualTail, reluGrad];
}
