// Digests are sha256 hex strings. Branded types keep the three kinds apart at compile time:
// a Fingerprint names an entry (what went IN), an OutputDigest summarises what came OUT, and
// a Sha256 is the hash of one file or blob. The brands are zod's, so a value parsed from a file
// (a manifest, a job, a lock file) comes out already branded; the functions below are the only
// places that make one from a computed hash.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { z } from 'zod';

export const HEX64 = /^[0-9a-f]{64}$/;
export const isHex64 = (s: string): boolean => HEX64.test(s);

/** a sha256 in hex, of no particular kind (code records, input sets); a regex check, not a refine: zod runs it inline, and a manifest holds one per code file */
export const Hex64 = z.string().regex(HEX64, 'not a sha256 hex digest');
export const Sha256Schema = Hex64.brand<'Sha256'>();
export const FingerprintSchema = Hex64.brand<'Fingerprint'>();
export const OutputDigestSchema = Hex64.brand<'OutputDigest'>();
export type Sha256 = z.output<typeof Sha256Schema>;
export type Fingerprint = z.output<typeof FingerprintSchema>;
export type OutputDigest = z.output<typeof OutputDigestSchema>;

/** A fingerprint read from a name (an entry folder, a pin): undefined when it is not one. */
export function asFingerprint(s: string): Fingerprint | undefined {
  return isHex64(s) ? (s as Fingerprint) : undefined;
}

/** The sha256 of `data` as a digest of one kind: the only place a computed hash gets its brand. */
export function digestAs<T extends Sha256 | Fingerprint | OutputDigest>(data: string | Uint8Array): T {
  return createHash('sha256').update(data).digest('hex') as T;
}

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
