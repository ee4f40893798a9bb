// Copying a store entry's output out of the store, checked on the way: never more bytes than its
// manifest declares (stopped as soon as it is longer), and the sha256 it records.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { byteLimit } from './remote/bounded-stream.ts';

export async function copyVerified(from: string, to: string, expected: { sha256: string; size: number }): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(from), byteLimit(expected.size, 'the file'), hashing, createWriteStream(to, { mode: 0o644 }));
  if (size !== expected.size || hash.digest('hex') !== expected.sha256) throw new Error('its bytes are not the ones its manifest records');
}
