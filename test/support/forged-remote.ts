// Building remote entries by hand, for tests and the fault campaign: an honest entry (valid
// fingerprint, digests and files) that a test then bends into a forgery of one kind.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../engine/digest.ts';
import { fingerprintOf, type InputRecord } from '../../engine/fingerprint.ts';
import { outputDigestOf } from '../../engine/manifest.ts';
import type { Fingerprint } from '../../engine/digest.ts';

export interface ForgedFile {
  path: string;
  bytes: Buffer;
}

export interface ForgedEntry {
  fingerprint: Fingerprint;
  manifest: Record<string, unknown> & {
    outputs: { digest: string; files: { path: string; sha256: string; size: number }[] };
    log: { path: string; sha256: string; size: number };
  };
  blobs: Map<string, Buffer>;
}

/** A well-formed entry whose record is unique to `tag`. Bend `manifest` afterwards, then `seal` it. */
export function honestEntry(tag: string, files: ForgedFile[], logText = 'log\n'): ForgedEntry {
  const record: InputRecord = {
    format: 1,
    stage: { name: `forged-${tag}`, version: 1 },
    params: { tag },
    code: { files: {}, packages: {} },
    inputs: {},
    env: {},
    upstream: {},
  } as unknown as InputRecord;
  const fingerprint = fingerprintOf(record);
  const blobs = new Map<string, Buffer>();
  const list = files.map((f) => {
    blobs.set(sha256(f.bytes), f.bytes);
    return { path: f.path, sha256: sha256(f.bytes), size: f.bytes.length };
  });
  const log = Buffer.from(logText);
  blobs.set(sha256(log), log);
  const manifest = {
    manifestVersion: 1,
    fingerprint,
    instanceId: `forged/${tag.replace(/[^A-Za-z0-9-]/g, '-')}`,
    record,
    outputs: { digest: outputDigestOf(list), files: list },
    log: { path: 'log.txt', sha256: sha256(log), size: log.length },
    run: {
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:00:01Z',
      wallSeconds: 1,
      host: 'h',
      platform: 'linux-x64',
      node: 'v22',
      cpus: 1,
      pid: 1,
      executor: 'local',
      gitCommit: null,
    },
    metadata: {},
  };
  return { fingerprint, manifest, blobs };
}

/** Recompute the output digest after the file list was bent (so only the bent field is wrong). */
export function reseal(entry: ForgedEntry): ForgedEntry {
  entry.manifest.outputs.digest = outputDigestOf(entry.manifest.outputs.files);
  return entry;
}

/** Write the entry into a directory remote: its blobs under cas/, its manifest under ac/. */
export function publish(remoteDir: string, entry: ForgedEntry, manifestBytes?: Buffer): Buffer {
  mkdirSync(join(remoteDir, 'cas'), { recursive: true });
  mkdirSync(join(remoteDir, 'ac'), { recursive: true });
  for (const [sha, bytes] of entry.blobs) writeFileSync(join(remoteDir, 'cas', sha), bytes);
  const bytes = manifestBytes ?? Buffer.from(JSON.stringify(entry.manifest));
  writeFileSync(join(remoteDir, 'ac', entry.fingerprint), bytes);
  return bytes;
}

type Files = ForgedEntry['manifest']['outputs']['files'];

/** Ways a manifest's file names can try to leave the entry; `target` is the file to overwrite. */
export const ESCAPES: { name: string; bend(m: ForgedEntry['manifest'], target: { absolute: string; relative: string }): void }[] = [
  { name: 'dot-dot', bend: (m, t) => rename(m.outputs.files, t.relative) },
  { name: 'absolute', bend: (m, t) => rename(m.outputs.files, t.absolute) },
  { name: 'inner dot-dot', bend: (m, t) => rename(m.outputs.files, `a/../${t.relative}`) },
  { name: 'dot segment', bend: (m) => rename(m.outputs.files, './x.txt') },
  { name: 'empty segment', bend: (m) => rename(m.outputs.files, 'a//b.txt') },
  { name: 'backslash', bend: (m, t) => rename(m.outputs.files, t.relative.replace(/\//g, '\\')) },
  { name: 'NUL', bend: (m) => rename(m.outputs.files, 'a\u0000.txt') },
  { name: 'newline', bend: (m) => rename(m.outputs.files, 'a\nb.txt') },
  { name: 'too long', bend: (m) => rename(m.outputs.files, `${'d/'.repeat(600)}x.txt`) },
  { name: 'file and folder', bend: (m) => m.outputs.files.push({ ...m.outputs.files[0]!, path: `${m.outputs.files[0]!.path}/inner` }) },
  { name: 'duplicate path', bend: (m) => m.outputs.files.push({ ...m.outputs.files[0]! }) },
  {
    name: 'log path',
    bend: (m, t) => {
      m.log.path = t.relative;
    },
  },
];

function rename(files: Files, path: string): void {
  files[0]!.path = path;
}

/** One forged manifest per way a file name can escape the entry (the log path included). */
export function traversalForgeries(canary: string): { name: string; entry: ForgedEntry }[] {
  return ESCAPES.map((e) => {
    const entry = honestEntry(e.name, [{ path: 'ok.txt', bytes: Buffer.from('pwned\n') }]);
    e.bend(entry.manifest, { absolute: canary, relative: `../../../../../../../../..${canary}` });
    return { name: e.name, entry: reseal(entry) };
  });
}
