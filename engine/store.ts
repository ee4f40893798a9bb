// The content-addressed store: one entry per fingerprint, each a folder
//   entries/<fp[0:2]>/<fp>/{manifest.json, log.txt, seal.json, out/…}
// plus the working areas around it:
//   staging/     half-built entries (never read as results; removed when their process is gone)
//   scratch/<fp> a stage's private resume state, kept across crashes, dropped once <fp> commits
//   locks/       one lock file per fingerprint being built
//   quarantine/  entries found corrupt, moved aside for inspection
//   failed/      logs of failed runs
//   cache/       memos (file digests, import graphs): safe to delete
// An entry appears in one rename(2) of a complete staging folder, so it is either whole or absent.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir } from './atomic-fs.ts';
import type { Fingerprint } from './digest.ts';
import { asFingerprint } from './digest.ts';
import { Manifest } from './manifest.ts';
import { stagingName, stagingOwnerDead } from './staging-owner.ts';
import { zodIssuesInline } from './zod-errors.ts';
import { entryFiles, type EntryFiles } from './entry-layout.ts';

export type CommitResult = 'committed' | 'replaced' | 'exists';

export class Store {
  readonly entriesDir: string;
  readonly stagingRoot: string;
  readonly scratchRoot: string;
  readonly buildLocksDir: string;
  readonly quarantineDir: string;
  readonly failedDir: string;
  readonly cacheDir: string;
  private readonly manifests = new Map<string, Manifest>();

  constructor(readonly root: string) {
    this.entriesDir = join(root, 'entries');
    this.stagingRoot = join(root, 'staging');
    this.scratchRoot = join(root, 'scratch');
    this.buildLocksDir = join(root, 'locks');
    this.quarantineDir = join(root, 'quarantine');
    this.failedDir = join(root, 'failed');
    this.cacheDir = join(root, 'cache');
  }

  init(): this {
    for (const d of [this.entriesDir, this.stagingRoot, this.scratchRoot, this.buildLocksDir, this.cacheDir])
      mkdirSync(d, { recursive: true });
    return this;
  }

  entryDir(fp: Fingerprint): string {
    return join(this.entriesDir, fp.slice(0, 2), fp);
  }

  /** Where the entry's manifest, log, seal and outputs are (entry-layout.ts). */
  files(fp: Fingerprint): EntryFiles {
    return entryFiles(this.entryDir(fp));
  }

  outDir(fp: Fingerprint): string {
    return this.files(fp).out;
  }

  buildLockPath(fp: Fingerprint): string {
    return join(this.buildLocksDir, `${fp}.lock`);
  }

  scratchDir(fp: Fingerprint): string {
    return join(this.scratchRoot, fp);
  }

  has(fp: Fingerprint): boolean {
    return this.manifests.has(fp) || existsSync(this.files(fp).manifest);
  }

  /**
   * The entry's manifest, or undefined if there is no entry. An entry whose manifest is unreadable
   * is quarantined (and reported through `onCorrupt`), so the caller rebuilds it.
   */
  readManifest(fp: Fingerprint, onCorrupt?: (message: string) => void): Manifest | undefined {
    const cached = this.manifests.get(fp);
    if (cached) return cached;
    const dir = this.entryDir(fp);
    const path = entryFiles(dir).manifest;
    let text = readIfPresent(path);
    if (text === undefined) {
      if (!existsSync(dir)) return undefined;
      // The folder is there: another runner's commit (one rename of a complete folder, manifest
      // included) may have landed since the first read, so read again. Only a folder that is there
      // without a manifest after that is corrupt. (Checking the folder again, without this re-read,
      // quarantined entries committed between the read and the check.)
      text = readIfPresent(path);
      if (text === undefined) {
        this.quarantine(fp, 'manifest.json is missing', onCorrupt);
        return undefined;
      }
    }
    let problem: string;
    try {
      const parsed = Manifest.safeParse(JSON.parse(text));
      if (parsed.success && parsed.data.fingerprint === fp) {
        this.manifests.set(fp, parsed.data);
        return parsed.data;
      }
      problem = parsed.success ? `it names fingerprint ${parsed.data.fingerprint}` : zodIssuesInline(parsed.error, Infinity);
    } catch (err) {
      problem = `not valid JSON (${(err as Error).message})`;
    }
    this.quarantine(fp, `${path} is corrupt: ${problem}`, onCorrupt);
    return undefined;
  }

  /** A fresh, private folder to build fingerprint `fp` in, named by this process's runner token (see staging-owner.ts). */
  newStagingDir(fp: Fingerprint): string {
    const dir = join(this.stagingRoot, stagingName(this.root, fp));
    mkdirSync(entryFiles(dir).out, { recursive: true });
    return dir;
  }

  /**
   * Move a complete staging folder into place. With `replace` (a forced rebuild), an existing
   * entry is moved aside first and removed after the new one is in.
   */
  commit(stagingDir: string, fp: Fingerprint, replace = false): CommitResult {
    const dest = this.entryDir(fp);
    mkdirSync(join(dest, '..'), { recursive: true });
    let aside: string | undefined;
    if (replace && existsSync(dest)) {
      aside = join(this.stagingRoot, stagingName(this.root, fp, 'replaced'));
      renameSync(dest, aside);
    }
    try {
      renameSync(stagingDir, dest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        rmSync(stagingDir, { recursive: true, force: true });
        return 'exists';
      }
      if (aside) renameSync(aside, dest);
      throw err;
    }
    fsyncDir(join(dest, '..'));
    this.manifests.delete(fp);
    if (aside) rmSync(aside, { recursive: true, force: true });
    return aside ? 'replaced' : 'committed';
  }

  quarantine(fp: Fingerprint, reason: string, report?: (message: string) => void): void {
    const dir = this.entryDir(fp);
    this.manifests.delete(fp);
    if (!existsSync(dir)) return;
    mkdirSync(this.quarantineDir, { recursive: true });
    const dest = join(this.quarantineDir, `${fp}.${new Date().toISOString().replace(/[:.]/g, '-')}`);
    try {
      renameSync(dir, dest);
      // gc ages quarantine by mtime, and a rename keeps the entry's (maybe days-old) one.
      try {
        const now = new Date();
        utimesSync(dest, now, now);
      } catch {
        /* gc also reads the time from the folder's name */
      }
      report?.(`Store entry ${fp.slice(0, 12)} is corrupt (${reason}); moved it to ${dest} and it will be rebuilt.`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** Delete an entry: renamed out of entries/ first, so no reader ever sees it half-deleted. */
  remove(fp: Fingerprint): void {
    this.manifests.delete(fp);
    const aside = join(this.stagingRoot, stagingName(this.root, fp, 'removed'));
    try {
      renameSync(this.entryDir(fp), aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    rmSync(aside, { recursive: true, force: true });
  }

  /** Every fingerprint with an entry folder (complete or not). */
  fingerprints(): Fingerprint[] {
    if (!existsSync(this.entriesDir)) return [];
    const out: Fingerprint[] = [];
    for (const shard of readdirSync(this.entriesDir)) {
      for (const name of readdirSync(join(this.entriesDir, shard))) {
        const fp = asFingerprint(name);
        if (fp) out.push(fp);
      }
    }
    return out.sort();
  }

  /** Remove staging folders whose builder has died (see staging-owner.ts for who counts as dead). */
  cleanDeadStaging(): string[] {
    const removed: string[] = [];
    if (!existsSync(this.stagingRoot)) return removed;
    for (const name of readdirSync(this.stagingRoot)) {
      const path = join(this.stagingRoot, name);
      if (stagingOwnerDead(this.root, name, path) !== true) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }

  entrySize(fp: Fingerprint): number {
    return dirSize(this.entryDir(fp));
  }
}

export function dirSize(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += statSync(p).size;
    }
  };
  if (existsSync(dir)) walk(dir);
  return total;
}

/** A file's text, or undefined if it does not exist. */
function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return undefined;
  }
}
