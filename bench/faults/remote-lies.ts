// Fault rows for a remote that lies (classes 1–3 of the trust review):
//   traversal   a manifest whose file names (or log path) try to leave the entry
//   refused     an honest remote with one flipped byte in one blob: that entry is rebuilt, the
//               rest of the build goes on (it used to fail 5 unrelated stages)
//   unsigned    with signing on, an entry substituted by someone who can write to the remote
// Each trial runs the real CLI on a fresh store against the lying remote and counts a trial as
// detected if the refusal names the entry, recovered if the build succeeded with the entry
// built locally to the reference digest.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../engine/digest.ts';
import { outputDigestOf } from '../../engine/manifest.ts';
import { openSigner, signatureKey } from '../../engine/remote/signing.ts';
import { ESCAPES } from '../../test/support/forged-remote.ts';
import type { Campaign, Row } from '../faults.ts';
import { entryOf, honestRemote, labConfig, rowOf, trials } from './remote-fixture.ts';

const VICTIM = 'dataset/real';
const DATASETS = ['dataset/source', 'dataset/real', 'dataset/quickdraw'];

type Bent = { outputs: { digest: string; files: { path: string; sha256: string; size: number }[] }; log: { path: string } };

function forge(remote: string, fp: string, bend: (m: Bent) => void): void {
  const path = join(remote, 'ac', fp);
  const m = JSON.parse(readFileSync(path, 'utf8')) as Bent;
  bend(m);
  m.outputs.digest = outputDigestOf(m.outputs.files);
  writeFileSync(path, JSON.stringify(m));
}

/** Build the datasets against the remote; did it refuse the victim and rebuild it to the reference? */
async function datasetsTrial(c: Campaign, store: string, config: string, referenceDigest: string, refusal: RegExp) {
  const r = await c.run(['datasets', '--store', store, '--remote', 'lab', '--remote-read-only', '--json'], {
    WT_CONFIG: config,
    WT_TEST_HMAC: 'campaign secret',
  });
  const victim = (JSON.parse(r.stdout || '{"outcomes":[]}') as { outcomes: { id: string; outcome: string }[] }).outcomes.find(
    (o) => o.id === VICTIM,
  );
  const digest = c.digests(store);
  return {
    detected: refusal.test(r.stderr),
    recovered: r.code === 0 && victim?.outcome === 'built',
    identical: [...digest.values()].includes(referenceDigest),
    ...(r.code !== 0 ? { note: `exit ${r.code}: ${r.stderr.split('\n').filter(Boolean).slice(-1)[0]?.slice(0, 100)}` } : {}),
  };
}

export async function traversalRow(c: Campaign, referenceStore: string, sandbox: string, quick: boolean): Promise<Row> {
  mkdirSync(sandbox, { recursive: true });
  const canary = join(sandbox, 'checkout', 'pipeline.ts');
  mkdirSync(join(canary, '..'), { recursive: true });
  writeFileSync(canary, "// the user's code\n");
  const victim = entryOf(referenceStore, VICTIM);
  const remote = join(sandbox, 'remote');
  const config = labConfig(sandbox, { type: 'directory', path: remote });
  const kinds = quick ? ESCAPES.filter((e) => ['dot-dot', 'absolute', 'log path', 'duplicate path'].includes(e.name)) : ESCAPES;
  // From <store>/staging/<entry>/out/, four levels up is the sandbox.
  const target = { absolute: canary, relative: '../../../../checkout/pipeline.ts' };
  const r = await trials(
    sandbox,
    kinds.map((k) => k.name),
    async (name, store) => {
      honestRemote(remote, referenceStore, DATASETS);
      forge(remote, victim.fp, (m) => ESCAPES.find((e) => e.name === name)!.bend(m as never, target));
      return datasetsTrial(c, store, config, victim.manifest.outputs.digest, new RegExp(`ac/${victim.fp}.*was refused`));
    },
  );
  return rowOf(
    `forged manifest: output path escapes the entry (${kinds.length} kinds)`,
    kinds.map((k) => k.name),
    r,
    'the refused entry is built locally',
  );
}

export async function unsignedRow(c: Campaign, referenceStore: string, sandbox: string): Promise<Row> {
  mkdirSync(sandbox, { recursive: true });
  const victim = entryOf(referenceStore, VICTIM);
  const remote = join(sandbox, 'remote');
  const config = labConfig(sandbox, { type: 'directory', path: remote, signing: { algorithm: 'hmac-sha256', keyEnv: 'WT_TEST_HMAC' } });
  const substitute = (m: Bent) => {
    const f = m.outputs.files[0]!;
    const evil = Buffer.from('substituted result');
    writeFileSync(join(remote, 'cas', sha256(evil)), evil);
    Object.assign(f, { sha256: sha256(evil), size: evil.length });
  };
  const signWith = (key: string) => signEntry(remote, victim.fp, key);
  const cases: Record<string, () => void> = {
    'substituted output, unsigned': () => forge(remote, victim.fp, substitute),
    'substituted output, signed with another key': () => (forge(remote, victim.fp, substitute), signWith('not the lab key')),
    'honest signature moved to a substituted manifest': () => {
      signWith('campaign secret');
      const honest = readFileSync(join(remote, 'ac', victim.fp));
      forge(remote, victim.fp, substitute);
      const forged = readFileSync(join(remote, 'ac', victim.fp));
      writeFileSync(join(remote, 'ac', signatureKey(victim.fp, forged)), readFileSync(join(remote, 'ac', signatureKey(victim.fp, honest))));
    },
  };
  const refusals: Record<string, RegExp> = {
    'substituted output, unsigned': /it is not signed, and this remote requires hmac-sha256/,
    'substituted output, signed with another key': /signature does not verify with the configured key/,
    'honest signature moved to a substituted manifest': /its signature is for another manifest/,
  };
  const names = Object.keys(cases);
  const r = await trials(sandbox, names, async (name, store) => {
    honestRemote(remote, referenceStore, DATASETS);
    for (const id of DATASETS.filter((d) => d !== VICTIM)) signEntry(remote, entryOf(referenceStore, id).fp, 'campaign secret');
    cases[name]!();
    return datasetsTrial(c, store, config, victim.manifest.outputs.digest, refusals[name]!);
  });
  return rowOf('remote entry substituted by someone who can write to it (signing on)', names, r, 'the refused entry is built locally');
}

/** What `cache push` with the key does: a signature record beside the manifest. */
function signEntry(remote: string, fp: string, key: string): void {
  process.env.WT_CAMPAIGN_SIGNING_KEY = key;
  const signer = openSigner('lab', { algorithm: 'hmac-sha256', keyEnv: 'WT_CAMPAIGN_SIGNING_KEY', unsigned: 'refuse' }, (p) => p);
  const bytes = readFileSync(join(remote, 'ac', fp));
  writeFileSync(join(remote, 'ac', signatureKey(fp, bytes)), signer.sign(fp, bytes)!);
}

export async function refusedBlobRow(
  c: Campaign,
  referenceStore: string,
  reference: Map<string, string>,
  sandbox: string,
  quick: boolean,
): Promise<Row> {
  mkdirSync(sandbox, { recursive: true });
  const remote = join(sandbox, 'remote');
  const config = labConfig(sandbox, { type: 'directory', path: remote });
  const victims = quick ? ['dataset/source'] : DATASETS;
  const targets = quick ? ['figure-domains', 'pretrain', 'finetune/real,P-T,seed=0', 'finetune/real,RI-T,seed=0'] : ['figures'];
  const r = await trials(sandbox, victims, async (id, store) => {
    honestRemote(remote, referenceStore, DATASETS);
    const e = entryOf(referenceStore, id);
    const blob = join(remote, 'cas', [...e.manifest.outputs.files].sort((a, b) => b.size - a.size)[0]!.sha256);
    chmodSync(blob, 0o644);
    const bytes = readFileSync(blob);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 1;
    writeFileSync(blob, bytes);
    const run = await c.run([...targets, '--store', store, '--remote', 'lab', '--remote-read-only', '--json'], { WT_CONFIG: config });
    const outcomes = (JSON.parse(run.stdout || '{"outcomes":[]}') as { outcomes: { outcome: string }[] }).outcomes;
    const got = c.digests(store);
    return {
      detected: new RegExp(`cas/[0-9a-f]{64}\\) of entry ${e.fp.slice(0, 12)}.*does not match`).test(run.stderr),
      recovered: run.code === 0 && outcomes.length > 0 && outcomes.every((o) => o.outcome !== 'failed' && o.outcome !== 'skipped'),
      identical: [...got].every(([fp, d]) => reference.get(fp) === d),
      ...(run.code !== 0 ? { note: `exit ${run.code}, ${outcomes.filter((o) => o.outcome === 'failed').length} failed` } : {}),
    };
  });
  return rowOf(`honest remote, one flipped byte in one blob (${targets.join(' ')})`, victims, r, 'only the refused entry is rebuilt');
}
