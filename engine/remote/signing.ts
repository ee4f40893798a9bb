// Signed manifests: who may put results in a shared cache. A manifest's digests prove only that
// its files are the ones it lists; whoever can write to the remote could list any files for a
// fingerprint. With a key configured, every pushed manifest gets a signature over the fingerprint
// and the manifest's exact bytes (which name every output file and its sha256), and pulls verify it
// before anything is downloaded, as Turborepo does for its artifacts.
//   hmac-sha256: one shared secret (from an environment variable) signs and verifies.
//   ed25519:     builders hold the private key; every reader only needs the public key.
// The signature is stored as an ordinary action-cache entry under a key derived from the
// fingerprint and the manifest, so any Bazel-style cache server holds it unchanged.
import { createHmac, createPrivateKey, createPublicKey, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import { sha256 } from '../digest.ts';

export const SigningConfig = z.strictObject({
  algorithm: z.enum(['hmac-sha256', 'ed25519']),
  /** hmac-sha256: the variable holding the secret. ed25519: the variable holding the PEM private key (builders only). */
  keyEnv: z.string().min(1).optional(),
  /** ed25519: PEM public key file that verifies pulls (relative to the project root) */
  publicKeyFile: z.string().min(1).optional(),
  /** what to do with an entry that has no signature: refuse it (the default) or use it anyway */
  unsigned: z.enum(['refuse', 'accept']).default('refuse'),
});
export type SigningConfig = z.infer<typeof SigningConfig>;

export const Signature = z.strictObject({
  version: z.literal(1),
  algorithm: z.enum(['hmac-sha256', 'ed25519']),
  fingerprint: z.string(),
  manifestSha256: z.string(),
  signature: z.string().max(1024),
});

export interface ManifestSigner {
  readonly algorithm: SigningConfig['algorithm'];
  readonly refuseUnsigned: boolean;
  /** undefined when this machine holds no signing key (it may still verify) */
  sign(fp: string, manifest: Buffer): Buffer | undefined;
  /** why the signature does not vouch for this manifest, or undefined if it does */
  problem(fp: string, manifest: Buffer, signature: Buffer): string | undefined;
}

/**
 * The action-cache key of the signature of one manifest: derived from the fingerprint AND the
 * manifest's bytes, so two builders pushing the same fingerprint at once each leave a matching pair.
 */
export function signatureKey(fp: string, manifest: Buffer): string {
  return sha256(`what-transfers manifest signature v1\n${fp}\n${sha256(manifest)}`);
}

const message = (fp: string, manifest: Buffer) => Buffer.from(`what-transfers manifest v1\n${fp}\n${sha256(manifest)}`);

export function openSigner(remote: string, config: SigningConfig, resolvePath: (p: string) => string): ManifestSigner {
  const secret = config.keyEnv ? process.env[config.keyEnv] : undefined;
  if (config.algorithm === 'hmac-sha256') {
    if (!config.keyEnv)
      throw new UsageError(
        `Remote "${remote}": signing with hmac-sha256 needs "keyEnv", the environment variable holding the shared secret.`,
      );
    if (!secret)
      throw new UsageError(
        `Remote "${remote}" verifies signed entries, but the environment variable ${config.keyEnv} (its hmac-sha256 key) is not set. Set it, or remove "signing" from the remote in what-transfers.config.json.`,
      );
    const mac = (fp: string, m: Buffer) => createHmac('sha256', secret).update(message(fp, m)).digest();
    return makeSigner(
      config,
      (fp, m) => mac(fp, m),
      (fp, m, sig) => sig.length === 32 && timingSafeEqual(sig, mac(fp, m)),
    );
  }
  if (!config.publicKeyFile)
    throw new UsageError(`Remote "${remote}": signing with ed25519 needs "publicKeyFile", the PEM public key that verifies entries.`);
  const publicFile = resolvePath(config.publicKeyFile);
  const publicKey = parseKey(remote, publicFile, () => createPublicKey(readFileSync(publicFile, 'utf8')));
  const privateKey = secret ? parseKey(remote, `the private key in $${config.keyEnv}`, () => createPrivateKey(secret)) : undefined;
  return makeSigner(config, privateKey ? (fp, m) => sign(null, message(fp, m), privateKey) : undefined, (fp, m, sig) =>
    verify(null, message(fp, m), publicKey, sig),
  );
}

function makeSigner(
  config: SigningConfig,
  mac: ((fp: string, m: Buffer) => Buffer) | undefined,
  check: (fp: string, m: Buffer, sig: Buffer) => boolean,
): ManifestSigner {
  return {
    algorithm: config.algorithm,
    refuseUnsigned: config.unsigned === 'refuse',
    sign(fp, manifest) {
      if (!mac) return undefined;
      const body = {
        version: 1,
        algorithm: config.algorithm,
        fingerprint: fp,
        manifestSha256: sha256(manifest),
        signature: mac(fp, manifest).toString('base64'),
      };
      return Buffer.from(JSON.stringify(body));
    },
    problem(fp, manifest, bytes) {
      let parsed: ReturnType<typeof Signature.safeParse>;
      try {
        parsed = Signature.safeParse(JSON.parse(bytes.toString('utf8')));
      } catch {
        return 'its signature record is not JSON';
      }
      if (!parsed.success) return 'its signature record is malformed';
      const s = parsed.data;
      if (s.algorithm !== config.algorithm) return `it is signed with ${s.algorithm}, this remote is configured for ${config.algorithm}`;
      if (s.fingerprint !== fp || s.manifestSha256 !== sha256(manifest)) return 'its signature is for another manifest';
      return check(fp, manifest, Buffer.from(s.signature, 'base64'))
        ? undefined
        : `its ${config.algorithm} signature does not verify with the configured key`;
    },
  };
}

function parseKey(remote: string, what: string, parse: () => KeyObject): KeyObject {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(
      `Remote "${remote}": cannot read ${what} (${(err as Error).message}). It must be a PEM ed25519 key (e.g. made with \`openssl genpkey -algorithm ed25519\`).`,
    );
  }
}
