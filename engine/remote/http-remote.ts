// A remote cache over plain HTTP: GET/HEAD/PUT of <url>/ac/<key> and <url>/cas/<sha256>, the shape
// of Bazel's HTTP remote cache, so nginx with WebDAV PUT, a bucket behind a proxy or a Bazel cache
// server (e.g. bazel-remote with AC validation off) can hold it. Optional bearer token from an
// environment variable; it is sent, never printed. Timeouts are idle timeouts (see IdleTimer), and
// every body is read with a byte limit.
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RemoteConfig } from '../runner-config.ts';
import { byteLimit, counter, readLimited } from './bounded-stream.ts';
import { IdleTimer } from './idle-timer.ts';
import type { RemoteCache } from './remote-cache.ts';
import { IntegrityError, RemoteUnavailableError } from './remote-errors.ts';
import { redactedUrl, urlWarnings } from './redacted-url.ts';

type HttpConfig = Extract<RemoteConfig, { type: 'http' }>;
const RETRIES = 3;

interface Answer {
  res: Response;
  idle: IdleTimer;
}

export class HttpRemote implements RemoteCache {
  readonly readOnly: boolean;
  readonly parallel: number;
  readonly warnings: readonly string[];
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly token: string | undefined;

  constructor(
    readonly name: string,
    config: HttpConfig,
  ) {
    this.base = config.url.replace(/\/+$/, '');
    this.readOnly = config.readOnly;
    this.parallel = config.parallel;
    this.timeoutMs = config.timeoutSeconds * 1000;
    this.token = config.tokenEnv ? process.env[config.tokenEnv] : undefined;
    this.warnings = urlWarnings(name, config.url, this.token !== undefined);
  }

  get where(): string {
    return redactedUrl(this.base);
  }

  async getManifest(key: string, maxBytes: number): Promise<Buffer | undefined> {
    const { res, idle } = await this.request('GET', `ac/${key}`);
    try {
      if (res.status === 404) return undefined;
      if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
        await res.body?.cancel();
        throw new IntegrityError(
          `ac/${key} on remote "${this.name}" is ${res.headers.get('content-length')} bytes, more than the ${maxBytes} allowed`,
        );
      }
      // Small files: besides the idle timeout, a total deadline, so a trickle cannot last for ever.
      return await IdleTimer.bound(
        this.timeoutMs * 4,
        `remote "${this.name}": GET ac/${key}`,
        readLimited(this.body(res, idle), maxBytes, `ac/${key} on remote "${this.name}"`),
      );
    } finally {
      idle.stop();
    }
  }

  async putManifest(key: string, bytes: Buffer): Promise<void> {
    (await this.request('PUT', `ac/${key}`, () => bytes, bytes.length)).idle.stop();
  }

  async hasBlob(sha: string): Promise<boolean> {
    const { res, idle } = await this.request('HEAD', `cas/${sha}`);
    idle.stop();
    return res.status !== 404;
  }

  async getBlob(sha: string, dest: string, size: number, onBytes?: (n: number) => void): Promise<void> {
    const { res, idle } = await this.request('GET', `cas/${sha}`);
    try {
      if (res.status === 404 || !res.body)
        throw new RemoteUnavailableError(`remote "${this.name}" has a manifest referring to cas/${sha}, but not that file`);
      await pipeline(
        this.body(res, idle),
        byteLimit(size, `cas/${sha} on remote "${this.name}"`, onBytes),
        createWriteStream(dest, { flags: 'wx', mode: 0o644 }),
      );
    } finally {
      idle.stop();
    }
  }

  async putBlob(sha: string, src: string, size: number, onBytes?: (n: number) => void): Promise<void> {
    let idle: IdleTimer | undefined;
    const body = () => Readable.toWeb(createReadStream(src).pipe(counter((n) => (idle?.touch(), onBytes?.(n))))) as never;
    const answer = await this.request('PUT', `cas/${sha}`, body, size, (t) => (idle = t));
    answer.idle.stop();
  }

  private body(res: Response, idle: IdleTimer): Readable {
    return idle.watch(Readable.fromWeb(res.body as never));
  }

  /** One request with retries on network errors and 5xx; 404 is an answer, other 4xx are errors. */
  private async request(
    method: string,
    path: string,
    body?: () => NonNullable<RequestInit['body']>,
    size?: number,
    onTimer?: (t: IdleTimer) => void,
  ): Promise<Answer> {
    const url = `${this.base}/${path}`;
    let lastError = '';
    for (let attempt = 1; attempt <= RETRIES; attempt++) {
      const idle = new IdleTimer(this.timeoutMs, `remote "${this.name}": ${method} ${this.where}/${path}`);
      onTimer?.(idle);
      try {
        const headers: Record<string, string> = {};
        if (this.token) headers.authorization = `Bearer ${this.token}`;
        if (size !== undefined) headers['content-length'] = String(size);
        const res = await fetch(url, {
          method,
          headers,
          ...(body ? { body: body(), duplex: 'half' } : {}),
          signal: idle.signal,
          redirect: 'error',
        } as RequestInit);
        idle.touch();
        if ((res.status === 404 && method !== 'PUT') || res.ok) return { res, idle };
        lastError = `${method} ${this.where}/${path}: HTTP ${res.status}`;
        await res.body?.cancel();
        idle.stop();
        if (res.status < 500 && res.status !== 429) break;
      } catch (err) {
        idle.stop();
        const cause = (err as Error).cause instanceof Error ? ((err as Error).cause as Error) : (err as Error);
        lastError = `${method} ${this.where}/${path}: ${idle.signal.aborted ? idle.error().message : redactedUrl(cause.message)}`;
      }
      if (attempt < RETRIES) await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
    throw new RemoteUnavailableError(`remote "${this.name}": ${lastError}`);
  }
}
