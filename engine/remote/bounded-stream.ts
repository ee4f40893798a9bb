// Reading from a remote with the size it declared as a hard limit: a blob the manifest lists at
// 10 bytes is cut off at byte 11, an endless body is stopped at once, and a manifest larger than
// any real one is refused before it is buffered.
import { createWriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IntegrityError } from './remote-errors.ts';

/** Far above any real manifest (100,000 files is about 15 MB); what is larger is refused. */
export const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;
/** Signatures are a few hundred bytes. */
export const MAX_SIGNATURE_BYTES = 4096;

/** Passes at most `limit` bytes; one more fails the stream with an IntegrityError. */
export function byteLimit(limit: number, what: string, onBytes?: (n: number) => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > limit) return cb(new IntegrityError(`${what} is larger than the ${limit} bytes declared for it`));
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
  });
}

/** Stream `source` into a file that must not exist yet (never overwrites), at most `limit` bytes. */
export async function streamToNewFile(
  source: Readable,
  dest: string,
  limit: number,
  what: string,
  onBytes?: (n: number) => void,
): Promise<void> {
  await pipeline(source, byteLimit(limit, what, onBytes), createWriteStream(dest, { flags: 'wx', mode: 0o644 }));
}

/** The whole of `source`, refused if longer than `limit`. */
export async function readLimited(source: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(source, byteLimit(limit, what), new Transform({ transform: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
  return Buffer.concat(chunks);
}

/** Counts bytes as they pass (progress reports). */
export function counter(onBytes?: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
  });
}
