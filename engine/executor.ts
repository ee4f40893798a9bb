// Where jobs run. The scheduler hands an executor one ready job at a time; the executor runs it
// (the worker commits the entry itself) and reports how it ended.
import type { Job } from './job.ts';
import type { ProgressUpdate, Resources } from './stage.ts';

export interface JobHooks {
  progress(update: ProgressUpdate): void;
  log(line: string): void;
  /** the local process that runs the job, once it exists */
  started?(pid: number): void;
}

export type JobOutcome =
  | { ok: true; result: 'committed' | 'replaced' | 'exists' }
  | { ok: false; message: string; usage: boolean; corruptEntry?: string | undefined; logTail: string[] };

export interface JobRequest {
  job: Job;
  isolation: 'process' | 'inline';
  resources: Resources;
}

export interface Executor {
  readonly name: string;
  /** how many jobs may run at once, counted in `resources.cpus` units */
  readonly slots: number;
  run(request: JobRequest, hooks: JobHooks): Promise<JobOutcome>;
  /** ask every running job to stop (first call), or kill them (second call) */
  interrupt(hard: boolean): void;
}
