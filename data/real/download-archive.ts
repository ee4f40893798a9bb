// Downloads an archive with zx's fetch, streaming it to disk while hashing, refuses it unless
// its sha256 matches, then unpacks it with tar into the destination (through a temporary
// folder, so a failed unpack leaves nothing half-extracted). A marker file records the
// verified hash, so a second call does nothing.
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { $, fetch } from 'zx';

export interface ArchiveSpec {
  url: string;
  sha256: string;
  /** folder the archive contains at its top level, e.g. cifar-10-batches-bin */
  folder: string;
  /** expected size in bytes, if known (checked before hashing) */
  bytes?: number;
}

export class ArchiveVerificationError extends Error {
  override name = 'ArchiveVerificationError';
}

/** Returns the path of the unpacked `spec.folder` inside `destDir`. */
export async function downloadAndUnpack(spec: ArchiveSpec, destDir: string, log: (line: string) => void = () => {}): Promise<string> {
  mkdirSync(destDir, { recursive: true });
  const target = join(destDir, spec.folder);
  const marker = join(destDir, `.${spec.folder}.sha256`);
  if (existsSync(target) && existsSync(marker) && readFileSync(marker, 'utf8').trim() === spec.sha256) {
    log(`[data] ${target} already unpacked and verified`);
    return target;
  }
  const archive = join(destDir, `.download-${process.pid}-${spec.url.split('/').pop() ?? 'archive'}`);
  const staging = join(destDir, `.unpack-${process.pid}`);
  try {
    log(`[data] downloading ${spec.url}`);
    const response = await fetch(spec.url);
    if (!response.ok || !response.body) throw new Error(`GET ${spec.url} answered ${response.status} ${response.statusText}`);
    const hash = createHash('sha256');
    let bytes = 0;
    const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    await pipeline(body, createWriteStream(archive));
    const digest = hash.digest('hex');
    if (spec.bytes !== undefined && bytes !== spec.bytes) {
      throw new ArchiveVerificationError(
        `Refused ${spec.url}: got ${bytes} bytes, expected ${spec.bytes} (incomplete or different file). Nothing was unpacked; try again later.`,
      );
    }
    if (digest !== spec.sha256) {
      throw new ArchiveVerificationError(
        `Refused ${spec.url}: sha256 ${digest} does not match the expected ${spec.sha256} (corrupted or tampered download). Nothing was unpacked.`,
      );
    }
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    await $({ quiet: true })`tar -xzf ${archive} -C ${staging}`;
    if (!existsSync(join(staging, spec.folder))) {
      throw new ArchiveVerificationError(`The archive from ${spec.url} verified but does not contain the folder ${spec.folder}.`);
    }
    rmSync(target, { recursive: true, force: true });
    renameSync(join(staging, spec.folder), target);
    writeFileSync(marker, `${spec.sha256}\n`);
    log(`[data] unpacked ${target}`);
    return target;
  } finally {
    rmSync(archive, { force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}
