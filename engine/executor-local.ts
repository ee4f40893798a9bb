// Runs jobs on this machine: 'process' stages in a forked worker (own heap, own tensor backend,
// killable), 'inline' stages inside the runner (cheap stages: figures, small analyses).
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { errorMessage, UsageError, CorruptEntryError } from './errors.ts';
import type { Executor, JobHooks, JobOutcome, JobRequest } from './executor.ts';
import type { WorkerMessage } from './job.ts';
import { LogBuffer, runInstance } from './run-instance.ts';

const WORKER = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const LOG_TAIL = 40;

export class LocalExecutor implements Executor {
  readonly name = 'local';
  private readonly children = new Set<ChildProcess>();
  private readonly inlineControllers = new Set<AbortController>();

  constructor(readonly slots: number) {}

  run(request: JobRequest, hooks: JobHooks): Promise<JobOutcome> {
    return request.isolation === 'inline' ? this.runInline(request, hooks) : this.runChild(request, hooks);
  }

  interrupt(hard: boolean): void {
    for (const c of this.children) c.kill(hard ? 'SIGKILL' : 'SIGTERM');
    for (const a of this.inlineControllers) a.abort(new Error('interrupted'));
  }

  private async runInline({ job }: JobRequest, hooks: JobHooks): Promise<JobOutcome> {
    const controller = new AbortController();
    this.inlineControllers.add(controller);
    const log = new LogBuffer(hooks.log);
    try {
      const { result } = await runInstance(job, { signal: controller.signal, progress: hooks.progress }, log);
      return { ok: true, result };
    } catch (err) {
      return {
        ok: false,
        message: errorMessage(err),
        usage: err instanceof UsageError,
        corruptEntry: err instanceof CorruptEntryError ? err.entryDir : undefined,
        logTail: log.lines.slice(-LOG_TAIL),
      };
    } finally {
      this.inlineControllers.delete(controller);
    }
  }

  private runChild({ job }: JobRequest, hooks: JobHooks): Promise<JobOutcome> {
    return new Promise((resolve) => {
      const child = fork(WORKER, [], {
        execArgv: ['--import', TSX_LOADER],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: process.env,
      });
      this.children.add(child);
      if (child.pid) hooks.started?.(child.pid);
      const tail: string[] = [];
      const onText = (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').replace(/\n$/, '').split('\n')) {
          tail.push(line);
          if (tail.length > LOG_TAIL) tail.shift();
          hooks.log(line);
        }
      };
      child.stdout!.on('data', onText);
      child.stderr!.on('data', onText);
      let final: WorkerMessage | undefined;
      child.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'progress') hooks.progress(msg);
        else final = msg;
      });
      child.on('error', (err) => {
        final ??= { type: 'failed', message: `could not start the worker process: ${err.message}`, usage: false };
      });
      child.on('exit', (code, signal) => {
        this.children.delete(child);
        if (final?.type === 'done') return resolve({ ok: true, result: final.result });
        if (final?.type === 'failed') {
          return resolve({ ok: false, message: final.message, usage: final.usage, corruptEntry: final.corruptEntry, logTail: tail });
        }
        const how = signal
          ? `was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory, or killed by hand?)' : ''}`
          : `exited with code ${code} without reporting a result`;
        resolve({ ok: false, message: `the worker process ${how}`, usage: false, logTail: tail });
      });
      child.send({ type: 'run', job });
    });
  }
}
