// The lock file (like dvc.lock, meant to be committed): one per experiment, and for each stage
// instance only what decides freshness: the input record and the output digests of its last
// successful run. `status` and `why` diff against it; `gc` keeps what it references.
//   - Code records are shared by many instances, so they are stored once, by digest.
//   - A folder of inputs is one digest (input-set-digest.ts): a 60,000-file dataset is one line.
//     The per-file list is in the entry's manifest, where `why` finds the file that changed.
//   - No times: rebuilding with identical outputs leaves the file byte-identical. How long a
//     run took is in its manifest and in the store's timing memo (timings.ts).
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { readSmallRegularFile } from './bounded-read.ts';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-fs.ts';
import { codeDigest, type CodeRecord } from './code-graph.ts';
import { acquire } from './mutex-file.ts';
import { experimentNameProblem, type ExperimentName, type SettingsDigest } from './experiment.ts';
import type { InputRecord } from './fingerprint.ts';
import { inputSetDigests } from './input-set-digest.ts';
import { FingerprintSchema, type Fingerprint } from './digest.ts';
import { Hex64, InputRecordSchema } from './manifest.ts';
import { printable } from './printable.ts';
import { migrateLockV1 } from './lock-file-v1.ts';
import { zodIssuesInline } from './zod-errors.ts';
import { UsageError } from './errors.ts';
import { statSignature } from './file-hasher.ts';

export const LOCK_VERSION = 2;
// far above any real lock file (one line per input folder); a FIFO or /dev/zero cannot hang gc
const MAX_LOCK_BYTES = 512 << 20;

export const LockedRecord = InputRecordSchema.extend({ code: z.string(), inputs: z.record(z.string(), Hex64) });
export const LockedInstance = z.object({
  stage: z.string(),
  fingerprint: FingerprintSchema,
  record: LockedRecord,
  outputs: z.object({ digest: Hex64, files: z.record(z.string(), z.string()) }),
});
export type LockedInstance = z.infer<typeof LockedInstance>;

// Which experiment the file belongs to: a run with other settings under the same name is refused.
const LockedExperiment = z.object({
  name: z.string().refine((n) => !experimentNameProblem(n), { message: 'not an experiment name' }),
  settings: Hex64,
});

export const LockFileSchema = z.object({
  lockVersion: z.literal(LOCK_VERSION),
  experiment: LockedExperiment.optional(),
  instances: z.record(z.string(), LockedInstance),
  code: z.record(z.string(), InputRecordSchema.shape.code),
});
export type LockFileData = z.infer<typeof LockFileSchema>;

/** A lock file's text read from elsewhere (another revision, another experiment): validated, older versions migrated. */
export function parseLockFileText(text: string, where: string): LockFileData {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${where} is not JSON (${printable((err as Error).message)}); it is not a lock file this tool wrote.`);
  }
  const parsed = LockFileSchema.safeParse(migrateLockV1(raw));
  if (!parsed.success)
    throw new UsageError(`${where} is not a lock file this version can read: ${printable(zodIssuesInline(parsed.error))}.`);
  return parsed.data;
}

export interface LockUpdate {
  id: string;
  stage: string;
  fingerprint: Fingerprint;
  record: InputRecord;
  outputs: { digest: string; files: { path: string; sha256: string; size: number }[] };
}

export interface LockedExperimentHeader {
  name: ExperimentName;
  settings: SettingsDigest;
}

export class LockFile {
  private data: LockFileData = { lockVersion: LOCK_VERSION, instances: {}, code: {} };
  /** set when the file existed but could not be read; reported once, then rewritten */
  readonly problem: string | undefined;
  /** the file as last read (inode, size, mtime): write() reads it again only when it has changed since */
  private loadedAs: string | undefined;

  constructor(readonly path: string) {
    this.problem = this.load();
  }

  private load(): string | undefined {
    this.loadedAs = fileSignature(this.path);
    if (!existsSync(this.path)) return undefined;
    try {
      const raw: unknown = JSON.parse(readSmallRegularFile(this.path, MAX_LOCK_BYTES, { followSymlinks: true }));
      const parsed = LockFileSchema.safeParse(migrateLockV1(raw));
      if (parsed.success) {
        this.data = parsed.data;
        return undefined;
      }
      return printable(zodIssuesInline(parsed.error));
    } catch (err) {
      return printable((err as Error).message);
    }
  }

  get experiment(): LockedExperimentHeader | undefined {
    return this.data.experiment as LockedExperimentHeader | undefined;
  }

  get(id: string): { locked: LockedInstance; code: CodeRecord | undefined } | undefined {
    const locked = this.data.instances[id];
    if (!locked) return undefined;
    return { locked, code: this.data.code[locked.record.code] as CodeRecord | undefined };
  }

  ids(): string[] {
    return Object.keys(this.data.instances);
  }

  fingerprints(): Fingerprint[] {
    return Object.values(this.data.instances).map((i) => i.fingerprint);
  }

  /**
   * Merge updates into the file on disk (re-read under a write lock, so two runners sharing the
   * file keep each other's records) and drop instances the pipeline no longer declares.
   */
  async write(
    updates: LockUpdate[],
    declaredIds: Set<string> | undefined,
    experiment?: LockedExperimentHeader,
    /** called with the references just written, while the file's mutex is still held (the store's record follows it) */
    onWritten?: (fingerprints: Fingerprint[]) => Promise<void>,
  ): Promise<boolean> {
    mkdirSync(dirname(this.path), { recursive: true });
    const mutex = await acquire(`${this.path}.writing`, 'lock-file write');
    try {
      if (fileSignature(this.path) !== this.loadedAs) this.load();
      const before = JSON.stringify(this.data);
      if (experiment)
        this.data = {
          lockVersion: LOCK_VERSION,
          experiment: { name: experiment.name, settings: experiment.settings },
          instances: this.data.instances,
          code: this.data.code,
        };
      for (const u of updates) this.record(u);
      if (declaredIds) for (const id of Object.keys(this.data.instances)) if (!declaredIds.has(id)) delete this.data.instances[id];
      const used = new Set(Object.values(this.data.instances).map((i) => i.record.code));
      for (const d of Object.keys(this.data.code)) if (!used.has(d)) delete this.data.code[d];
      this.data.instances = sortObject(this.data.instances);
      this.data.code = sortObject(this.data.code);
      const changed = JSON.stringify(this.data) !== before || !existsSync(this.path);
      if (changed) {
        writeFileAtomic(this.path, `${JSON.stringify(this.data, null, 1)}\n`);
        this.loadedAs = fileSignature(this.path);
      }
      await onWritten?.(this.fingerprints());
      return changed;
    } finally {
      mutex.release();
    }
  }

  private record(u: LockUpdate): void {
    const digest = codeDigest(u.record.code);
    this.data.code[digest] = u.record.code;
    this.data.instances[u.id] = {
      stage: u.stage,
      fingerprint: u.fingerprint,
      record: { ...u.record, code: digest, inputs: inputSetDigests(u.record.inputs) },
      outputs: { digest: u.outputs.digest, files: Object.fromEntries(u.outputs.files.map((f) => [f.path, `${f.sha256}:${f.size}`])) },
    };
  }
}

function fileSignature(path: string): string | undefined {
  try {
    return statSignature(statSync(path, { bigint: true }));
  } catch {
    return undefined;
  }
}

function sortObject<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
