// Loads the optional native kernels addon (native/wt-kernels, an N-API addon built by node-gyp
// when the project is installed) without importing TensorFlow.js, so that cheap callers such as
// threads.ts can ask whether it is there.
//
//   WT_NATIVE=0                  never load it (the wasm kernels serve everything)
//   WT_NATIVE_ISA=avx2           force an instruction set (avx512 | avx2 | generic) instead of the best one
//   WT_THREADS=N                 native threads per process (default: the number of cores; never
//                                more than the cores the caller was granted, initBackend's `cpus`)
//   WT_NATIVE_ADDON=PATH         load the addon from this .node file (tests of the fallback)
//
// The addon's loader never throws; when the package is missing, was not built (no compiler at
// install time: the reason is recorded in its build directory) or cannot load, nativeStatus()
// says why and the project uses the wasm kernels.
import { createRequire } from 'node:module';
import { arch, availableParallelism } from 'node:os';

export interface NativeInfo {
  /** instruction set the kernels use now */
  isa: string;
  /** best instruction set this CPU supports */
  bestIsa: string;
  /** instruction sets available (built and supported by the CPU) */
  isas: string[];
  threads: number;
}

/** The addon's functions (native/wt-kernels/src/addon.cc documents the argument layouts). */
export interface NativeAddon {
  info(): NativeInfo;
  configure(isa?: string, threads?: number): NativeInfo;
  conv2d(heap: Uint8Array, args: Float64Array): void;
  backpropInput(heap: Uint8Array, args: Float64Array): void;
  backpropFilter(heap: Uint8Array, args: Float64Array): void;
  matmul(heap: Uint8Array, args: Float64Array): void;
  binary(heap: Uint8Array, args: Float64Array): void;
  unary(heap: Uint8Array, args: Float64Array): void;
  sum(heap: Uint8Array, args: Float64Array): void;
  /** the fused Fixup kernels; absent from builds made before them */
  residualTail?(heap: Uint8Array, args: Float64Array): void;
  reluGrad?(heap: Uint8Array, args: Float64Array): void;
  /** SGD over every parameter in one call (optimizer.ts has the formula); absent from older builds */
  sgd?(params: Float32Array[], buffers: Float32Array[], grads: Float32Array[], hyper: Float64Array): void;
}

export type NativeStatus = { available: true; addon: NativeAddon; isa: string } | { available: false; reason: string; disabled: boolean };

export interface LoadNativeOptions {
  env?: NodeJS.ProcessEnv;
  /** path of the .node file (default: the installed package's build) */
  file?: string;
}

const require = createRequire(import.meta.url);

/** Load the addon (uncached; see nativeStatus for the process-wide one). Never throws. */
export function loadNative(options: LoadNativeOptions = {}): NativeStatus {
  const env = options.env ?? process.env;
  if (isOff(env.WT_NATIVE)) return { available: false, reason: `disabled by WT_NATIVE=${env.WT_NATIVE}`, disabled: true };
  let pkg: { load(file?: string): { addon: NativeAddon | null; reason: string | null } };
  try {
    pkg = require('wt-kernels') as typeof pkg;
  } catch {
    return { available: false, reason: 'the optional package wt-kernels is not installed', disabled: false };
  }
  const { addon, reason } = pkg.load(options.file ?? (env.WT_NATIVE_ADDON?.trim() || undefined));
  if (!addon) return { available: false, reason: reason ?? 'unknown', disabled: false };
  let info: NativeInfo;
  try {
    info = addon.info();
  } catch (e) {
    return { available: false, reason: `addon info() failed: ${(e as Error).message}`, disabled: false };
  }
  const forced = env.WT_NATIVE_ISA?.trim();
  if (forced) {
    if (!info.isas.includes(forced))
      return { available: false, reason: `WT_NATIVE_ISA=${forced} is not available here (have ${info.isas.join(', ')})`, disabled: false };
    return { available: true, addon, isa: forced };
  }
  // On x86 a CPU without AVX2+FMA would run the portable build with software fmaf: slower than wasm.
  if (info.bestIsa === 'generic' && (arch() === 'x64' || arch() === 'ia32'))
    return { available: false, reason: 'this CPU has neither AVX-512 nor AVX2+FMA', disabled: false };
  return { available: true, addon, isa: info.bestIsa };
}

let cached: NativeStatus | undefined;

/** The process-wide addon status (loaded once). */
export function nativeStatus(): NativeStatus {
  cached ??= loadNative();
  return cached;
}

/**
 * Threads the native kernels use: env WT_THREADS, else the number of cores, at most `granted`
 * (the cores a pipeline stage was given; unlimited when the caller was given none).
 */
export function nativeThreadSetting(env: NodeJS.ProcessEnv = process.env, granted?: number): number {
  return Math.min(positiveInt(env, 'WT_THREADS') ?? availableParallelism(), granted ?? Infinity);
}

function positiveInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name]?.trim();
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`env ${name}='${v}' is not a whole number of threads between 1 and 256`);
  return n;
}

function isOff(v: string | undefined): boolean {
  return v !== undefined && ['0', 'false', 'off', 'no'].includes(v.trim().toLowerCase());
}
