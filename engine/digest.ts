// Digests are sha256 hex strings. Branded types keep the three kinds apart at compile time:
// a Fingerprint names an entry (what went IN), an OutputDigest summarises what came OUT, and
// a Sha256 is the hash of one file or blob.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type Sha256 = Brand<string, 'Sha256'>;
export type Fingerprint = Brand<string, 'Fingerprint'>;
export type OutputDigest = Brand<string, 'OutputDigest'>;

export const HEX64 = /^[0-9a-f]{64}$/;
export const isHex64 = (s: string): boolean => HEX64.test(s);

export function sha256(data: string | Uint8Array): Sha256 {
  return createHash('sha256').update(data).digest('hex') as Sha256;
}

export function sha256File(path: string): Promise<Sha256> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 22 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex') as Sha256));
  });
}

export const short = (digest: string): string => digest.slice(0, 12);
