import { readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './errors.ts';
import { tryAcquire } from './mutex-file.ts';
import { removeDebris } from './gc-debris.ts';
import { instanceIdProblem } from './instance-id.ts';
import { collectReferences, type ExperimentReferences } from './gc-references.ts';
import { livePins } from './runner.ts';
import { stagingName } from './staging-owner.ts';
import type { Store } from './store.ts';
import { Timings } from './timings.ts';
import { pruneRecords } from './experiment-registry.ts';
import type { Fingerprint } from './digest.ts';

export interface GcOptions {
  lockFiles: string[];
  /** experiments whose every entry ever used is kept, not only what they reference now */
  keepExperiments?: string[];
  dryRun: boolean;
  /** also keep this many of the most recently used unreferenced entries */
  keep: number;
  /** if set, remove unreferenced entries (least recently used first) only until the store fits */
  maxSizeBytes?: number | undefined;
}

export interface GcReport {
  /** what each experiment keeps */
  experiments: { name: string; sources: string[]; entries: number; bytes: number }[];
  referenced: number;
  /** entries kept because a live runner pins them (not referenced by a lock file) */
  pinned: number;
  kept: number;
  /** with the instance each entry was, and the experiment that used it last (when recorded) */
  removed: { fingerprint: Fingerprint; bytes: number; instanceId?: string | undefined; experiment?: string | undefined }[];
  freedBytes: number;
  storeBytesAfter: number;
  debris: string[];
  /** lock files on this machine that are gone, whose slots in the store's records were dropped */
  forgottenLockFiles: string[];
}

interface Candidate {
  fingerprint: Fingerprint;
  lastUsed: number;
  bytes: number;
  instanceId?: string | undefined;
}

function summarise(e: ExperimentReferences, sizes: ReadonlyMap<string, number>): GcReport['experiments'][number] {
  const present = [...e.fingerprints].filter((fp) => sizes.has(fp));
  return { name: e.name, sources: e.sources, entries: present.length, bytes: present.reduce((s, fp) => s + sizes.get(fp)!, 0) };
}

/** The instance an entry was, for the listing only (no validation, no quarantine: the entry may be going anyway). */
function peekInstanceId(store: Store, fp: Fingerprint): string | undefined {
  try {
    const id: unknown = (JSON.parse(readFileSync(store.files(fp).manifest, 'utf8')) as { instanceId?: unknown }).instanceId;
    return typeof id === 'string' && !instanceIdProblem(id) ? id : undefined;
  } catch {
    return undefined; // already moved aside, or unreadable
  }
}

/** Removed entries leave the timing memo and the experiments' histories; dead checkouts leave the records. */
function forgetRemoved(store: Store, removed: readonly Candidate[]): string[] {
  const stored = new Set(store.fingerprints());
  if (removed.length) new Timings(store).prune(stored);
  return pruneRecords(store, stored);
}

export function collectGarbage(store: Store, opts: GcOptions): GcReport {
  // Pins first: a build that flushes its lock file and record and exits between the two reads is
  // then seen by one of them (read the other way round, neither would show its new entries).
  const pinned = livePins(store.root);
  const refs = collectReferences(store, opts.lockFiles, opts.keepExperiments ?? []);
  const referenced = refs.all;
  const present = store.fingerprints();
  // each entry's folder is walked once: the per-experiment sums, the kept bytes and the candidates share it
  const sizes = new Map(present.map((fp) => [fp, store.entrySize(fp)]));
  const keptAnyway = present.filter((fp) => referenced.has(fp) || pinned.has(fp));
  const candidates: Candidate[] = present
    .filter((fp) => !referenced.has(fp) && !pinned.has(fp))
    .map((fp) => ({ fingerprint: fp, lastUsed: statSync(store.entryDir(fp)).mtimeMs, bytes: sizes.get(fp)! }))
    .sort((a, b) => b.lastUsed - a.lastUsed); // most recent first
  const keptBytes = keptAnyway.reduce((s, fp) => s + sizes.get(fp)!, 0);
  const chosen = choose(candidates, opts, keptBytes);
  for (const c of chosen) c.instanceId = peekInstanceId(store, c.fingerprint);
  const removed = opts.dryRun ? chosen : chosen.filter((c) => removeUnneeded(store, c.fingerprint));
  const freedBytes = removed.reduce((s, c) => s + c.bytes, 0);
  const pinnedOnly = keptAnyway.filter((fp) => !referenced.has(fp)).length;
  const describe = (c: Candidate) => ({
    fingerprint: c.fingerprint,
    bytes: c.bytes,
    instanceId: c.instanceId,
    experiment: refs.lastUsedBy(c.fingerprint),
  });
  const forgotten = opts.dryRun ? [] : forgetRemoved(store, removed);
  return {
    experiments: refs.experiments.map((e) => summarise(e, sizes)),
    referenced: referenced.size,
    pinned: pinnedOnly,
    kept: candidates.length - removed.length + pinnedOnly,
    removed: removed.map(describe),
    freedBytes,
    storeBytesAfter: keptBytes + candidates.reduce((s, c) => s + c.bytes, 0) - freedBytes,
    debris: opts.dryRun ? [] : removeDebris(store),
    forgottenLockFiles: forgotten,
  };
}

/** The candidates to remove: all but the `keep` most recent, or (with a size limit) the oldest until the store fits. */
function choose(candidates: Candidate[], opts: GcOptions, keptBytes: number): Candidate[] {
  const removable = candidates.slice(opts.keep);
  if (opts.maxSizeBytes === undefined) return removable;
  let total = keptBytes + candidates.reduce((s, c) => s + c.bytes, 0);
  const chosen: Candidate[] = [];
  for (const c of [...removable].reverse()) {
    if (total <= opts.maxSizeBytes) break;
    chosen.push(c);
    total -= c.bytes;
  }
  return chosen;
}

/**
 * Remove one entry unless a live process holds its build lock or a live runner pins it. Moved
 * aside first (no reader sees it half-deleted), pins read again, and put back if pinned now: a
 * runner writes its pin before it reads an entry's manifest, so either we see the pin or it sees
 * the entry gone (and rebuilds it).
 */
function removeUnneeded(store: Store, fp: Fingerprint): boolean {
  const lock = tryAcquire(store.buildLockPath(fp), 'gc');
  if (!lock.ok) return false;
  try {
    if (livePins(store.root).has(fp)) return false;
    const dir = store.entryDir(fp);
    const aside = join(store.stagingRoot, stagingName(store.root, fp, 'removed'));
    try {
      renameSync(dir, aside);
    } catch {
      return false; // gone meanwhile
    }
    if (livePins(store.root).has(fp)) {
      try {
        renameSync(aside, dir);
        return false;
      } catch {
        /* rebuilt meanwhile: the new entry stays, the old copy goes */
      }
    }
    rmSync(aside, { recursive: true, force: true });
    return true;
  } finally {
    lock.lock.release();
  }
}

/** Mark entries as used now (at most hourly per entry), for least-recently-used eviction. */
export function touchEntries(store: Store, fingerprints: Iterable<Fingerprint>): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const fp of fingerprints) {
    const dir = store.entryDir(fp);
    try {
      if (statSync(dir).mtimeMs < hourAgo) {
        const now = new Date();
        utimesSync(dir, now, now);
      }
    } catch {
      /* gone meanwhile */
    }
  }
}

export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--max-size "${text}" is not a size; write e.g. 500M, 20G or 1.5T.`);
  const power = ['', 'k', 'm', 'g', 't'].indexOf(m[2]!.toLowerCase());
  return Math.round(Number(m[1]) * 1024 ** power);
}
