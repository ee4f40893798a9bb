// Low-level access to the tfjs wasm backend for project kernels: tensor ids and heap views,
// temporary tensors, and direct calls into the backend's XNNPACK Conv2D and its Transpose.
//
// Every tensor of the wasm backend lives on the wasm heap at `dataIdMap.get(dataId).memoryOffset`;
// a native implementation replacing a kernel works on the same memory (see heapF32).
import { tf } from '../tf.ts';

interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: string;
  refCount: number;
}

export interface WasmBackend {
  wasm: {
    HEAPU8: Uint8Array;
    tfjs: { disposeData(id: number): void };
    cwrap: (name: string, ret: null, args: string[]) => (...args: unknown[]) => void;
  };
  dataIdMap: { get(dataId: object): WasmTensorData; delete(dataId: object): void };
  makeOutput(shape: number[], dtype: string, memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

export type { TensorInfo };

export function asWasmBackend(backend: unknown): WasmBackend {
  const b = backend as Partial<WasmBackend> | null;
  if (!b?.wasm || !b.dataIdMap || !b.makeOutput) throw new Error('project kernel: not a tfjs wasm backend');
  return b as WasmBackend;
}

export function tensorId(backend: WasmBackend, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).id;
}

/** Elements of a tensor of `shape`. */
export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Byte offset of a tensor's data on the wasm heap (what the native addon takes). */
export function heapOffset(backend: WasmBackend, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** A Float32Array view of a tensor on the wasm heap. Re-take views after any allocation. */
export function heapF32(backend: WasmBackend, t: TensorInfo): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer, heapOffset(backend, t), elementCount(t.shape));
}

/** Allocate a float32 tensor on the heap; its contents are undefined unless `zero`. */
export function allocF32(backend: WasmBackend, shape: number[], zero = false): TensorInfo {
  const t = backend.makeOutput(shape, 'float32');
  if (zero) heapF32(backend, t).fill(0);
  return t;
}

export function dispose(backend: WasmBackend, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

/**
 * A float32 tensor aliasing `shape`-many elements of `base` from element `offset` on (no copy).
 * Release it with disposeView, never with dispose (the memory belongs to `base`).
 */
export function view(backend: WasmBackend, base: TensorInfo, offset: number, shape: number[]): TensorInfo {
  const { memoryOffset } = backend.dataIdMap.get(base.dataId);
  return backend.makeOutput(shape, 'float32', memoryOffset + 4 * offset);
}

export function disposeView(backend: WasmBackend, v: TensorInfo): void {
  // Unregisters the id (which also frees XNNPACK operators cached for it) without freeing memory.
  backend.wasm.tfjs.disposeData(backend.dataIdMap.get(v.dataId).id);
  backend.dataIdMap.delete(v.dataId);
}

/** Output of the backend's own Transpose kernel (called directly: no engine, no tape). */
export function transpose(backend: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  const kernel = tf.getKernel('Transpose', 'wasm');
  if (!kernel) throw new Error('wasm backend has no Transpose kernel');
  return kernel.kernelFunc({ inputs: { x } as never, backend: backend as never, attrs: { perm } }) as TensorInfo;
}

export interface ConvParams {
  padTop: number;
  padRight: number;
  padBottom: number;
  padLeft: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
}

type WasmConv2D = (...args: number[]) => void;
const conv2dFns = new WeakMap<object, WasmConv2D>();

/**
 * XNNPACK convolution of x [N,H,W,Ci] with filter [KH,KW,Ci,Co] (explicit padding) written
 * into a new tensor of shape `outShape` = [N,OH,OW,Co]. The backend caches one XNNPACK
 * operator per filter tensor and frees it when that tensor is disposed.
 */
export function conv2d(backend: WasmBackend, x: TensorInfo, filter: TensorInfo, p: ConvParams, outShape: number[]): TensorInfo {
  let fn = conv2dFns.get(backend);
  if (!fn) {
    fn = backend.wasm.cwrap('Conv2D', null, Array<string>(19).fill('number')) as WasmConv2D;
    conv2dFns.set(backend, fn);
  }
  const [n, h, w, ci] = x.shape as [number, number, number, number];
  const [kh, kw, , co] = filter.shape as [number, number, number, number];
  // XNNPACK writes the output size it derives itself; a mismatch would corrupt the heap.
  const xnnH = Math.floor((h + p.padTop + p.padBottom - ((kh - 1) * p.dilationHeight + 1)) / p.strideHeight) + 1;
  const xnnW = Math.floor((w + p.padLeft + p.padRight - ((kw - 1) * p.dilationWidth + 1)) / p.strideWidth) + 1;
  if (outShape.join() !== [n, xnnH, xnnW, co].join())
    throw new Error(`wasm conv2d: output [${outShape}] requested but XNNPACK would write [${[n, xnnH, xnnW, co]}]`);
  const out = allocF32(backend, outShape);
  fn(
    tensorId(backend, x),
    n,
    h,
    w,
    tensorId(backend, filter),
    kh,
    kw,
    p.padTop,
    p.padRight,
    p.padBottom,
    p.padLeft,
    0 /* explicit padding */,
    p.dilationHeight,
    p.dilationWidth,
    p.strideHeight,
    p.strideWidth,
    ci,
    co,
    tensorId(backend, out),
  );
  return out;
}
