// Registry of the project's own TensorFlow.js kernels.
//
// A project kernel replaces (or adds) the kernel `kernelName` of one backend. Installing a
// kernel for a name that already has one replaces it, so faster implementations (e.g. the
// N-API addon of issue 10, working on the same wasm heap) can take over kernels one by one:
//
//   installKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm',
//                   implementation: 'native-addon', kernelFunc });
//
// The tfjs built-in kernel that was registered first is remembered, so tests can compare
// against it and `restoreBuiltinKernel` can undo an override.
import { tf } from '../tf.ts';

type KernelConfig = Parameters<typeof tf.registerKernel>[0];
export type KernelFunc = KernelConfig['kernelFunc'];
export type KernelSetupFunc = NonNullable<KernelConfig['setupFunc']>;

export interface ProjectKernel {
  /** tfjs kernel name, e.g. 'Conv2DBackpropFilter' */
  kernelName: string;
  backendName: string;
  /** short label recorded in artifact metadata, e.g. 'xnnpack-conv' */
  implementation: string;
  kernelFunc: KernelFunc;
  setupFunc?: KernelSetupFunc;
}

const installed = new Map<string, ProjectKernel>();
const builtins = new Map<string, KernelConfig | null>();

const key = (kernelName: string, backendName: string) => `${backendName}/${kernelName}`;

export function installKernel(kernel: ProjectKernel): void {
  const k = key(kernel.kernelName, kernel.backendName);
  const existing = tf.getKernel(kernel.kernelName, kernel.backendName);
  if (!builtins.has(k)) builtins.set(k, existing ?? null);
  if (existing) tf.unregisterKernel(kernel.kernelName, kernel.backendName);
  const config: KernelConfig = {
    kernelName: kernel.kernelName,
    backendName: kernel.backendName,
    kernelFunc: kernel.kernelFunc,
  };
  if (kernel.setupFunc) config.setupFunc = kernel.setupFunc;
  tf.registerKernel(config);
  installed.set(k, kernel);
  // tfjs runs setup functions when a backend initialises; run it now if that already happened.
  const backend = initialisedBackend(kernel.backendName);
  if (backend && kernel.setupFunc) kernel.setupFunc(backend);
}

/** Put back the kernel tfjs itself registered (or none, if tfjs had none). */
export function restoreBuiltinKernel(kernelName: string, backendName: string): void {
  const k = key(kernelName, backendName);
  if (!installed.has(k)) return;
  tf.unregisterKernel(kernelName, backendName);
  installed.delete(k);
  const builtin = builtins.get(k);
  if (builtin) {
    tf.registerKernel(builtin);
    const backend = initialisedBackend(backendName);
    if (backend && builtin.setupFunc) builtin.setupFunc(backend);
  }
}

/** The backend instance if it is initialised (tf.findBackend would start initialising it). */
function initialisedBackend(backendName: string): Parameters<KernelSetupFunc>[0] | undefined {
  return (tf.engine() as unknown as { registry: Record<string, Parameters<KernelSetupFunc>[0]> }).registry[backendName];
}

/** The tfjs built-in kernel a project kernel replaced, if there was one. */
export function builtinKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  const k = key(kernelName, backendName);
  return builtins.has(k) ? (builtins.get(k) ?? undefined) : tf.getKernel(kernelName, backendName);
}

/** kernel name → implementation label for every project kernel of `backendName`. */
export function activeKernelImplementations(backendName: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of installed.values()) if (k.backendName === backendName) out[k.kernelName] = k.implementation;
  return out;
}

export function isProjectKernelInstalled(kernelName: string, backendName: string): boolean {
  return installed.has(key(kernelName, backendName));
}
