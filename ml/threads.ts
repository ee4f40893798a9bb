// How many cores one training process keeps busy, for the scheduler's resource accounting
// (training stages declare `resources: tensorResources(…)` (stages/common/resources.ts), whose cpus
// are trainingThreads(), so `-j` counts cores, not processes:
// never 2 processes × 2 threads on 2 cores). Cheap: loads no TensorFlow.js, only the small
// native addon (its thread pool starts on first use).
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { nativeStatus, nativeThreadSetting, type NativeStatus } from './native.ts';

export interface TrainingThreadsOptions {
  env?: NodeJS.ProcessEnv;
  /** addon status (default: the process-wide one) */
  native?: NativeStatus;
}

const require = createRequire(import.meta.url);

/**
 * Threads a training process will use on the backend initBackend() is going to pick:
 * tfjs-node → its intra-op threads; wasm with the native kernels → WT_THREADS or the core count;
 * wasm without them, or cpu → 1.
 */
export function trainingThreads(options: TrainingThreadsOptions = {}): number {
  const env = options.env ?? process.env;
  const backend = env.WT_BACKEND?.trim() || 'auto';
  if (backend === 'cpu') return 1;
  const tensorflowThreads = () => Number(env.TF_NUM_INTRAOP_THREADS) || availableParallelism();
  if (backend === 'tfjs-node' || backend === 'tfjs-node-gpu') return tensorflowThreads();
  if (backend === 'auto' && resolves('@tensorflow/tfjs-node')) return tensorflowThreads();
  const native = options.native ?? nativeStatus();
  return native.available ? nativeThreadSetting(env) : 1;
}

function resolves(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
