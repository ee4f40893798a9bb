// Chooses and initialises the TensorFlow.js backend every ML computation runs on.
//
// Preference order: tfjs-node-gpu (if it loads and a GPU device exists) → tfjs-node → wasm → cpu.
// `initBackend({ backend })` or env WT_BACKEND forces one; a forced backend that cannot load
// is an error. The chosen backend's {name, version, threads, kernels, native} goes into artifact
// metadata.
//
// On wasm, the native kernels addon (native/wt-kernels, see native.ts) takes over the hot kernels
// when it is installed and loads (env WT_NATIVE=0 turns it off, WT_NATIVE_KERNELS picks kernels,
// WT_THREADS sets its threads); otherwise the project's wasm kernels serve, with one log line why.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { tf } from './tf.ts';
import { activeKernelImplementations, registerProjectKernels } from './kernels/index.ts';
import { installNativeKernels, selectedNativeKernels } from './kernels/native.ts';
import { nativeStatus, nativeThreadSetting } from './native.ts';

export const BACKEND_NAMES = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendInfo {
  name: BackendName;
  /** version of the package providing the backend */
  version: string;
  /** compute threads one process uses */
  threads: number;
  /** which implementation serves each project-overridden kernel (see ml/kernels) */
  kernels: Record<string, string>;
  /** the native kernels addon: active with its instruction set and threads, or why not */
  native: NativeKernelsInfo;
}

export type NativeKernelsInfo = { active: true; isa: string; threads: number } | { active: false; reason: string };

export interface InitBackendOptions {
  /** force a backend; default: env WT_BACKEND, else 'auto' */
  backend?: BackendName | 'auto';
  /** cores this process may keep busy (a stage's context.cpus); default: every core */
  cpus?: number;
  /** where the one-line "backend chosen" message goes; default stderr */
  log?: (line: string) => void;
}

const TFJS_BACKEND_OF: Record<BackendName, string> = {
  'tfjs-node-gpu': 'tensorflow',
  'tfjs-node': 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

let current: BackendInfo | undefined;
/** initBackend's `cpus`: the thread pools of whichever backend loads stay within it */
let grantedCpus: number | undefined;
let logged = false;

export function isBackendName(s: string): s is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(s);
}

/** Initialise (once) and return the backend; later calls return the same info. */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const requested = options.backend ?? readEnvBackend() ?? 'auto';
  if (current && (requested === 'auto' || requested === current.name)) return current;
  // configuration errors are errors, not reasons to fall back to another backend
  grantedCpus = options.cpus ?? grantedCpus;
  nativeThreadSetting(process.env, grantedCpus);
  selectedNativeKernels();

  let info: BackendInfo;
  if (requested === 'auto') {
    info = await firstThatLoads();
  } else {
    const result = await tryLoad(requested);
    if (typeof result === 'string') {
      throw new Error(
        `Backend '${requested}' was requested (${options.backend ? 'option backend' : 'env WT_BACKEND'}) ` +
          `but cannot be used: ${result}. Install it, or choose another of ${BACKEND_NAMES.join(', ')} ` +
          `(or 'auto').`,
      );
    }
    info = result;
  }
  current = info;
  if (!logged) {
    logged = true;
    const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
    const native = info.native.active
      ? `, native kernels (${info.native.isa}), ${threads}`
      : info.name === 'wasm'
        ? `, ${threads} (native kernels ${info.native.reason.startsWith('disabled') ? info.native.reason : `unavailable: ${info.native.reason}; using the wasm kernels`})`
        : `, ${threads}`;
    (options.log ?? ((l) => process.stderr.write(`${l}\n`)))(`[ml] backend ${info.name} ${info.version}${native}`);
  }
  return info;
}

/** The backend chosen by initBackend; throws if initBackend has not run. */
export function backendInfo(): BackendInfo {
  if (!current) throw new Error('ml backend not initialised: call `await initBackend()` first');
  return { ...current, kernels: activeKernelImplementations(current.name === 'wasm' ? 'wasm' : '') };
}

/**
 * Make `name` the active backend without changing what backendInfo() reports; used by tests
 * and benchmarks that compare backends inside one process.
 */
export async function switchBackend(name: BackendName): Promise<void> {
  const result = await tryLoad(name);
  if (typeof result === 'string') throw new Error(`cannot switch to backend '${name}': ${result}`);
}

function readEnvBackend(): BackendName | 'auto' | undefined {
  const v = process.env.WT_BACKEND?.trim();
  if (!v) return undefined;
  if (v === 'auto' || isBackendName(v)) return v;
  throw new Error(`env WT_BACKEND='${v}' is not one of auto, ${BACKEND_NAMES.join(', ')}`);
}

async function firstThatLoads(): Promise<BackendInfo> {
  const reasons: string[] = [];
  for (const name of BACKEND_NAMES) {
    const result = await tryLoad(name);
    if (typeof result !== 'string') return result;
    reasons.push(`${name}: ${result}`);
  }
  throw new Error(`no TensorFlow.js backend could be initialised (${reasons.join('; ')})`);
}

/** Returns the backend info, or a reason string why it cannot be used. */
async function tryLoad(name: BackendName): Promise<BackendInfo | string> {
  try {
    const version = await importBackendPackage(name);
    const tfName = TFJS_BACKEND_OF[name];
    const listenersBefore = processErrorListeners();
    const ok = await tf.setBackend(tfName);
    removeListenersAddedSince(listenersBefore);
    if (!ok) return `tf.setBackend('${tfName}') failed`;
    if (name === 'cpu') silenceCpuBanner();
    let native: NativeKernelsInfo = { active: false, reason: `not used on the ${name} backend` };
    if (name === 'wasm') {
      registerProjectKernels('wasm');
      native = activateNativeKernels();
    }
    const threads = native.active ? native.threads : threadsOf(name);
    return { name, version, threads, kernels: activeKernelImplementations(tfName), native };
  } catch (e) {
    return e instanceof Error ? e.message.split('\n')[0]! : String(e);
  }
}

/** Install the native kernels over the wasm backend when the addon is available. */
function activateNativeKernels(): NativeKernelsInfo {
  const status = nativeStatus();
  if (!status.available) return { active: false, reason: status.reason };
  const info = status.addon.configure(status.isa, nativeThreadSetting(process.env, grantedCpus));
  installNativeKernels(status.addon, status.isa, selectedNativeKernels());
  return { active: true, isa: info.isa, threads: info.threads };
}

let nodePackageLoaded: BackendName | undefined;

/** Loads the npm package that registers the backend; returns its version. */
async function importBackendPackage(name: BackendName): Promise<string> {
  switch (name) {
    case 'tfjs-node-gpu':
    case 'tfjs-node': {
      if (name === 'tfjs-node-gpu' && !existsSync('/dev/nvidiactl')) throw new Error('no GPU device (/dev/nvidiactl)');
      // Both packages register the same 'tensorflow' backend; only one may load per process.
      if (nodePackageLoaded && nodePackageLoaded !== name) throw new Error(`${nodePackageLoaded} already loaded`);
      // libtensorflow sizes its pool once, at load: keep it within the cores the runner granted.
      if (grantedCpus && !process.env.TF_NUM_INTRAOP_THREADS) process.env.TF_NUM_INTRAOP_THREADS = String(grantedCpus);
      const pkg = `@tensorflow/${name}`;
      const mod = (await import(pkg)) as { version?: Record<string, string> };
      nodePackageLoaded = name;
      return mod.version?.[name] ?? mod.version?.['tfjs-node'] ?? tf.version_core;
    }
    case 'wasm':
      return (await import('@tensorflow/tfjs-backend-wasm')).version_wasm;
    case 'cpu':
      return tf.version_core;
  }
}

function threadsOf(name: BackendName): number {
  switch (name) {
    case 'tfjs-node-gpu':
    case 'tfjs-node':
      return Number(process.env.TF_NUM_INTRAOP_THREADS) || availableParallelism();
    case 'wasm':
      // tfjs disables wasm threads in Node; the build reports 1 then.
      return (tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } }).wasm?.tfjs?.getThreadsCount?.() || 1;
    case 'cpu':
      return 1;
  }
}

type ErrorListeners = Record<'uncaughtException' | 'unhandledRejection', unknown[]>;

function processErrorListeners(): ErrorListeners {
  return { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
}

/**
 * The wasm backend's Emscripten module installs process handlers that rethrow every uncaught
 * error from inside its minified source, so a crash prints ~20 KB of one-line JavaScript
 * instead of the error. Node's default handling is what we want.
 */
function removeListenersAddedSince(before: ErrorListeners): void {
  for (const l of process.listeners('uncaughtException'))
    if (!before.uncaughtException.includes(l)) process.removeListener('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection'))
    if (!before.unhandledRejection.includes(l)) process.removeListener('unhandledRejection', l);
}

function silenceCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}
