// Identity for the wasm backend without copying. tfjs clones every tensor it saves for the
// backward pass through this kernel; the wasm built-in copies the data each time (~80 copies
// per training step of the default model), while sharing the buffer by reference count (what
// the cpu backend does) is safe because tensors are immutable.
import type { ProjectKernel } from './registry.ts';
import { asWasmBackend, type TensorInfo } from './wasm-heap.ts';

function identity(args: { inputs: Record<string, unknown>; backend: unknown }): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const x = args.inputs.x as TensorInfo;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export const identityKernel: ProjectKernel = {
  kernelName: 'Identity',
  backendName: 'wasm',
  implementation: 'shared-buffer',
  kernelFunc: identity as ProjectKernel['kernelFunc'],
};
