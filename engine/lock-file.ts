// The lock file (like dvc.lock, meant to be committed): for each stage instance, the input record
// and output digests of its last successful run. `status` and `why` diff against it; `gc` keeps
// what it references. Code records are shared by many instances, so they are stored once, by digest.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-fs.ts';
import { codeDigest, type CodeRecord } from './code-graph.ts';
import { acquire } from './entry-lock.ts';
import type { InputRecord } from './fingerprint.ts';
import { InputRecordSchema } from './manifest.ts';

export const LOCK_VERSION = 1;

const LockedRecord = InputRecordSchema.extend({ code: z.string() });
const LockedInstance = z.object({
  stage: z.string(),
  fingerprint: z.string(),
  record: LockedRecord,
  outputs: z.object({ digest: z.string(), files: z.record(z.string(), z.string()) }),
  wallSeconds: z.number(),
});
export type LockedInstance = z.infer<typeof LockedInstance>;

const LockFileSchema = z.object({
  lockVersion: z.literal(LOCK_VERSION),
  instances: z.record(z.string(), LockedInstance),
  code: z.record(z.string(), InputRecordSchema.shape.code),
});
type LockFileData = z.infer<typeof LockFileSchema>;

export interface LockUpdate {
  id: string;
  stage: string;
  fingerprint: string;
  record: InputRecord;
  outputs: { digest: string; files: { path: string; sha256: string; size: number }[] };
  wallSeconds: number;
}

export class LockFile {
  private data: LockFileData = { lockVersion: LOCK_VERSION, instances: {}, code: {} };
  /** set when the file existed but could not be read; reported once, then rewritten */
  readonly problem: string | undefined;

  constructor(readonly path: string) {
    this.problem = this.load();
  }

  private load(): string | undefined {
    if (!existsSync(this.path)) return undefined;
    try {
      const parsed = LockFileSchema.safeParse(JSON.parse(readFileSync(this.path, 'utf8')));
      if (parsed.success) {
        this.data = parsed.data;
        return undefined;
      }
      return parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    } catch (err) {
      return (err as Error).message;
    }
  }

  get(id: string): { locked: LockedInstance; code: CodeRecord | undefined } | undefined {
    const locked = this.data.instances[id];
    if (!locked) return undefined;
    return { locked, code: this.data.code[locked.record.code] as CodeRecord | undefined };
  }

  ids(): string[] {
    return Object.keys(this.data.instances);
  }

  fingerprints(): string[] {
    return Object.values(this.data.instances).map((i) => i.fingerprint);
  }

  /**
   * Merge updates into the file on disk (re-read under a write lock, so two runners sharing the
   * file keep each other's records) and drop instances the pipeline no longer declares.
   */
  async write(updates: LockUpdate[], declaredIds: Set<string> | undefined): Promise<boolean> {
    mkdirSync(dirname(this.path), { recursive: true });
    const mutex = await acquire(`${this.path}.writing`, 'lock-file write');
    try {
      this.load();
      const before = JSON.stringify(this.data);
      for (const u of updates) {
        const digest = codeDigest(u.record.code);
        this.data.code[digest] = u.record.code;
        this.data.instances[u.id] = {
          stage: u.stage,
          fingerprint: u.fingerprint,
          record: { ...u.record, code: digest },
          outputs: { digest: u.outputs.digest, files: Object.fromEntries(u.outputs.files.map((f) => [f.path, `${f.sha256}:${f.size}`])) },
          wallSeconds: Math.round(u.wallSeconds * 1000) / 1000,
        };
      }
      if (declaredIds) for (const id of Object.keys(this.data.instances)) if (!declaredIds.has(id)) delete this.data.instances[id];
      const used = new Set(Object.values(this.data.instances).map((i) => i.record.code));
      for (const d of Object.keys(this.data.code)) if (!used.has(d)) delete this.data.code[d];
      this.data.instances = sortObject(this.data.instances);
      this.data.code = sortObject(this.data.code);
      const after = JSON.stringify(this.data);
      if (after === before && existsSync(this.path)) return false;
      writeFileAtomic(this.path, `${JSON.stringify(this.data, null, 1)}\n`);
      return true;
    } finally {
      mutex.release();
    }
  }
}

function sortObject<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
