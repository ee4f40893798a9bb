// Cast for the wasm backend that shares the buffer when the dtype does not change. tfjs' ReLU
// gradient casts float32 to float32 (mul(dy, cast(step(x), 'float32'))), and the built-in
// kernel copies the whole tensor for that.
import type { KernelArgs } from './kernel-args.ts';
import { builtinKernel, type ProjectKernel } from './registry.ts';
import { asWasmBackend, type TensorInfo } from './wasm-heap.ts';

function cast(args: KernelArgs): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  const { dtype } = args.attrs as { dtype: string };
  if (dtype !== x.dtype) {
    const builtin = builtinKernel('Cast', 'wasm');
    if (!builtin) throw new Error('wasm backend has no Cast kernel');
    return builtin.kernelFunc(args as never) as TensorInfo;
  }
  asWasmBackend(args.backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype };
}

export const castKernel: ProjectKernel = {
  kernelName: 'Cast',
  backendName: 'wasm',
  implementation: 'shared-buffer-same-dtype',
  kernelFunc: cast as ProjectKernel['kernelFunc'],
};
