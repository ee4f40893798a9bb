// Moving entries between the local store and a remote cache, safely:
//  • pull: the manifest must be valid, name this fingerprint, and hash to it (its input record
//    is re-fingerprinted); every file is verified against its sha256 before it enters the store;
//    the entry is assembled in staging and committed in one rename, like a local build. Verified
//    files wait in cache/blobs/ so an interrupted pull resumes without downloading them again.
//  • push: files first (skipping those the remote has), the manifest last.
// A remote that is down or slow never fails a build unless it is `required`: the first failure
// is reported once and the build carries on locally.
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File } from '../digest.ts';
import { makeReadOnly, writeSeal } from '../entry-reader.ts';
import { errorMessage } from '../errors.ts';
import { fingerprintOf, type InputRecord } from '../fingerprint.ts';
import { Manifest, outputDigestOf } from '../manifest.ts';
import type { Fingerprint } from '../digest.ts';
import type { Store } from '../store.ts';
import { type RemoteCache, RemoteUnavailableError } from './remote-cache.ts';

export class IntegrityError extends Error {
  override name = 'IntegrityError';
}

export interface TransferProgress {
  fingerprint: string;
  direction: 'pull' | 'push';
  bytesDone: number;
  bytesTotal: number;
}

export interface SessionOptions {
  /** a remote failure fails the build instead of a warning */
  required: boolean;
  /** never push (developer machines) */
  readOnly: boolean;
  warn(message: string): void;
  onProgress?(p: TransferProgress): void;
}

export interface SessionStats {
  pulled: number;
  pushed: number;
  bytesDown: number;
  bytesUp: number;
  refused: string[];
}

export class RemoteSession {
  readonly stats: SessionStats = { pulled: 0, pushed: 0, bytesDown: 0, bytesUp: 0, refused: [] };
  private down: string | undefined;
  private readonly manifests = new Map<string, { manifest: Manifest; bytes: Buffer } | null>();
  private readonly pushes: Promise<void>[] = [];

  constructor(
    readonly remote: RemoteCache,
    private readonly store: Store,
    private readonly opts: SessionOptions,
  ) {}

  get available(): boolean {
    return this.down === undefined;
  }

  /** The remote's manifest for `fp`, checked; undefined if it has none, it is refused, or the remote is down. */
  async lookup(fp: string): Promise<Manifest | undefined> {
    if (this.manifests.has(fp)) return this.manifests.get(fp)?.manifest;
    if (this.down) return undefined;
    let bytes: Buffer | undefined;
    try {
      bytes = await this.remote.getManifest(fp);
    } catch (err) {
      this.fail(err);
      return undefined;
    }
    const checked = bytes ? this.check(fp, bytes) : null;
    this.manifests.set(fp, checked);
    return checked?.manifest;
  }

  private check(fp: string, bytes: Buffer): { manifest: Manifest; bytes: Buffer } | null {
    let problem: string;
    try {
      const parsed = Manifest.safeParse(JSON.parse(bytes.toString('utf8')));
      if (!parsed.success) problem = `it is not a valid manifest (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`;
      else if (parsed.data.fingerprint !== fp) problem = `it names fingerprint ${parsed.data.fingerprint}`;
      else if (fingerprintOf(parsed.data.record as InputRecord) !== fp) problem = 'its input record does not hash to its fingerprint';
      else if (outputDigestOf(parsed.data.outputs.files) !== parsed.data.outputs.digest) problem = 'its output digest does not match its file list';
      else return { manifest: parsed.data, bytes };
    } catch (err) {
      problem = `it is not JSON (${errorMessage(err)})`;
    }
    this.refuse(fp, `manifest ac/${fp} on remote "${this.remote.name}" was refused: ${problem}`);
    return null;
  }

  /** Bring a remote entry into the local store. Returns false if it could not (reported). */
  async pull(fp: string): Promise<boolean> {
    if (this.store.has(fp)) return true;
    const m = await this.lookup(fp);
    if (!m) return false;
    const entry = this.manifests.get(fp)!;
    const files = [...m.outputs.files.map((f) => ({ ...f, dest: join('out', f.path) })), { path: m.log.path, sha256: m.log.sha256, size: m.log.size, dest: m.log.path }];
    const total = files.reduce((s, f) => s + f.size, 0);
    let done = 0;
    const progress = (n: number) => {
      done += n;
      this.stats.bytesDown += n;
      this.opts.onProgress?.({ fingerprint: fp, direction: 'pull', bytesDone: done, bytesTotal: total });
    };
    const blobs = join(this.store.cacheDir, 'blobs');
    mkdirSync(blobs, { recursive: true });
    const staging = this.store.newStagingDir(fp);
    try {
      await mapLimit(files, this.remote.parallel, async (f) => {
        const blob = join(blobs, f.sha256);
        if (!existsSync(blob) || statSync(blob).size !== f.size) {
          const part = `${blob}.part-${process.pid}`;
          try {
            await this.remote.getBlob(f.sha256, part, progress);
            const digest = await sha256File(part);
            if (digest !== f.sha256) throw new IntegrityError(`file ${f.dest} (cas/${f.sha256}) of entry ${fp.slice(0, 12)} on remote "${this.remote.name}" does not match its sha256 (got ${digest.slice(0, 12)}…): the remote copy is corrupt or was tampered with`);
            renameSync(part, blob);
          } finally {
            rmSync(part, { force: true });
          }
        } else progress(f.size);
        const dest = join(staging, f.dest);
        mkdirSync(join(dest, '..'), { recursive: true });
        try {
          linkSync(blob, dest);
        } catch {
          copyFileSync(blob, dest);
        }
      });
      const manifestPath = join(staging, 'manifest.json');
      // The remote's bytes, unchanged: the local entry is then the same everywhere.
      writeFileSync(manifestPath, entry.bytes);
      makeReadOnly(files.map((f) => join(staging, f.dest)));
      const result = this.store.commit(staging, fp as Fingerprint);
      for (const f of files) rmSync(join(blobs, f.sha256), { force: true }); // before the seal: unlinking a hard link changes ctime
      if (result !== 'exists') writeSeal(this.store.entryDir(fp), m);
      this.stats.pulled++;
      return true;
    } catch (err) {
      if (err instanceof IntegrityError) this.refuse(fp, err.message);
      else this.fail(err);
      return false;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }

  /** Queue a push of a committed local entry (no-op for read-only sessions). */
  push(fp: string): void {
    if (this.opts.readOnly || this.remote.readOnly || this.down) return;
    this.pushes.push(this.pushNow(fp).then(
      () => undefined,
      (err) => this.fail(err),
    ));
  }

  async pushNow(fp: string): Promise<boolean> {
    const m = this.store.readManifest(fp);
    if (!m) throw new Error(`entry ${fp} is not in the local store`);
    const existing = await this.remote.getManifest(fp);
    if (existing) return false;
    const dir = this.store.entryDir(fp);
    const files = [...m.outputs.files.map((f) => ({ ...f, src: join(dir, 'out', f.path) })), { ...m.log, src: join(dir, m.log.path) }];
    const total = files.reduce((s, f) => s + f.size, 0);
    let done = 0;
    await mapLimit(files, this.remote.parallel, async (f) => {
      const count = (n: number) => {
        done += n;
        this.stats.bytesUp += n;
        this.opts.onProgress?.({ fingerprint: fp, direction: 'push', bytesDone: done, bytesTotal: total });
      };
      if (await this.remote.hasBlob(f.sha256)) count(f.size);
      else await this.remote.putBlob(f.sha256, f.src, f.size, count);
    });
    await this.remote.putManifest(fp, readFileSync(join(dir, 'manifest.json')));
    this.stats.pushed++;
    return true;
  }

  /** Wait for queued pushes. */
  async flush(): Promise<void> {
    while (this.pushes.length) await this.pushes.shift();
  }

  private fail(err: unknown): void {
    const message = errorMessage(err);
    if (this.opts.required) throw err instanceof RemoteUnavailableError ? err : new RemoteUnavailableError(message);
    if (this.down) return;
    this.down = message;
    this.opts.warn(`${message}. Carrying on without remote "${this.remote.name}" (use --remote-required to fail instead).`);
  }

  private refuse(fp: string, message: string): void {
    this.stats.refused.push(fp);
    this.opts.warn(`${message}. Not used; the entry is built locally instead.`);
    if (this.opts.required) throw new IntegrityError(message);
  }
}

export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}
