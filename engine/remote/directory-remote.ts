// A remote cache in a folder every machine sees (NFS, a shared disk). Writes go to a temp name
// and are renamed into place, so readers never see a partial file.
import { copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { join } from 'node:path';
import { tempName, writeFileAtomic } from '../atomic-fs.ts';
import { type RemoteCache, RemoteUnavailableError } from './remote-cache.ts';

export class DirectoryRemote implements RemoteCache {
  readonly parallel = 4;
  constructor(
    readonly name: string,
    private readonly root: string,
    readonly readOnly: boolean,
  ) {}

  get where(): string {
    return this.root;
  }

  private check(): void {
    if (!existsSync(this.root)) throw new RemoteUnavailableError(`remote "${this.name}": folder ${this.root} does not exist (is the share mounted?)`);
  }

  async getManifest(fp: string): Promise<Buffer | undefined> {
    this.check();
    const p = join(this.root, 'ac', fp);
    return existsSync(p) ? readFileSync(p) : undefined;
  }

  async putManifest(fp: string, bytes: Buffer): Promise<void> {
    this.check();
    writeFileAtomic(join(this.root, 'ac', fp), bytes);
  }

  async hasBlob(sha: string): Promise<boolean> {
    this.check();
    return existsSync(join(this.root, 'cas', sha));
  }

  async getBlob(sha: string, dest: string, onBytes?: (n: number) => void): Promise<void> {
    this.check();
    const src = join(this.root, 'cas', sha);
    if (!existsSync(src)) throw new RemoteUnavailableError(`remote "${this.name}" lost cas/${sha} while it was being read`);
    await pipeline(createReadStream(src), counter(onBytes), createWriteStream(dest));
  }

  async putBlob(sha: string, src: string, size: number, onBytes?: (n: number) => void): Promise<void> {
    this.check();
    const dest = join(this.root, 'cas', sha);
    if (existsSync(dest) && statSync(dest).size === size) return;
    mkdirSync(join(this.root, 'cas'), { recursive: true });
    const tmp = tempName(dest);
    try {
      copyFileSync(src, tmp);
      renameSync(tmp, dest);
      onBytes?.(size);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }
}

export function counter(onBytes?: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
  });
}
