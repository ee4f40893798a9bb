// Where a command that reads results (export, diff) gets an entry: the local store, else the
// remote cache when one is configured (pulled into the local store, verified as every pull is).
// It never builds anything, and says where each entry came from.
import type { Fingerprint } from './digest.ts';
import type { Manifest } from './manifest.ts';
import type { RemoteSession } from './remote/remote-session.ts';
import type { Store } from './store.ts';

export type EntryOrigin = { from: 'local'; store: string } | { from: 'remote'; remote: string; where: string };

export interface FoundEntry {
  fingerprint: Fingerprint;
  manifest: Manifest;
  /** the entry's out/ folder in the local store */
  outDir: string;
  origin: EntryOrigin;
}

export class EntrySource {
  constructor(
    readonly store: Store,
    private readonly session: RemoteSession | undefined,
  ) {}

  /** The entry, or undefined when neither the local store nor the remote has it. */
  async find(fp: Fingerprint): Promise<FoundEntry | undefined> {
    const local = this.store.readManifest(fp);
    if (local) return this.found(fp, local, { from: 'local', store: this.store.root });
    if (!this.session || !(await this.session.pull(fp))) return undefined;
    const pulled = this.store.readManifest(fp);
    const remote = this.session.remote;
    return pulled && this.found(fp, pulled, { from: 'remote', remote: remote.name, where: remote.where });
  }

  /** Where a missing entry was looked for, for the message that says it is missing. */
  searched(): string {
    return this.session
      ? `the local store ${this.store.root} or the remote "${this.session.remote.name}"`
      : `the local store ${this.store.root} (no remote configured)`;
  }

  private found(fingerprint: Fingerprint, manifest: Manifest, origin: EntryOrigin): FoundEntry {
    return { fingerprint, manifest, outDir: this.store.outDir(fingerprint), origin };
  }
}
