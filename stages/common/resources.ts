// Scheduler hints of the stages that run tensor code: they occupy as many cores as the training
// backend's own threads (the native kernels use every core), so `-j 2` on 2 cores never runs
// 2 processes × 2 threads. They are elastic: with several of them ready, each gets one core
// (2 single-threaded trainings outrun one 2-threaded training, bench/train.ts), and a lone one
// (pre-training, on everybody's critical path) gets them all.
import type { Resources } from '../../engine/stage.ts';
import { trainingThreads } from '../../ml/threads.ts';

let threads: number | undefined;

export function tensorResources(memoryMB: number): () => Resources {
  return () => {
    threads ??= trainingThreads();
    return { cpus: threads, memoryMB, elastic: true };
  };
}
