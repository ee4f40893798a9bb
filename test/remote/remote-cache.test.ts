// The shared cache, end to end on the tiny profile: push a store to a real nginx (WebDAV PUT) and
// to a directory, wipe, pull, and the next build runs nothing; tampered files are refused; nginx
// stopped mid-pull leaves the local store consistent.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startNginx, type Nginx } from '../support/nginx.ts';
import { OUT, runPipeline, tinyStore } from '../support/tiny-project.ts';
import type { BuildSummary } from '../../engine/reporter.ts';

const TINY = ['--profile', 'tiny'];
const entryCount = (store: string) =>
  existsSync(join(store, 'entries'))
    ? readdirSync(join(store, 'entries')).flatMap((s) => readdirSync(join(store, 'entries', s))).length
    : 0;

function writeConfig(name: string, remotes: object): string {
  const path = join(OUT, `${name}.config.json`);
  writeFileSync(path, JSON.stringify({ remotes }));
  return path;
}

async function roundTrip(remoteName: string, config: string, work: string, sourceStore: string) {
  const env = { WT_CONFIG: config };
  const push = await runPipeline(['cache', 'push', 'figures', ...TINY, '--store', sourceStore, '--remote', remoteName], env);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /Pushed \d+ entries/);
  const fresh = join(work, 'store');
  const build = await runPipeline(['figures', ...TINY, '--store', fresh, '--remote', remoteName, '--json'], env);
  assert.equal(build.code, 0, build.stderr);
  const summary = JSON.parse(build.stdout) as BuildSummary;
  assert.equal(summary.outcomes.filter((o) => o.outcome === 'built').length, 0, 'nothing is built');
  assert.ok(summary.outcomes.every((o) => o.outcome === 'cached' && o.fromRemote));
  // Lazy: only the requested target (the report) came down, not every checkpoint.
  assert.equal(entryCount(fresh), 1);
  assert.ok(existsSync(join(work, 'report', 'tiny', 'index.html')));
  // A full pull, then a plain local build: zero stages run.
  const pull = await runPipeline(['cache', 'pull', 'figures', ...TINY, '--store', fresh, '--remote', remoteName], env);
  assert.equal(pull.code, 0, pull.stderr);
  const again = JSON.parse((await runPipeline(['figures', ...TINY, '--store', fresh, '--json'], env)).stdout) as BuildSummary;
  assert.ok(again.outcomes.every((o) => o.outcome === 'cached' && !o.fromRemote));
  assert.equal(entryCount(fresh), entryCount(sourceStore) > 0 ? again.outcomes.length : 0);
  assert.equal((await runPipeline(['verify', ...TINY, '--store', fresh])).code, 0);
}

/** Change one byte of the largest file in a cas/ folder. */
function tamper(cas: string): string {
  const files = readdirSync(cas)
    .map((f) => ({ f, size: readFileSync(join(cas, f)).length }))
    .sort((a, b) => b.size - a.size);
  const victim = join(cas, files[0]!.f);
  chmodSync(victim, 0o666);
  const bytes = readFileSync(victim);
  bytes[Math.floor(bytes.length / 2)] = bytes[Math.floor(bytes.length / 2)]! ^ 0xff;
  writeFileSync(victim, bytes);
  return files[0]!.f;
}

describe('remote cache', () => {
  let source: string;
  before(async () => {
    source = await tinyStore();
  });

  describe('HTTP (nginx WebDAV)', () => {
    let nginx: Nginx | undefined;
    let skip: string | undefined;
    const work = join(OUT, 'remote-http');
    before(async () => {
      rmSync(work, { recursive: true, force: true });
      mkdirSync(work, { recursive: true });
      const started = await startNginx({ limitRate: '200k' });
      if (typeof started === 'string') {
        skip = started;
        console.error(`\n!!! SKIPPING the nginx remote-cache tests: ${started} !!!\n`);
      } else nginx = started;
    });
    after(async () => {
      await nginx?.stop();
      rmSync(work, { recursive: true, force: true });
    });

    test('push, wipe, pull: the next build runs zero stages', async (t) => {
      if (skip) return t.skip(skip);
      const config = writeConfig('remote-http', { web: { type: 'http', url: `${nginx!.url}/wt` } });
      await roundTrip('web', config, work, source);
      assert.ok(readdirSync(join(nginx!.root, 'wt', 'ac')).length > 10);
    });

    test('a tampered file on the server is detected and refused', async (t) => {
      if (skip) return t.skip(skip);
      const config = writeConfig('remote-http', { web: { type: 'http', url: `${nginx!.url}/wt` } });
      const sha = tamper(join(nginx!.root, 'wt', 'cas'));
      const store = join(work, 'tampered-store');
      const pull = await runPipeline(['cache', 'pull', 'figures', ...TINY, '--store', store, '--remote', 'web'], { WT_CONFIG: config });
      assert.equal(pull.code, 1);
      assert.match(pull.stderr, new RegExp(`cas/${sha}.*does not match the sha256 its manifest lists`));
      assert.match(pull.stderr, /Not used; the entry is built locally instead/);
      assert.equal((await runPipeline(['verify', ...TINY, '--store', store])).code, 0, 'nothing corrupt entered the store');
      assert.ok(!readdirSync(join(store, 'staging')).length, 'no staging leftovers');
    });

    test('nginx stopped mid-pull leaves the local store consistent, and a later pull completes it', async (t) => {
      if (skip) return t.skip(skip);
      // a clean server copy, pushed again
      rmSync(join(nginx!.root, 'wt'), { recursive: true, force: true });
      const config = writeConfig('remote-http', { web: { type: 'http', url: `${nginx!.url}/wt`, timeoutSeconds: 2 } });
      assert.equal(
        (await runPipeline(['cache', 'push', 'figures', ...TINY, '--store', source, '--remote', 'web'], { WT_CONFIG: config })).code,
        0,
      );
      const store = join(work, 'interrupted-store');
      const pulling = runPipeline(['cache', 'pull', 'figures', ...TINY, '--store', store, '--remote', 'web'], { WT_CONFIG: config });
      await new Promise((r) => setTimeout(r, 1500));
      await nginx!.stop();
      const r = await pulling;
      assert.match(r.stderr, /Carrying on without remote "web"/);
      const got = entryCount(store);
      assert.ok(got < entryCount(source), `the pull was cut short (${got} entries)`);
      assert.equal((await runPipeline(['verify', ...TINY, '--store', store])).code, 0);
      assert.deepEqual(readdirSync(join(store, 'staging')), []);
      const restarted = await startNginx();
      if (typeof restarted === 'string') throw new Error(restarted);
      // serve the same files again
      rmSync(restarted.root, { recursive: true, force: true });
      (await import('node:fs')).cpSync(nginx!.root, restarted.root, { recursive: true });
      nginx = restarted;
      const config2 = writeConfig('remote-http', { web: { type: 'http', url: `${nginx.url}/wt` } });
      const resumed = await runPipeline(['cache', 'pull', 'figures', ...TINY, '--store', store, '--remote', 'web'], { WT_CONFIG: config2 });
      assert.equal(resumed.code, 0, resumed.stderr);
      const summary = JSON.parse((await runPipeline(['figures', ...TINY, '--store', store, '--json'])).stdout) as BuildSummary;
      assert.equal(summary.outcomes.filter((o) => o.outcome === 'built').length, 0);
    });
  });

  describe('directory', () => {
    const work = join(OUT, 'remote-dir');
    before(() => {
      rmSync(work, { recursive: true, force: true });
      mkdirSync(join(work, 'shared'), { recursive: true });
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    test('push, wipe, pull: the next build runs zero stages', async () => {
      const config = writeConfig('remote-dir', { nfs: { type: 'directory', path: join(work, 'shared') } });
      await roundTrip('nfs', config, work, source);
    });

    test('a tampered file is detected and refused', async () => {
      const config = writeConfig('remote-dir', { nfs: { type: 'directory', path: join(work, 'shared') } });
      tamper(join(work, 'shared', 'cas'));
      const store = join(work, 'tampered-store');
      const pull = await runPipeline(['cache', 'pull', 'figures', ...TINY, '--store', store, '--remote', 'nfs'], { WT_CONFIG: config });
      assert.equal(pull.code, 1);
      assert.match(pull.stderr, /does not match the sha256 its manifest lists/);
      assert.equal((await runPipeline(['verify', ...TINY, '--store', store])).code, 0);
    });

    test('a missing share is a warning, not a failure, unless --remote-required', async () => {
      const config = writeConfig('remote-dir', { gone: { type: 'directory', path: join(work, 'not-mounted') } });
      const store = join(work, 'empty-store');
      const ok = await runPipeline(['figures', ...TINY, '--store', store, '--remote', 'gone', '--dry-run'], { WT_CONFIG: config });
      assert.equal(ok.code, 0);
      assert.match(ok.stderr, /does not exist \(is the share mounted\?\).*Carrying on without remote/s);
      const required = await runPipeline(['figures', ...TINY, '--store', store, '--remote', 'gone', '--remote-required', '--dry-run'], {
        WT_CONFIG: config,
      });
      assert.equal(required.code, 1);
    });
  });
});
