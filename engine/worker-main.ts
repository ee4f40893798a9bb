// Entry point of a worker process: builds one job and exits.
//   forked by the local executor: receives {type:'run', job} over IPC and reports back over IPC
//   started any other way (a cluster job): `tsx engine/worker-main.ts --job FILE`, reports on stdout
// SIGTERM/SIGINT (or the parent going away) aborts the stage's signal so it can checkpoint; a
// second signal, or a stage that ignores the first for GRACE_MS, ends the process.
import { readFileSync } from 'node:fs';
import { CorruptEntryError, errorMessage, UsageError } from './errors.ts';
import { Job, type WorkerMessage } from './job.ts';
import { LogBuffer, runInstance } from './run-instance.ts';

const GRACE_MS = 20_000;
const controller = new AbortController();

function send(msg: WorkerMessage): void {
  if (process.send) process.send(msg);
  else process.stdout.write(`@@wt ${JSON.stringify(msg)}\n`);
}

function stop(reason: string): void {
  if (controller.signal.aborted) process.exit(130);
  controller.abort(new Error(reason));
  setTimeout(() => process.exit(130), GRACE_MS).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
const onDisconnect = () => stop('parent process went away');
process.on('disconnect', onDisconnect);

/** Everything the stage prints also goes to its log. */
function captureOutput(log: LogBuffer): void {
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (!text.startsWith('@@wt ')) log.write(text);
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  }
}

async function run(job: Job): Promise<void> {
  const log = new LogBuffer();
  captureOutput(log);
  try {
    const { result } = await runInstance(
      grantedBySlurm(job),
      { signal: controller.signal, progress: (u) => send({ type: 'progress', ...u }) },
      log,
    );
    send({ type: 'done', result });
    process.exitCode = 0;
  } catch (err) {
    send({
      type: 'failed',
      message: errorMessage(err),
      usage: err instanceof UsageError,
      corruptEntry: err instanceof CorruptEntryError ? err.entryDir : undefined,
    });
    process.exitCode = 1;
  }
  // Close the IPC channel so the parent sees the exit even if a library left timers running.
  process.off('disconnect', onDisconnect);
  if (process.connected) process.disconnect();
  setTimeout(() => process.exit(), 100).unref();
}

/** Under Slurm the job runs on the cores of its allocation, whatever the scheduler planned. */
function grantedBySlurm(job: Job): Job {
  const allocated = Number(process.env.SLURM_CPUS_PER_TASK);
  return Number.isInteger(allocated) && allocated > 0 ? { ...job, cpus: allocated } : job;
}

const jobFlag = process.argv.indexOf('--job');
if (jobFlag >= 0) {
  const path = process.argv[jobFlag + 1];
  if (!path) throw new Error('--job needs a file');
  await run(Job.parse(JSON.parse(readFileSync(path, 'utf8'))));
} else {
  process.once('message', (msg: { type: string; job: unknown }) => {
    if (msg.type === 'run') void run(Job.parse(msg.job));
  });
}
