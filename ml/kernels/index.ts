// The project's kernels, installed over a backend's own when that backend is chosen.
import { castKernel } from './cast.ts';
import { conv2DKernel } from './conv2d.ts';
import { conv2DBackpropFilterKernel } from './conv2d-backprop-filter.ts';
import { conv2DBackpropInputKernel } from './conv2d-backprop-input.ts';
import { identityKernel } from './identity.ts';
import { installKernel, isProjectKernelInstalled, type ProjectKernel } from './registry.ts';

export const PROJECT_KERNELS: readonly ProjectKernel[] = [
  conv2DKernel,
  conv2DBackpropFilterKernel,
  conv2DBackpropInputKernel,
  identityKernel,
  castKernel,
];

/** Install every project kernel for `backendName` that is not installed yet (idempotent). */
export function registerProjectKernels(backendName: string): void {
  for (const k of PROJECT_KERNELS)
    if (k.backendName === backendName && !isProjectKernelInstalled(k.kernelName, backendName)) installKernel(k);
}

export {
  activeKernelImplementations,
  builtinKernel,
  installKernel,
  restoreBuiltinKernel,
  type ProjectKernel,
} from './registry.ts';
