// Kernels of the native addon (native/wt-kernels) for the wasm backend. Each reads its inputs
// and writes its output in place on the wasm heap: the output is allocated first (an allocation
// can grow the heap and detach the old buffer), then the heap view is fetched and passed to the
// addon together with byte offsets. Shapes or attributes the addon does not handle go to the
// kernel that was installed before (the project's XNNPACK-based kernels or tfjs' own).
//
// Installed one by one through the registry, so each can be replaced or left out:
//   WT_NATIVE_KERNELS=Conv2D,Conv2DBackpropFilter   only these (default: all of NATIVE_KERNEL_NAMES)
import { tf } from '../tf.ts';
import type { NativeAddon } from '../native.ts';
import { conv2DKernel } from './conv2d.ts';
import { conv2DBackpropFilterKernel } from './conv2d-backprop-filter.ts';
import { conv2DBackpropInputKernel } from './conv2d-backprop-input.ts';
import { addonArgs, conv2DInfo, type Conv2DInfo, type ConvAttrs, type KernelArgs } from './kernel-args.ts';
import { fixupKernels } from './native-fixup.ts';
import { builtinKernel, installKernel, type KernelFunc, type ProjectKernel } from './registry.ts';
import { allocF32, asWasmBackend, elementCount, heapOffset, type TensorInfo } from './wasm-heap.ts';

export const NATIVE_KERNEL_NAMES = [
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'BatchMatMul',
  '_FusedMatMul',
  'Add',
  'Sub',
  'Multiply',
  'Relu',
  'Step',
  'Sum',
  // the fused Fixup kernels (native-fixup.ts): used by ml/fixup-ops.ts, not by tfjs itself
  'WtResidualTail',
  'WtReluGrad',
] as const;
export type NativeKernelName = (typeof NATIVE_KERNEL_NAMES)[number];

const ACT = { linear: 0, relu: 1 } as const;
const BIN = { Add: 0, Sub: 1, Multiply: 2 } as const;

/** the convolution geometry every conv kernel of the addon takes, in its argument order */
function geometry(info: Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/** The kernel a native one falls back to: the project's wasm kernel of that name, else tfjs' own. */
function fallback(name: string): KernelFunc {
  const project = [conv2DKernel, conv2DBackpropFilterKernel, conv2DBackpropInputKernel].find((k) => k.kernelName === name);
  if (project) return project.kernelFunc;
  const builtin = builtinKernel(name, 'wasm');
  if (!builtin) throw new Error(`wasm backend has no ${name} kernel to fall back to`);
  return builtin.kernelFunc;
}

function delegate(name: string, args: KernelArgs): TensorInfo {
  return fallback(name)(args as never) as TensorInfo;
}

const allFloat = (...ts: (TensorInfo | undefined | null)[]) => ts.every((t) => !t || t.dtype === 'float32');

export function nativeKernels(addon: NativeAddon, isa: string): ProjectKernel[] {
  const implementation = `native-${isa}`;
  const kernel = (kernelName: NativeKernelName, kernelFunc: (args: KernelArgs) => TensorInfo): ProjectKernel => ({
    kernelName,
    backendName: 'wasm',
    implementation,
    kernelFunc: kernelFunc as KernelFunc,
  });

  /** forward convolution with optional bias/activation epilogue; null when unsupported */
  const conv = (args: KernelArgs, bias: TensorInfo | null, act: number): TensorInfo | null => {
    const backend = asWasmBackend(args.backend);
    const x = args.inputs.x as TensorInfo;
    const filter = args.inputs.filter as TensorInfo;
    const a = args.attrs as ConvAttrs;
    if (a.dataFormat !== 'NHWC' || !allFloat(x, filter, bias)) return null;
    const info = conv2DInfo(x.shape, filter.shape, a);
    if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
    if (bias && elementCount(bias.shape) !== 1 && elementCount(bias.shape) !== info.outChannels) return null;
    const out = allocF32(backend, info.outShape);
    addon.conv2d(
      backend.wasm.HEAPU8,
      addonArgs(
        heapOffset(backend, x),
        heapOffset(backend, filter),
        heapOffset(backend, out),
        bias ? heapOffset(backend, bias) : -1,
        bias ? elementCount(bias.shape) : 0,
        act,
        ...geometry(info),
      ),
    );
    return out;
  };

  const conv2D = kernel('Conv2D', (args) => conv(args, null, 0) ?? delegate('Conv2D', args));

  /** a fused op (bias + activation epilogue) natively when the addon applies its activation, else the fallback */
  const fused = (name: 'FusedConv2D' | '_FusedMatMul', op: (args: KernelArgs, bias: TensorInfo | null, act: number) => TensorInfo | null) =>
    kernel(name, (args) => {
      const { activation } = args.attrs as { activation: string };
      const bias = (args.inputs.bias as TensorInfo | undefined) ?? null;
      const act = ACT[activation as keyof typeof ACT];
      const out = act === undefined || args.inputs.preluActivationWeights ? null : op(args, bias, act);
      return out ?? delegate(name, args);
    });

  const fusedConv2D = fused('FusedConv2D', conv);

  const backpropInput = kernel('Conv2DBackpropInput', (args) => {
    const backend = asWasmBackend(args.backend);
    const dy = args.inputs.dy as TensorInfo;
    const filter = args.inputs.filter as TensorInfo;
    const a = args.attrs as ConvAttrs & { inputShape: [number, number, number, number] };
    if (a.dataFormat !== 'NHWC' || !allFloat(dy, filter)) return delegate('Conv2DBackpropInput', args);
    const info = conv2DInfo(a.inputShape, filter.shape, a);
    const out = allocF32(backend, a.inputShape);
    addon.backpropInput(
      backend.wasm.HEAPU8,
      addonArgs(heapOffset(backend, dy), heapOffset(backend, filter), heapOffset(backend, out), ...geometry(info)),
    );
    return out;
  });

  const backpropFilter = kernel('Conv2DBackpropFilter', (args) => {
    const backend = asWasmBackend(args.backend);
    const x = args.inputs.x as TensorInfo;
    const dy = args.inputs.dy as TensorInfo;
    const a = args.attrs as ConvAttrs & { filterShape: [number, number, number, number] };
    if (a.dataFormat !== 'NHWC' || !allFloat(x, dy)) return delegate('Conv2DBackpropFilter', args);
    const info = conv2DInfo(x.shape, a.filterShape, a);
    const out = allocF32(backend, a.filterShape);
    addon.backpropFilter(
      backend.wasm.HEAPU8,
      addonArgs(heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, out), ...geometry(info)),
    );
    return out;
  });

  /** batched matmul with optional epilogue; null when unsupported */
  const matmul = (args: KernelArgs, bias: TensorInfo | null, act: number): TensorInfo | null => {
    const backend = asWasmBackend(args.backend);
    const a = args.inputs.a as TensorInfo;
    const b = args.inputs.b as TensorInfo;
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!allFloat(a, b, bias) || a.shape.length < 2 || b.shape.length < 2) return null;
    const [m, ka] = transposeA ? [a.shape.at(-1)!, a.shape.at(-2)!] : [a.shape.at(-2)!, a.shape.at(-1)!];
    const [kb, n] = transposeB ? [b.shape.at(-1)!, b.shape.at(-2)!] : [b.shape.at(-2)!, b.shape.at(-1)!];
    if (ka !== kb) return null;
    const aBatch = a.shape.slice(0, -2);
    const bBatch = b.shape.slice(0, -2);
    const ba = elementCount(aBatch);
    const bb = elementCount(bBatch);
    // equal batch dimensions, or one side without batch (broadcast)
    if (!(ba === 1 || bb === 1 || (aBatch.length === bBatch.length && aBatch.every((d, i) => d === bBatch[i])))) return null;
    if (bias && elementCount(bias.shape) !== 1 && !(bias.shape.at(-1) === n && elementCount(bias.shape) === n)) return null;
    const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
    const out = allocF32(backend, [...batchShape, m, n]);
    addon.matmul(
      backend.wasm.HEAPU8,
      addonArgs(
        heapOffset(backend, a),
        heapOffset(backend, b),
        heapOffset(backend, out),
        bias ? heapOffset(backend, bias) : -1,
        bias ? elementCount(bias.shape) : 0,
        act,
        ba,
        bb,
        m,
        ka,
        n,
        transposeA ? 1 : 0,
        transposeB ? 1 : 0,
      ),
    );
    return out;
  };

  const batchMatMul = kernel('BatchMatMul', (args) => matmul(args, null, 0) ?? delegate('BatchMatMul', args));

  const fusedMatMul = fused('_FusedMatMul', matmul);

  const binary = (name: 'Add' | 'Sub' | 'Multiply') =>
    kernel(name, (args) => {
      const backend = asWasmBackend(args.backend);
      const a = args.inputs.a as TensorInfo;
      const b = args.inputs.b as TensorInfo;
      const na = elementCount(a.shape);
      const nb = elementCount(b.shape);
      const same = na === nb && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
      if (a.dtype !== 'float32' || b.dtype !== 'float32' || !(same || na === 1 || nb === 1)) return delegate(name, args);
      const shape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const out = allocF32(backend, shape);
      addon.binary(
        backend.wasm.HEAPU8,
        addonArgs(BIN[name], heapOffset(backend, a), na, heapOffset(backend, b), nb, heapOffset(backend, out), elementCount(shape)),
      );
      return out;
    });

  const unary = (name: 'Relu' | 'Step', op: number) =>
    kernel(name, (args) => {
      const backend = asWasmBackend(args.backend);
      const x = args.inputs.x as TensorInfo;
      if (x.dtype !== 'float32') return delegate(name, args);
      const alpha = name === 'Step' ? ((args.attrs as { alpha?: number }).alpha ?? 0) : 0;
      const out = allocF32(backend, x.shape);
      addon.unary(backend.wasm.HEAPU8, addonArgs(op, heapOffset(backend, x), heapOffset(backend, out), elementCount(x.shape), alpha));
      return out;
    });

  const sum = kernel('Sum', (args) => {
    const backend = asWasmBackend(args.backend);
    const x = args.inputs.x as TensorInfo;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    if (x.dtype !== 'float32') return delegate('Sum', args);
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((p, q) => p - q);
    // a contiguous run of axes: x is [outer, reduce, inner]
    if (axes.some((v, i) => i > 0 && v !== axes[i - 1]! + 1)) return delegate('Sum', args);
    const first = axes[0] ?? 0;
    const last = axes.length ? axes.at(-1)! : -1;
    const outer = elementCount(x.shape.slice(0, first));
    const reduce = axes.length ? elementCount(x.shape.slice(first, last + 1)) : 1;
    const inner = elementCount(x.shape.slice(last + 1));
    const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const out = allocF32(backend, shape);
    addon.sum(backend.wasm.HEAPU8, addonArgs(heapOffset(backend, x), heapOffset(backend, out), outer, reduce, inner));
    return out;
  });

  return [
    conv2D,
    fusedConv2D,
    backpropInput,
    backpropFilter,
    batchMatMul,
    fusedMatMul,
    binary('Add'),
    binary('Sub'),
    binary('Multiply'),
    unary('Relu', 0),
    unary('Step', 1),
    sum,
    ...fixupKernels(addon, implementation),
  ];
}

/** Kernel names chosen by env WT_NATIVE_KERNELS (comma-separated), default all. */
export function selectedNativeKernels(env: NodeJS.ProcessEnv = process.env): NativeKernelName[] {
  const v = env.WT_NATIVE_KERNELS?.trim();
  if (!v || v === 'all') return [...NATIVE_KERNEL_NAMES];
  const names = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(NATIVE_KERNEL_NAMES as readonly string[]).includes(n));
  if (unknown.length)
    throw new Error(`env WT_NATIVE_KERNELS names unknown kernel(s) ${unknown.join(', ')}; choose from ${NATIVE_KERNEL_NAMES.join(', ')}`);
  return names as NativeKernelName[];
}

/** Install the chosen native kernels over the wasm backend's (one by one, through the registry). */
export function installNativeKernels(addon: NativeAddon, isa: string, names: readonly NativeKernelName[] = NATIVE_KERNEL_NAMES): void {
  for (const k of nativeKernels(addon, isa)) if (names.includes(k.kernelName as NativeKernelName)) installKernel(k);
}
