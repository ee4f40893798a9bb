// A remote cache over plain HTTP: GET/HEAD/PUT of <url>/ac/<fingerprint> and <url>/cas/<sha256>,
// the shape of Bazel's HTTP remote cache, so nginx with WebDAV PUT, a bucket behind a proxy or a
// Bazel cache server (e.g. bazel-remote with AC validation off) can hold it. Optional bearer
// token from an environment variable; it is sent, never printed.
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RemoteConfig } from '../runner-config.ts';
import { counter } from './directory-remote.ts';
import { type RemoteCache, RemoteUnavailableError } from './remote-cache.ts';

type HttpConfig = Extract<RemoteConfig, { type: 'http' }>;
const RETRIES = 3;

export class HttpRemote implements RemoteCache {
  readonly readOnly: boolean;
  readonly parallel: number;
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
  }

  get where(): string {
    const u = new URL(this.base);
    u.username = '';
    u.password = '';
    return u.toString();
  }

  async getManifest(fp: string): Promise<Buffer | undefined> {
    const res = await this.request('GET', `ac/${fp}`);
    if (res.status === 404) return undefined;
    return Buffer.from(await res.arrayBuffer());
  }

  async putManifest(fp: string, bytes: Buffer): Promise<void> {
    await this.request('PUT', `ac/${fp}`, () => bytes, bytes.length);
  }

  async hasBlob(sha: string): Promise<boolean> {
    return (await this.request('HEAD', `cas/${sha}`)).status !== 404;
  }

  async getBlob(sha: string, dest: string, onBytes?: (n: number) => void): Promise<void> {
    const res = await this.request('GET', `cas/${sha}`);
    if (res.status === 404 || !res.body) throw new RemoteUnavailableError(`remote "${this.name}" has a manifest referring to cas/${sha}, but not that file`);
    await pipeline(Readable.fromWeb(res.body as never), counter(onBytes), createWriteStream(dest));
  }

  async putBlob(sha: string, src: string, size: number, onBytes?: (n: number) => void): Promise<void> {
    await this.request('PUT', `cas/${sha}`, () => Readable.toWeb(createReadStream(src).pipe(counter(onBytes))) as never, size);
  }

  /** One request with retries on network errors and 5xx; 404 is an answer, other 4xx are errors. */
  private async request(method: string, path: string, body?: () => NonNullable<RequestInit["body"]>, size?: number): Promise<Response> {
    const url = `${this.base}/${path}`;
    let lastError = '';
    for (let attempt = 1; attempt <= RETRIES; attempt++) {
      try {
        const headers: Record<string, string> = {};
        if (this.token) headers.authorization = `Bearer ${this.token}`;
        if (size !== undefined) headers['content-length'] = String(size);
        const res = await fetch(url, {
          method,
          headers,
          ...(body ? { body: body(), duplex: 'half' } : {}),
          signal: AbortSignal.timeout(Math.round(this.timeoutMs + (size ?? 0) / 1000)), // + 1 s per MB
        } as RequestInit);
        if (res.status === 404 && method !== 'PUT') return res;
        if (res.ok) return res;
        lastError = `${method} ${this.where}/${path}: HTTP ${res.status}`;
        await res.body?.cancel();
        if (res.status < 500 && res.status !== 429) break;
      } catch (err) {
        lastError = `${method} ${this.where}/${path}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`;
      }
      if (attempt < RETRIES) await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
    throw new RemoteUnavailableError(`remote "${this.name}": ${lastError}`);
  }
}
