// An idle timeout, not a deadline: a transfer may take as long as it needs while bytes keep
// arriving, and is abandoned only after `ms` without progress. (A total deadline aborted a 3 MB
// blob at 1 MB/s after 2 s.) Also used to bound each file-system call to a shared folder, so a
// hung mount cannot hang the build or block Ctrl-C.
import { Transform, type Readable } from 'node:stream';
import { RemoteUnavailableError } from './remote-errors.ts';

export class IdleTimer {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly what: string,
  ) {
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** progress was made: start the wait again */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(this.error()), this.ms);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  error(): RemoteUnavailableError {
    return new RemoteUnavailableError(`${this.what}: nothing happened for ${Math.round(this.ms / 1000)} s (a hung server or mount?)`);
  }

  /** A pass-through stream that counts each chunk as progress and fails when the timer fires. */
  stream(): Transform {
    const t = new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.touch();
        cb(null, chunk);
      },
    });
    const onAbort = () => t.destroy(this.error());
    this.signal.addEventListener('abort', onAbort, { once: true });
    t.on('close', () => this.signal.removeEventListener('abort', onAbort));
    return t;
  }

  /** `source` piped through `stream()`, its errors passed on (pipe alone would leave them unhandled). */
  watch(source: Readable): Transform {
    const t = this.stream();
    source.on('error', (err) => t.destroy(err));
    return source.pipe(t);
  }

  /** `op`, or a RemoteUnavailableError if it has not settled within the timeout. */
  static async bound<T>(ms: number, what: string, op: Promise<T>): Promise<T> {
    const timer = new IdleTimer(ms, what);
    try {
      return await new Promise<T>((resolve, reject) => {
        timer.signal.addEventListener('abort', () => reject(timer.error()), { once: true });
        op.then(resolve, reject);
      });
    } finally {
      timer.stop();
    }
  }
}
