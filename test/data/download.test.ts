import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCifar } from '../../data/real/cifar-binary.ts';
import { downloadAndUnpack } from '../../data/real/download-archive.ts';
import { withTempDir } from './helpers.ts';

/** A tiny CIFAR-10-shaped archive (2 test images), made with tar like the official one. */
function tinyCifarArchive(dir: string): Buffer {
  const folder = join(dir, 'src', 'cifar-10-batches-bin');
  mkdirSync(folder, { recursive: true });
  const rec = new Uint8Array(2 * 3073);
  rec[0] = 3;
  rec[3073] = 7;
  writeFileSync(join(folder, 'test_batch.bin'), rec);
  writeFileSync(join(folder, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n');
  const archive = join(dir, 'tiny.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', join(dir, 'src'), 'cifar-10-batches-bin']);
  return readFileSync(archive);
}

async function serve(routes: Record<string, Buffer>): Promise<{ server: Server; base: string; hits: Map<string, number> }> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const body = routes[req.url ?? ''];
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

test('the downloader fetches, verifies sha256, unpacks, and does nothing the second time', () =>
  withTempDir(async (dir) => {
    const archive = tinyCifarArchive(dir);
    const sha256 = createHash('sha256').update(archive).digest('hex');
    const { server, base, hits } = await serve({ '/cifar-10-binary.tar.gz': archive });
    try {
      const dest = join(dir, 'data');
      const spec = { url: `${base}/cifar-10-binary.tar.gz`, sha256, bytes: archive.length, folder: 'cifar-10-batches-bin' };
      const folder = await downloadAndUnpack(spec, dest);
      assert.equal(folder, join(dest, 'cifar-10-batches-bin'));
      const ds = loadCifar({ dir: dest, variant: 'cifar10', split: 'test' });
      assert.deepEqual(Array.from(ds.labels), [3, 7]);
      assert.equal(await downloadAndUnpack(spec, dest), folder);
      assert.equal(hits.get('/cifar-10-binary.tar.gz'), 1, 'second call must not download again');
      assert.deepEqual(readdirSync(dest).sort(), ['.cifar-10-batches-bin.sha256', 'cifar-10-batches-bin'], 'no temporary files left');
    } finally {
      server.close();
    }
  }));

test('a corrupted archive is refused and nothing is unpacked', () =>
  withTempDir(async (dir) => {
    const archive = tinyCifarArchive(dir);
    const sha256 = createHash('sha256').update(archive).digest('hex');
    const corrupted = Buffer.from(archive);
    corrupted[corrupted.length >> 1]! ^= 0xff;
    const { server, base } = await serve({ '/a.tar.gz': corrupted, '/short.tar.gz': archive.subarray(0, 100) });
    try {
      const dest = join(dir, 'data');
      await assert.rejects(
        downloadAndUnpack({ url: `${base}/a.tar.gz`, sha256, folder: 'cifar-10-batches-bin' }, dest),
        /Refused .*a\.tar\.gz: sha256 [0-9a-f]{64} does not match the expected/,
      );
      assert.ok(!existsSync(join(dest, 'cifar-10-batches-bin')));
      assert.deepEqual(readdirSync(dest), [], 'the refused download is deleted');
      await assert.rejects(
        downloadAndUnpack({ url: `${base}/short.tar.gz`, sha256, bytes: archive.length, folder: 'cifar-10-batches-bin' }, dest),
        /got 100 bytes, expected \d+/,
      );
      await assert.rejects(downloadAndUnpack({ url: `${base}/missing.tar.gz`, sha256, folder: 'x' }, dest), /answered 404/);
    } finally {
      server.close();
    }
  }));
