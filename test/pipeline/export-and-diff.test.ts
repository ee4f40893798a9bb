// The researcher's way out of the store: `export` copies instances' outputs into a folder (from
// the remote when the local store lacks them), and `diff` says which results changed since a git
// revision's lock file. The diff test builds tiny, changes one fine-tuning param, rebuilds, and
// checks that `diff HEAD` reports exactly the results whose entries changed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ResultsDiff } from '../../engine/results-diff.ts';
import { ExportManifest } from '../../engine/export-entries.ts';
import { headlineResults } from '../../experiment/headline-results.ts';
import { copyStore, OUT, runPipeline, tinyStore } from '../support/tiny-project.ts';

const tag = Math.random().toString(36).slice(2, 8);
const work = join(OUT, `export-diff-${tag}`);
const locks = join(work, 'locks');
const NAME = ['--profile', 'tiny', '--name', 'tiny-diff'];
let store: string;
const run = (args: string[], env: Record<string, string> = {}) =>
  runPipeline([...args, ...NAME, '--store', store], { WT_LOCK_DIR: locks, ...env });
const git = (...args: string[]) => execFileSync('git', ['-C', locks, ...args], { encoding: 'utf8' });
type Lock = { instances: Record<string, { stage: string; fingerprint: string; outputs: { digest: string } }> };
const lockFile = (text = readFileSync(join(locks, 'tiny-diff.lock.json'), 'utf8')) => JSON.parse(text) as Lock;
const entryOut = (fp: string) => join(store, 'entries', fp.slice(0, 2), fp, 'out');

before(async () => {
  store = copyStore(await tinyStore(), `export-diff-${tag}/store`);
  mkdirSync(locks, { recursive: true });
  git('init', '-q');
  const built = await run(['figures', '-q']);
  assert.equal(built.code, 0, built.stderr);
  git('add', 'tiny-diff.lock.json');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'tiny');
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('export', () => {
  test('copies the named instances with export.json saying where each came from, and refuses a non-empty folder', async () => {
    const dest = join(work, 'exported');
    const r = await run(['export', 'tables', 'finetune/real,P-T,seed=0', dest]);
    assert.equal(r.code, 0, r.stderr);
    const manifest = ExportManifest.parse(JSON.parse(readFileSync(join(dest, 'export.json'), 'utf8')));
    assert.deepEqual(manifest.entries.map((e) => e.instance).sort(), ['finetune/real,P-T,seed=0', 'tables']);
    for (const e of manifest.entries) assert.deepEqual(e.origin, { from: 'local', store });
    const tex = readFileSync(join(dest, 'tables', 'table2-distance.tex'), 'utf8');
    assert.match(tex, /\\toprule[\s\S]*\\bottomrule/);
    assert.ok(existsSync(join(dest, 'finetune', 'real,P-T,seed=0', 'run.json')));
    const again = await run(['export', 'tables', dest]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /is not empty; .*--force/);
    const forgot = await run(['export', 'tables', 'finetune']);
    assert.equal(forgot.code, 2);
    assert.match(forgot.stderr, /"finetune" is a target/);
  });

  test("--force replaces the instances exported again and keeps the rest, and the user's own files", async () => {
    const dest = join(work, 'forced');
    assert.equal((await run(['export', 'tables', 'pretrain', dest])).code, 0);
    writeFileSync(join(dest, 'notes.txt'), 'mine');
    const stale = join(dest, 'tables', 'table1-cka.csv');
    writeFileSync(stale, 'edited');
    const r = await run(['export', 'tables', dest, '--force']);
    assert.equal(r.code, 0, r.stderr);
    const manifest = ExportManifest.parse(JSON.parse(readFileSync(join(dest, 'export.json'), 'utf8')));
    assert.deepEqual(manifest.entries.map((e) => e.instance).sort(), ['pretrain', 'tables']);
    assert.ok(existsSync(join(dest, 'pretrain', 'run.json')), 'the instance not exported again is kept');
    assert.equal(readFileSync(join(dest, 'notes.txt'), 'utf8'), 'mine');
    assert.notEqual(readFileSync(stale, 'utf8'), 'edited');
  });

  test('pulls what the local store lacks from the remote, and says so', async () => {
    const remoteDir = join(work, 'remote');
    const config = join(work, 'remote.config.json');
    mkdirSync(remoteDir);
    writeFileSync(config, JSON.stringify({ remotes: { shared: { type: 'directory', path: remoteDir } } }));
    const env = { WT_CONFIG: config };
    const pushed = await run(['cache', 'push', 'tables', '--remote', 'shared', '-q'], env);
    assert.equal(pushed.code, 0, pushed.stdout + pushed.stderr);
    const fp = lockFile().instances.tables!.fingerprint;
    const entry = join(store, 'entries', fp.slice(0, 2), fp);
    chmodSync(join(entry, 'out'), 0o755);
    rmSync(entry, { recursive: true, force: true });
    const dest = join(work, 'pulled');
    const r = await run(['export', 'tables', dest, '--remote', 'shared'], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const manifest = ExportManifest.parse(JSON.parse(readFileSync(join(dest, 'export.json'), 'utf8')));
    assert.equal(manifest.entries.length, 1);
    assert.equal(manifest.entries[0]!.origin.from, 'remote');
  });
});

describe('diff', () => {
  let diff: ResultsDiff;
  let baseLock: Lock;
  let now: Lock;
  before(async () => {
    baseLock = lockFile(git('show', 'HEAD:./tiny-diff.lock.json'));
    const rebuilt = await run(['figures', '-q', '--set', 'finetune.lrRIT=0.04', '--force-name']);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    now = lockFile();
    const r = await run(['diff', 'HEAD', '--json']);
    assert.equal(r.code, 0, r.stderr);
    diff = JSON.parse(r.stdout) as ResultsDiff;
  });

  test('reports the results of exactly the instances whose outputs changed', () => {
    // an lr-variant's id names its lr, so the P-T run at the RI-T lr is one instance gone and one new
    const ids = [...new Set([...Object.keys(baseLock.instances), ...Object.keys(now.instances)])];
    const stage = (id: string) => (now.instances[id] ?? baseLock.instances[id])!.stage;
    const changed = ids.filter(
      (id) => headlineResults.stages.includes(stage(id)) && baseLock.instances[id]?.outputs.digest !== now.instances[id]?.outputs.digest,
    );
    assert.ok(changed.includes('finetune/real,P-T,seed=0,lr=0.04') && changed.includes('finetune/real,P-T,seed=0,lr=0.05'));
    assert.ok(changed.length > 0, 'the new RI-T lr changed some results');
    assert.ok(changed.includes('finetune/real,RI-T,seed=0'));
    assert.ok(!changed.includes('finetune/real,P-T,seed=0'), 'a P-T run at its own lr is not affected');
    assert.equal(diff.compared, changed.length);
    assert.deepEqual([...new Set(diff.changes.map((c) => c.instance))].sort(), changed.sort());
    assert.deepEqual(diff.unavailable, []);
  });

  test('every reported change is a real one, with the values the entries hold', () => {
    assert.ok(diff.changes.length > 0);
    for (const c of diff.changes) assert.notDeepEqual(c.base, c.current, `${c.instance} ${c.key}`);
    const id = 'finetune/real,RI-T,seed=0';
    const loss = diff.changes.find((c) => c.instance === id && c.key === 'final test loss');
    assert.ok(loss, 'the final test loss of a rerun RI-T run is reported');
    const read = (lock: Lock) =>
      JSON.parse(readFileSync(join(entryOut(lock.instances[id]!.fingerprint), 'run.json'), 'utf8')).finalTestLoss;
    assert.deepEqual([loss.base?.value, loss.current?.value], [read(baseLock), read(now)]);
    assert.equal(loss.delta, read(now) - read(baseLock));
    const ranks = diff.changes.map((c) => (c.kind === 'verdict' ? (c.verdictChanged ? 0 : 1) : 2));
    assert.deepEqual(ranks, [...ranks].sort(), 'verdict changes first, then effect sizes, then metrics');
  });

  test('prints the table, and reports an entry no longer in the store instead of guessing', async () => {
    const text = await run(['diff']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^base: HEAD/m);
    assert.match(text.stdout, /Metrics:\n.*instance.*metric.*base.*current.*Δ/);
    assert.match(text.stdout, /finetune\/real,RI-T,seed=0 +final test loss/);
    const gone = baseLock.instances['finetune/real,RI-T,seed=0']!.fingerprint;
    const dir = join(store, 'entries', gone.slice(0, 2), gone);
    chmodSync(join(dir, 'out'), 0o755);
    rmSync(dir, { recursive: true, force: true });
    const r = await run(['diff', '--json']);
    const d = JSON.parse(r.stdout) as ResultsDiff;
    assert.equal(d.unavailable.length, 1);
    assert.deepEqual(
      { ...d.unavailable[0]!, reason: '' },
      { instance: 'finetune/real,RI-T,seed=0', side: 'base', fingerprint: gone, reason: '' },
    );
    assert.match(d.unavailable[0]!.reason, /^not found in the local store/);
    assert.ok(!d.changes.some((c) => c.instance === 'finetune/real,RI-T,seed=0'));
  });

  test('an entry that cannot be read is not compared, and the rest still is', async () => {
    const id = 'finetune/quickdraw,RI-T,seed=0';
    const fp = now.instances[id]!.fingerprint;
    const runJson = join(entryOut(fp), 'run.json');
    const original = readFileSync(runJson);
    chmodSync(runJson, 0o644);
    writeFileSync(runJson, original.subarray(0, original.length - 5));
    try {
      const r = await run(['diff', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const d = JSON.parse(r.stdout) as ResultsDiff;
      const u = d.unavailable.find((x) => x.instance === id);
      assert.ok(u && u.side === 'current', JSON.stringify(d.unavailable));
      assert.match(u.reason, /^unreadable: /);
      assert.ok(
        d.changes.some((c) => c.instance === 'finetune/real,RI-T,seed=1'),
        'the other changed instances are still compared',
      );
    } finally {
      writeFileSync(runJson, original);
    }
  });

  test('an entry whose outputs are not the ones the lock file recorded is not compared, and says why', async () => {
    const tampered = lockFile(git('show', 'HEAD:./tiny-diff.lock.json'));
    tampered.instances['finetune/real,P-T,seed=1']!.outputs.digest = '0'.repeat(64);
    writeFileSync(join(locks, 'tampered.lock.json'), JSON.stringify(tampered));
    const r = await run(['diff', '--experiment', 'tampered', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout) as ResultsDiff;
    const u = d.unavailable.find((x) => x.instance === 'finetune/real,P-T,seed=1');
    assert.ok(u && u.side === 'base', JSON.stringify(d.unavailable));
    assert.match(u.reason, /other outputs for its fingerprint than the lock file recorded/);
    assert.ok(!d.changes.some((c) => c.instance === 'finetune/real,P-T,seed=1'));
  });

  test('refuses a revision that names a path of its own, or a range, and a revision with an experiment', async () => {
    for (const rev of ['HEAD:../../etc/passwd', 'HEAD..main', '$(touch x)']) {
      const r = await run(['diff', rev]);
      assert.equal(r.code, 2, rev);
      assert.match(r.stderr, /is not a git revision diff can read/);
    }
    const none = await run(['diff', 'HEAD', '--experiment', 'nonexistent']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /not both/);
  });
});
