// What a manifest from a remote must pass before anything it names is fetched. Each check says in
// its refusal exactly what failed, and nothing more: a manifest that passes is well-formed, names
// this fingerprint, hashes to it, lists only safe file names, and (with signing) is signed.
import { errorMessage } from '../errors.ts';
import { fingerprintOf, type InputRecord } from '../fingerprint.ts';
import { Manifest, outputDigestOf } from '../manifest.ts';
import type { ManifestSigner } from './signing.ts';
import { zodIssuesInline } from '../zod-errors.ts';

export type ManifestVerdict = { ok: true; manifest: Manifest } | { ok: false; problem: string };

export function checkManifest(fp: string, bytes: Buffer): ManifestVerdict {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return { ok: false, problem: `it is not JSON (${errorMessage(err)})` };
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    return { ok: false, problem: `it is not a valid manifest (${zodIssuesInline(parsed.error, 1)})` };
  }
  const m = parsed.data;
  if (m.fingerprint !== fp) return { ok: false, problem: `it names fingerprint ${m.fingerprint}` };
  if (fingerprintOf(m.record as InputRecord) !== fp) return { ok: false, problem: 'its input record does not hash to its fingerprint' };
  if (outputDigestOf(m.outputs.files) !== m.outputs.digest) return { ok: false, problem: 'its output digest does not match its file list' };
  const sizes = new Map<string, number>();
  for (const f of [...m.outputs.files, m.log]) {
    if ((sizes.get(f.sha256) ?? f.size) !== f.size) return { ok: false, problem: `it lists cas/${f.sha256} with two different sizes` };
    sizes.set(f.sha256, f.size);
  }
  return { ok: true, manifest: m };
}

/** Why the signature (or its absence) does not let the manifest in, or undefined if it does. */
export function signatureProblem(
  signer: ManifestSigner | undefined,
  fp: string,
  manifest: Buffer,
  signature: Buffer | undefined,
): string | undefined {
  if (!signer) return undefined;
  if (!signature)
    return signer.refuseUnsigned
      ? `it is not signed, and this remote requires ${signer.algorithm} signatures (set "unsigned": "accept" under "signing" to allow unsigned entries)`
      : undefined;
  return signer.problem(fp, manifest, signature);
}
