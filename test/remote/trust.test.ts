// A remote is untrusted: forged file names, oversized or endless bodies, FIFOs, missing or forged
// signatures. Each is refused without writing outside the store, and honest entries still pull.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { Store } from '../../engine/store.ts';
import { DirectoryRemote } from '../../engine/remote/directory-remote.ts';
import { HttpRemote } from '../../engine/remote/http-remote.ts';
import { RemoteSession } from '../../engine/remote/remote-session.ts';
import { openSigner, type SigningConfig } from '../../engine/remote/signing.ts';
import { RemoteConfig } from '../../engine/runner-config.ts';
import { honestEntry, publish, traversalForgeries } from '../support/forged-remote.ts';
import { asFingerprint } from '../../engine/digest.ts';

const work = mkdtempSync(join(tmpdir(), 'wt-trust-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

function setup(opts: { signer?: SigningConfig; required?: boolean } = {}) {
  const dir = join(work, `case-${n++}`);
  const remoteDir = join(dir, 'remote');
  mkdirSync(remoteDir, { recursive: true });
  const store = new Store(join(dir, 'store')).init();
  const warnings: string[] = [];
  const signer = opts.signer ? openSigner('r', opts.signer, (p) => p) : undefined;
  const session = new RemoteSession(new DirectoryRemote('r', remoteDir, false, 2000), store, {
    required: !!opts.required,
    readOnly: false,
    warn: (m) => warnings.push(m),
    signer,
  });
  return { dir, remoteDir, store, session, warnings };
}

describe('forged manifests from a remote', () => {
  test('every kind of escaping file name is refused, nothing is written outside the store', async () => {
    const canary = join(work, 'canary', 'pipeline.ts');
    const forgeries = traversalForgeries(canary);
    assert.equal(forgeries.length, 12);
    for (const { name, entry } of forgeries) {
      const { remoteDir, store, session, warnings } = setup();
      publish(remoteDir, entry);
      assert.equal(await session.pull(entry.fingerprint), false, name);
      assert.deepEqual(session.stats.refused, [entry.fingerprint], name);
      assert.match(warnings.join('\n'), /was refused: it is not a valid manifest \((outputs\.files|log\.path)/, name);
      assert.equal(store.has(entry.fingerprint), false, name);
      assert.equal(existsSync(canary), false, `${name}: wrote ${canary}`);
      assert.equal(session.available, true, `${name}: a forged entry must not mark the remote down`);
    }
  });

  test('a local manifest with an escaping path is quarantined, not trusted', () => {
    const { store } = setup();
    const [forged] = traversalForgeries('/tmp/never');
    const dir = store.entryDir(forged!.entry.fingerprint);
    mkdirSync(join(dir, 'out'), { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(forged!.entry.manifest));
    const reports: string[] = [];
    assert.equal(
      store.readManifest(forged!.entry.fingerprint, (m) => reports.push(m)),
      undefined,
    );
    assert.equal(reports.length, 1);
    assert.match(reports[0]!, /output path .* is refused/);
  });

  test('an honest entry with two identical files pulls (one download, no shared .part name)', async () => {
    const { remoteDir, store, session } = setup();
    const same = Buffer.alloc(300_000, 7);
    const entry = honestEntry('twins', [
      { path: 'a.bin', bytes: same },
      { path: 'sub/b.bin', bytes: same },
    ]);
    publish(remoteDir, entry);
    assert.equal(await session.pull(entry.fingerprint), true);
    assert.deepEqual(
      store.readManifest(entry.fingerprint)?.outputs.files.map((f) => f.path),
      ['a.bin', 'sub/b.bin'],
    );
    assert.equal(session.stats.bytesDown, 300_000 + entry.manifest.log.size);
    assert.deepEqual(readdirSync(join(store.cacheDir, 'blobs')), []);
  });
});

describe('concurrent pulls', () => {
  test('entries sharing a file, and the same entry twice, pulled at once: all succeed, the remote stays up', async () => {
    const { remoteDir, store, session } = setup();
    const shared = Buffer.alloc(200_000, 9);
    const entries = [0, 1, 2, 3].map((i) => honestEntry(`shared-${i}`, [{ path: 'shared.bin', bytes: shared }], ''));
    assert.equal(entries.length, 4);
    for (const e of entries) publish(remoteDir, e);
    const fps = [...entries.map((e) => e.fingerprint), entries[0]!.fingerprint];
    assert.deepEqual(await Promise.all(fps.map((fp) => session.pull(fp))), [true, true, true, true, true]);
    assert.equal(session.available, true);
    for (const e of entries) assert.equal(store.readManifest(e.fingerprint)?.outputs.digest, e.manifest.outputs.digest);
  });
});

describe('sizes are enforced while streaming', () => {
  test('a blob longer than its manifest declares is cut off and refused', async () => {
    const { remoteDir, store, session, warnings } = setup();
    const entry = honestEntry('big', [{ path: 'x.bin', bytes: Buffer.from('0123456789') }]);
    publish(remoteDir, entry);
    const [sha] = [...entry.blobs.keys()];
    writeFileSync(join(remoteDir, 'cas', sha!), Buffer.alloc(20_000_000, 1));
    assert.equal(await session.pull(entry.fingerprint), false);
    assert.match(warnings.join('\n'), /larger than the 10 bytes declared/);
    assert.equal(store.has(entry.fingerprint), false);
    assert.deepEqual(
      readdirSync(join(store.cacheDir, 'blobs')).filter((f) => f.includes('.part')),
      [],
      'no partial download is left',
    );
    assert.equal(session.available, true);
  });

  test('a FIFO at ac/<fp> does not hang the lookup', async () => {
    const { remoteDir, session, warnings } = setup();
    mkdirSync(join(remoteDir, 'ac'));
    const fp = asFingerprint('ab'.repeat(32))!;
    execFileSync('mkfifo', [join(remoteDir, 'ac', fp)]);
    const t0 = performance.now();
    assert.equal(await session.lookup(fp), undefined);
    assert.ok(performance.now() - t0 < 5000);
    assert.match(warnings.join('\n'), /not a regular file/);
  });
});

describe('HTTP remote: idle timeout, size limits', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => (s.closeAllConnections(), s.close())));
  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }
  const remote = (url: string, timeoutSeconds: number) =>
    new HttpRemote('h', RemoteConfig.parse({ type: 'http', url, timeoutSeconds }) as never);

  test('an endless body is stopped at the declared size', async () => {
    let sent = 0;
    const url = await serve((_req, res) => {
      const push = () => {
        while (res.write(Buffer.alloc(65536))) sent += 65536;
        res.once('drain', push);
      };
      push();
    });
    const dest = join(work, 'endless.part');
    await assert.rejects(remote(url, 5).getBlob('ab'.repeat(32), dest, 10), /larger than the 10 bytes declared/);
    assert.ok(sent < 50_000_000, `server got to send ${sent} bytes`);
  });

  test('a slow but steady transfer is not cut by the timeout; a stalled one is', async () => {
    const url = await serve((req, res) => {
      let chunks = req.url!.includes('stall') ? 1 : 6;
      const tick = () => {
        if (chunks-- === 0) return req.url!.includes('stall') ? undefined : res.end();
        res.write(Buffer.alloc(100_000));
        setTimeout(tick, 400);
      };
      tick();
    });
    const t0 = performance.now();
    await remote(url, 1).getBlob('steady', join(work, 'steady.part'), 600_000);
    assert.ok(performance.now() - t0 > 2000, 'the transfer took longer than the 1 s timeout');
    await assert.rejects(remote(url, 1).getBlob('stall', join(work, 'stall.part'), 600_000), /nothing happened for 1 s/);
  });

  test('an oversized manifest is refused before it is buffered', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(400 * 1024 * 1024) });
      res.write(Buffer.alloc(1024));
    });
    await assert.rejects(remote(url, 5).getManifest('ab'.repeat(32), 1024 * 1024), /more than the 1048576 allowed/);
  });

  test('credentials in the URL are never printed, and a token over http:// is warned about', () => {
    process.env.WT_TEST_TOKEN = 'sekrit';
    const r = new HttpRemote(
      'h',
      RemoteConfig.parse({ type: 'http', url: 'http://user:pass@cache.example:8080/x?token=abc', tokenEnv: 'WT_TEST_TOKEN' }) as never,
    );
    assert.equal(r.warnings!.length, 2);
    assert.doesNotMatch(r.warnings!.join('\n') + r.where, /pass|abc|sekrit/);
    assert.match(r.warnings!.join('\n'), /plain http:\/\//);
  });
});

describe('signed manifests', () => {
  process.env.WT_TEST_HMAC = 'a shared secret';
  const hmac: SigningConfig = { algorithm: 'hmac-sha256', keyEnv: 'WT_TEST_HMAC', unsigned: 'refuse' };

  test('hmac: a pushed entry verifies on pull; an unsigned or re-signed-with-another-key one is refused', async () => {
    const a = setup({ signer: hmac });
    const entry = honestEntry('signed', [{ path: 'x.txt', bytes: Buffer.from('result') }]);
    // Commit it locally through a first session, push it signed.
    publish(join(a.dir, 'plain'), entry);
    const plain = new RemoteSession(new DirectoryRemote('p', join(a.dir, 'plain'), false), a.store, {
      required: false,
      readOnly: false,
      warn: () => {},
    });
    assert.equal(await plain.pull(entry.fingerprint), true);
    assert.equal(await a.session.pushNow(entry.fingerprint), true);
    const b = new Store(join(a.dir, 'store-b')).init();
    const reader = new RemoteSession(new DirectoryRemote('r', a.remoteDir, false), b, {
      required: false,
      readOnly: true,
      warn: () => {},
      signer: openSigner('r', hmac, (p) => p),
    });
    assert.equal(await reader.pull(entry.fingerprint), true);

    const forged = honestEntry('unsigned', [{ path: 'x.txt', bytes: Buffer.from('evil') }]);
    publish(a.remoteDir, forged);
    const warnings: string[] = [];
    const c = new RemoteSession(new DirectoryRemote('r', a.remoteDir, false), new Store(join(a.dir, 'store-c')).init(), {
      required: false,
      readOnly: true,
      warn: (m) => warnings.push(m),
      signer: openSigner('r', hmac, (p) => p),
    });
    assert.equal(await c.pull(forged.fingerprint), false);
    assert.match(warnings.join('\n'), /it is not signed, and this remote requires hmac-sha256 signatures/);

    process.env.WT_TEST_HMAC_OTHER = 'another secret';
    const other = openSigner('r', { ...hmac, keyEnv: 'WT_TEST_HMAC_OTHER' }, (p) => p);
    const resigned = honestEntry('other-key', [{ path: 'x.txt', bytes: Buffer.from('evil') }]);
    const bytes = publish(a.remoteDir, resigned);
    const { signatureKey } = await import('../../engine/remote/signing.ts');
    writeFileSync(join(a.remoteDir, 'ac', signatureKey(resigned.fingerprint, bytes)), other.sign(resigned.fingerprint, bytes)!);
    assert.equal(await c.pull(resigned.fingerprint), false);
    assert.match(warnings.join('\n'), /signature does not verify with the configured key/);
  });

  test('ed25519: readers need only the public key; a machine without the private key does not push', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pub = join(work, 'pub.pem');
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    process.env.WT_TEST_ED = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const writer = openSigner('r', { algorithm: 'ed25519', keyEnv: 'WT_TEST_ED', publicKeyFile: pub, unsigned: 'refuse' }, (p) => p);
    const reader = openSigner('r', { algorithm: 'ed25519', publicKeyFile: pub, unsigned: 'refuse' }, (p) => p);
    const m = Buffer.from('{"a":1}');
    const sig = writer.sign('f'.repeat(64), m)!;
    assert.equal(reader.problem('f'.repeat(64), m, sig), undefined);
    assert.match(reader.problem('f'.repeat(64), Buffer.from('{"a":2}'), sig)!, /another manifest/);
    assert.equal(reader.sign('f'.repeat(64), m), undefined);
  });
});
