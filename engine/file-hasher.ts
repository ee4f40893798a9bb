// Content hashes of files, memoised by stat signature so an unchanged file is never read twice.
//
// The key is (dev, ino, size, mtimeNs, ctimeNs): ctime is included because tools that restore
// fixed mtimes (tar, some CI caches) plus inode reuse otherwise yield a stale digest
// (bazelbuild/bazel#14723). A file modified within RACY_WINDOW_NS of being hashed is not
// memoised: a second write in the same timestamp tick could leave its signature unchanged.
import { readFileSync, statSync, type BigIntStats } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-fs.ts';
import { sha256, sha256File, type Sha256 } from './digest.ts';

const RACY_WINDOW_NS = 2_000_000_000n;
const SMALL_FILE_BYTES = 1n << 20n;

export type HashKind = 'raw' | 'code';

const CacheFile = z.object({
  version: z.literal(1),
  // key "kind:absPath" → [statSignature, sha256, size]
  files: z.record(z.string(), z.tuple([z.string(), z.string(), z.number()])),
});

export interface FileHash {
  sha256: Sha256;
  size: number;
}

export function statSignature(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

export class FileHasher {
  private entries = new Map<string, [string, string, number]>();
  private dirty = false;

  constructor(private readonly cachePath?: string) {
    if (!cachePath) return;
    try {
      const parsed = CacheFile.safeParse(JSON.parse(readFileSync(cachePath, 'utf8')));
      if (parsed.success) this.entries = new Map(Object.entries(parsed.data.files));
    } catch {
      // Missing or unreadable cache: start empty, it is only a memo.
    }
  }

  /**
   * Hash a file. `transform` turns raw bytes into the bytes that are hashed (used to normalise
   * source code); its result is memoised under `kind`.
   */
  async hash(path: string, kind: HashKind = 'raw', transform?: (bytes: Buffer) => string | Uint8Array): Promise<FileHash> {
    const st = statSync(path, { bigint: true });
    const sig = statSignature(st);
    const key = `${kind}:${path}`;
    const hit = this.entries.get(key);
    if (hit && hit[0] === sig) return { sha256: hit[1] as Sha256, size: hit[2] };
    // a stream per file costs more than reading it for small files (a folder of 60,000 images)
    const digest = transform
      ? sha256(transform(readFileSync(path)))
      : st.size < SMALL_FILE_BYTES
        ? sha256(readFileSync(path))
        : await sha256File(path);
    const size = Number(st.size);
    this.remember(path, kind, st, digest, size);
    return { sha256: digest, size };
  }

  /** Record a digest computed elsewhere (e.g. while the file was written). */
  remember(path: string, kind: HashKind, st: BigIntStats, digest: Sha256, size: number): void {
    const key = `${kind}:${path}`;
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    if (nowNs - st.mtimeNs < RACY_WINDOW_NS || nowNs - st.ctimeNs < RACY_WINDOW_NS) {
      if (this.entries.delete(key)) this.dirty = true;
      return;
    }
    this.entries.set(key, [statSignature(st), digest, size]);
    this.dirty = true;
  }

  save(): void {
    if (!this.cachePath || !this.dirty) return;
    // Another process may have saved meanwhile: merge its entries under ours (it is only a memo).
    try {
      const parsed = CacheFile.safeParse(JSON.parse(readFileSync(this.cachePath, 'utf8')));
      if (parsed.success) for (const [k, v] of Object.entries(parsed.data.files)) if (!this.entries.has(k)) this.entries.set(k, v);
    } catch {
      /* nothing to merge */
    }
    writeFileAtomic(this.cachePath, JSON.stringify({ version: 1, files: Object.fromEntries(this.entries) }));
    this.dirty = false;
  }
}
