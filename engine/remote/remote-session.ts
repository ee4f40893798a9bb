// Moving entries between the local store and a remote cache, safely:
//  • pull: the manifest must be small enough, valid (safe file names included), name this
//    fingerprint, hash to it (its input record is re-fingerprinted) and, when the remote is
//    signed, carry a valid signature; only then is anything it names downloaded, each file
//    checked against its size and sha256 as it streams (see entry-download.ts).
//  • push: files first (skipping those the remote has), then the signature, the manifest last.
// A remote that is down or slow never fails a build unless it is `required`: the first failure
// is reported once and the build carries on locally. An entry that fails a check is refused
// (reported, built locally) without marking the remote down.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../errors.ts';
import type { Manifest } from '../manifest.ts';
import type { Store } from '../store.ts';
import { MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES } from './bounded-stream.ts';
import { downloadEntry, mapLimit } from './entry-download.ts';
import { checkManifest, signatureProblem } from './manifest-check.ts';
import type { RemoteCache } from './remote-cache.ts';
import { IntegrityError, RemoteUnavailableError } from './remote-errors.ts';
import { signatureKey, type ManifestSigner } from './signing.ts';
import { entryFiles } from '../entry-layout.ts';
import type { Fingerprint } from '../digest.ts';

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
  /** verifies (and, holding a key, makes) manifest signatures */
  signer?: ManifestSigner | undefined;
  /** the build's Ctrl-C: a transfer in flight is abandoned at once rather than at its timeout */
  signal?: AbortSignal | undefined;
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
  ) {
    for (const w of remote.warnings ?? []) opts.warn(w);
  }

  get available(): boolean {
    return this.down === undefined;
  }

  /** The remote's manifest for `fp`, checked; undefined if it has none, it is refused, or the remote is down. */
  async lookup(fp: Fingerprint): Promise<Manifest | undefined> {
    if (this.manifests.has(fp)) return this.manifests.get(fp)?.manifest;
    if (this.down) return undefined;
    let checked: { manifest: Manifest; bytes: Buffer } | null = null;
    try {
      checked = await this.fetchChecked(fp);
    } catch (err) {
      if (err instanceof IntegrityError) this.refuse(fp, `manifest ac/${fp} on remote "${this.remote.name}" was refused: ${err.message}`);
      else {
        this.fail(err);
        return undefined;
      }
    }
    this.manifests.set(fp, checked);
    return checked?.manifest;
  }

  private async fetchChecked(fp: Fingerprint): Promise<{ manifest: Manifest; bytes: Buffer } | null> {
    const bytes = await this.unlessAborted(this.remote.getManifest(fp, MAX_MANIFEST_BYTES));
    if (!bytes) return null;
    // The signature first, over the raw bytes: an unsigned manifest costs no parsing.
    const problem = await this.signatureProblemOf(fp, bytes);
    if (problem) throw new IntegrityError(problem);
    const verdict = checkManifest(fp, bytes);
    if (!verdict.ok) throw new IntegrityError(verdict.problem);
    return { manifest: verdict.manifest, bytes };
  }

  private async signatureProblemOf(fp: string, bytes: Buffer): Promise<string | undefined> {
    const signer = this.opts.signer;
    if (!signer) return undefined;
    const signature = await this.unlessAborted(this.remote.getManifest(signatureKey(fp, bytes), MAX_SIGNATURE_BYTES));
    return signatureProblem(signer, fp, bytes, signature);
  }

  private readonly pulling = new Map<string, Promise<boolean>>();

  /** Bring a remote entry into the local store. Returns false if it could not (reported). */
  pull(fp: Fingerprint): Promise<boolean> {
    // Two stages reading the same upstream share one pull.
    let p = this.pulling.get(fp);
    if (!p) {
      p = this.pullOnce(fp).finally(() => this.pulling.delete(fp));
      this.pulling.set(fp, p);
    }
    return p;
  }

  private async pullOnce(fp: Fingerprint): Promise<boolean> {
    if (this.store.has(fp)) return true;
    if (this.down) return false;
    const m = await this.lookup(fp);
    if (!m) return false;
    const entry = this.manifests.get(fp)!;
    const total = m.outputs.files.reduce((s, f) => s + f.size, m.log.size);
    let done = 0;
    const progress = (n: number) => {
      done += n;
      this.stats.bytesDown += n;
      this.opts.onProgress?.({ fingerprint: fp, direction: 'pull', bytesDone: done, bytesTotal: total });
    };
    try {
      await this.unlessAborted(downloadEntry(this.remote, this.store, m, entry.bytes, progress));
      this.stats.pulled++;
      return true;
    } catch (err) {
      if (err instanceof IntegrityError) this.refuse(fp, err.message);
      else this.fail(err);
      return false;
    }
  }

  /** Queue a push of a committed local entry (no-op for read-only sessions). */
  push(fp: Fingerprint): void {
    if (this.opts.readOnly || this.remote.readOnly || this.down || !this.canSign()) return;
    this.pushes.push(
      this.pushNow(fp).then(
        () => undefined,
        (err) => this.fail(err),
      ),
    );
  }

  private warnedNoKey = false;
  /** A signed remote only takes signed entries: without the key here, pushing would be pointless. */
  private canSign(): boolean {
    const signer = this.opts.signer;
    if (!signer || signer.sign('0'.repeat(64), Buffer.alloc(0))) return true;
    if (!this.warnedNoKey)
      this.opts.warn(
        `Not pushing to remote "${this.remote.name}": it requires ${signer.algorithm} signatures and this machine has no signing key.`,
      );
    this.warnedNoKey = true;
    return false;
  }

  async pushNow(fp: Fingerprint): Promise<boolean> {
    const m = this.store.readManifest(fp);
    if (!m) throw new Error(`entry ${fp} is not in the local store`);
    if (!this.canSign()) return false;
    // An entry already there is left alone only if it would be accepted: a planted or half-pushed
    // one (a manifest without its signature) is replaced.
    const existing = await this.remote.getManifest(fp, MAX_MANIFEST_BYTES);
    if (existing && checkManifest(fp, existing).ok && !(await this.signatureProblemOf(fp, existing))) return false;
    const dir = this.store.entryDir(fp);
    const files = [
      ...m.outputs.files.map((f) => ({ ...f, src: join(entryFiles(dir).out, f.path) })),
      { ...m.log, src: join(dir, m.log.path) },
    ];
    const total = files.reduce((s, f) => s + f.size, 0);
    let done = 0;
    const distinct = [...new Map(files.map((f) => [f.sha256, f])).values()];
    await mapLimit(distinct, this.remote.parallel, async (f) => {
      const count = (n: number) => {
        done += n;
        this.stats.bytesUp += n;
        this.opts.onProgress?.({ fingerprint: fp, direction: 'push', bytesDone: done, bytesTotal: total });
      };
      if (await this.remote.hasBlob(f.sha256)) count(f.size);
      else await this.remote.putBlob(f.sha256, f.src, f.size, count);
    });
    const bytes = readFileSync(entryFiles(dir).manifest);
    const signature = this.opts.signer?.sign(fp, bytes);
    if (signature) await this.remote.putManifest(signatureKey(fp, bytes), signature);
    await this.remote.putManifest(fp, bytes);
    this.stats.pushed++;
    return true;
  }

  /** `op`, or a RemoteUnavailableError as soon as the build is interrupted. */
  private unlessAborted<T>(op: Promise<T>): Promise<T> {
    const signal = this.opts.signal;
    if (!signal) return op;
    const stopped = () => new RemoteUnavailableError(`remote "${this.remote.name}": interrupted`);
    if (signal.aborted) return Promise.reject(stopped());
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(stopped());
      signal.addEventListener('abort', onAbort, { once: true });
      op.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
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
