// Assembling a remote entry in the local store. Each distinct blob is downloaded once (two output
// files with the same contents share one download and one uniquely named .part file), checked
// against its sha256, and kept in cache/blobs/ so an interrupted pull resumes without fetching it
// again. Files are placed into a fresh staging folder with exclusive creates under names checked
// to lie inside it, and the folder is committed in one rename, like a local build.
import {
  constants,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { sha256File } from '../digest.ts';
import { makeReadOnly, writeSeal } from '../entry-seal.ts';
import { entryFiles, LOG_FILE } from '../entry-layout.ts';
import type { Manifest } from '../manifest.ts';
import { pathInside } from '../output-path.ts';
import type { CommitResult, Store } from '../store.ts';
import type { RemoteCache } from './remote-cache.ts';
import { IntegrityError } from './remote-errors.ts';

interface Placement {
  sha256: string;
  size: number;
  /** as the user sees it */
  shown: string;
  dest: string;
}

/** Blobs this process's pulls are using: one pull never deletes a blob another still needs. */
const blobUsers = new Map<string, number>();

export async function downloadEntry(
  remote: RemoteCache,
  store: Store,
  manifest: Manifest,
  manifestBytes: Buffer,
  onBytes: (n: number) => void,
): Promise<CommitResult> {
  const fp = manifest.fingerprint;
  const blobs = join(store.cacheDir, 'blobs');
  mkdirSync(blobs, { recursive: true });
  const staging = store.newStagingDir(fp);
  const out = entryFiles(staging).out;
  const placements: Placement[] = [
    ...manifest.outputs.files.map((f) => ({ sha256: f.sha256, size: f.size, shown: `out/${f.path}`, dest: pathInside(out, f.path) })),
    { sha256: manifest.log.sha256, size: manifest.log.size, shown: LOG_FILE, dest: pathInside(staging, LOG_FILE) },
  ];
  const distinct = [...new Map(placements.map((p) => [p.sha256, p])).values()];
  for (const p of distinct) blobUsers.set(p.sha256, (blobUsers.get(p.sha256) ?? 0) + 1);
  try {
    checkFreeSpace(
      blobs,
      fp,
      remote.name,
      distinct.reduce((sum, p) => sum + p.size, 0),
    );
    await mapLimit(distinct, remote.parallel, async (p) => {
      const copies = placements.filter((q) => q.sha256 === p.sha256);
      await fetchBlob(remote, blobs, fp, p, onBytes);
      // Another process's pull of the same blob may remove it between our check and our link: fetch it again once.
      if (!placeAll(join(blobs, p.sha256), copies)) {
        await fetchBlob(remote, blobs, fp, p, onBytes);
        if (!placeAll(join(blobs, p.sha256), copies))
          throw new Error(`cache/blobs/${p.sha256} keeps disappearing while it is placed (another process is cleaning the store?)`);
      }
    });
    // The remote's bytes, unchanged: the local entry is then the same everywhere.
    writeFileSync(entryFiles(staging).manifest, manifestBytes, { flag: 'wx' });
    makeReadOnly(placements.map((p) => p.dest));
    const result = store.commit(staging, fp);
    for (const p of distinct) if (blobUsers.get(p.sha256) === 1) rmSync(join(blobs, p.sha256), { force: true }); // before the seal: unlinking a hard link changes ctime
    if (result !== 'exists') writeSeal(store.entryDir(fp), manifest);
    return result;
  } finally {
    for (const p of distinct) {
      const n = (blobUsers.get(p.sha256) ?? 1) - 1;
      if (n > 0) blobUsers.set(p.sha256, n);
      else blobUsers.delete(p.sha256);
    }
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Refuse, before downloading, an entry that declares more bytes than the store's disk has free. */
function checkFreeSpace(dir: string, fp: string, remote: string, bytes: number): void {
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  if (bytes > free)
    throw new IntegrityError(
      `entry ${fp.slice(0, 12)} on remote "${remote}" declares ${bytes} bytes of files, more than the ${free} free on the disk holding the store`,
    );
}

/** Make cache/blobs/<sha> a verified copy of the remote's blob (reusing one left by an interrupted pull if it verifies). */
async function fetchBlob(remote: RemoteCache, blobs: string, fp: string, p: Placement, onBytes: (n: number) => void): Promise<void> {
  const blob = join(blobs, p.sha256);
  const kept = lstatSync(blob, { throwIfNoEntry: false });
  if (kept?.isFile() && kept.size === p.size && (await sha256File(blob)) === p.sha256) return onBytes(p.size);
  if (kept) rmSync(blob, { force: true }); // a stale, partial or planted (e.g. symlinked) file
  const part = `${blob}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await remote.getBlob(p.sha256, part, p.size, onBytes);
    const got = statSync(part).size;
    if (got !== p.size)
      throw new IntegrityError(
        `file ${p.shown} (cas/${p.sha256}) of entry ${fp.slice(0, 12)} on remote "${remote.name}" has ${got} bytes, its manifest lists ${p.size}`,
      );
    const digest = await sha256File(part);
    if (digest !== p.sha256)
      throw new IntegrityError(
        `file ${p.shown} (cas/${p.sha256}) of entry ${fp.slice(0, 12)} on remote "${remote.name}" does not match the sha256 its manifest lists (got ${digest.slice(0, 12)}…)`,
      );
    renameSync(part, blob);
  } finally {
    rmSync(part, { force: true });
  }
}

/** Hard-link (or copy) a verified blob to each new file; false if the blob vanished first. Never replaces a file. */
function placeAll(blob: string, copies: readonly Placement[]): boolean {
  for (const p of copies) {
    if (existsSync(p.dest)) continue; // placed by the first attempt
    mkdirSync(dirname(p.dest), { recursive: true });
    try {
      linkSync(blob, p.dest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return false;
      if (code === 'EEXIST')
        throw new IntegrityError(
          `two files of the entry map to ${p.shown} on this file system (names differing only in case or Unicode normalisation)`,
        );
      try {
        copyFileSync(blob, p.dest, constants.COPYFILE_EXCL);
      } catch (copyErr) {
        if ((copyErr as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw copyErr;
      }
    }
  }
  return true;
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
