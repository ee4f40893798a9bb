// A remote cache in a folder every machine sees (NFS, a shared disk). Writes go to a temp name
// and are renamed into place, so readers never see a partial file. Every file-system call is
// asynchronous and bounded by the timeout: a hung mount, or a FIFO someone left at ac/<fp>, makes
// the remote unavailable instead of hanging the build (files are opened non-blocking and must be
// regular files).
import { constants, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { tempName } from '../atomic-fs.ts';
import { byteLimit, readLimited } from './bounded-stream.ts';
import { IdleTimer } from './idle-timer.ts';
import type { RemoteCache } from './remote-cache.ts';
import { IntegrityError, RemoteUnavailableError } from './remote-errors.ts';

export class DirectoryRemote implements RemoteCache {
  readonly parallel = 4;
  constructor(
    readonly name: string,
    private readonly root: string,
    readonly readOnly: boolean,
    private readonly timeoutMs = 30_000,
  ) {}

  get where(): string {
    return this.root;
  }

  private bound<T>(what: string, op: Promise<T>): Promise<T> {
    return IdleTimer.bound(this.timeoutMs, `remote "${this.name}" (${this.root}): ${what}`, op);
  }

  private async check(): Promise<void> {
    const s = await this.bound('checking the folder', stat(this.root)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT')
        throw new RemoteUnavailableError(`remote "${this.name}": folder ${this.root} does not exist (is the share mounted?)`);
      throw err;
    });
    if (!s.isDirectory()) throw new RemoteUnavailableError(`remote "${this.name}": ${this.root} is not a folder`);
  }

  /** A regular file opened for reading, undefined if absent; anything else (a FIFO, a device) is refused. */
  private async openRegular(rel: string): Promise<FileHandle | undefined> {
    let fh: FileHandle;
    try {
      fh = await this.bound(`opening ${rel}`, open(join(this.root, rel), constants.O_RDONLY | constants.O_NONBLOCK));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const s = await this.bound(`reading ${rel}`, fh.stat()).catch((err: unknown) => {
      void fh.close().catch(() => undefined);
      throw err;
    });
    if (!s.isFile()) {
      void fh.close().catch(() => undefined);
      throw new IntegrityError(`${rel} on remote "${this.name}" is not a regular file`);
    }
    return fh;
  }

  private async readStream(
    fh: FileHandle,
    rel: string,
    into: NodeJS.WritableStream,
    limit: number,
    onBytes?: (n: number) => void,
  ): Promise<void> {
    const idle = new IdleTimer(this.timeoutMs, `remote "${this.name}": reading ${rel}`);
    try {
      await pipeline(
        fh.createReadStream({ autoClose: false }),
        idle.stream(),
        byteLimit(limit, `${rel} on remote "${this.name}"`, onBytes),
        into,
      );
    } finally {
      idle.stop();
      void fh.close().catch(() => undefined); // not awaited: a close on a hung mount must not hang us
    }
  }

  async getManifest(key: string, maxBytes: number): Promise<Buffer | undefined> {
    await this.check();
    const fh = await this.openRegular(`ac/${key}`);
    if (!fh) return undefined;
    const idle = new IdleTimer(this.timeoutMs, `remote "${this.name}": reading ac/${key}`);
    try {
      // Small files: besides the idle timeout, a total deadline, so a trickle cannot last for ever.
      const read = readLimited(idle.watch(fh.createReadStream({ autoClose: false })), maxBytes, `ac/${key} on remote "${this.name}"`);
      return await IdleTimer.bound(this.timeoutMs * 4, `remote "${this.name}": reading ac/${key}`, read);
    } finally {
      idle.stop();
      void fh.close().catch(() => undefined);
    }
  }

  async putManifest(key: string, bytes: Buffer): Promise<void> {
    await this.check();
    await this.placeFile(join('ac', key), (tmp) => writeFile(tmp, bytes, { flag: 'wx' }));
  }

  async hasBlob(sha: string): Promise<boolean> {
    await this.check();
    return this.bound(`checking cas/${sha}`, stat(join(this.root, 'cas', sha))).then(
      (s) => s.isFile(),
      (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? false : Promise.reject(err)),
    );
  }

  async getBlob(sha: string, dest: string, size: number, onBytes?: (n: number) => void): Promise<void> {
    await this.check();
    const fh = await this.openRegular(`cas/${sha}`);
    if (!fh) throw new RemoteUnavailableError(`remote "${this.name}" has a manifest referring to cas/${sha}, but not that file`);
    await this.readStream(fh, `cas/${sha}`, createWriteStream(dest, { flags: 'wx', mode: 0o644 }), size, onBytes);
  }

  async putBlob(sha: string, src: string, size: number, onBytes?: (n: number) => void): Promise<void> {
    await this.check();
    const existing = await this.bound(`checking cas/${sha}`, stat(join(this.root, 'cas', sha))).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    });
    if (existing?.isFile() && existing.size === size) return;
    await this.placeFile(join('cas', sha), (tmp) => copyFile(src, tmp, constants.COPYFILE_EXCL));
    onBytes?.(size);
  }

  /** Write `rel` under a temp name with `write`, then rename it into place. */
  private async placeFile(rel: string, write: (tmp: string) => Promise<void>): Promise<void> {
    const dest = join(this.root, rel);
    await this.bound(`creating ${rel}`, mkdir(join(dest, '..'), { recursive: true }));
    const tmp = tempName(dest);
    try {
      await this.bound(`writing ${rel}`, write(tmp));
      await this.bound(`renaming ${rel}`, rename(tmp, dest));
    } catch (err) {
      void rm(tmp, { force: true }).catch(() => undefined); // not awaited, like close above
      throw err;
    }
  }
}
