// gc and running builds (issue 16, class 7): a build pins what it builds or reads, so gc running
// in a loop during a build deletes none of it, even though the lock file names those entries only
// when the build flushes it; quarantine ages from the quarantine, not the entry's mtime; and gc
// clears the debris nobody cleaned (cache/blobs, slurm/, stale locks, dead runner records).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { collectGarbage, type GcReport } from '../../engine/gc.ts';
import { BOOT_ID, HOST, PID_NS, RUNNER_TOKEN } from '../../engine/host.ts';
import { Store } from '../../engine/store.ts';
import type { BuildSummary } from '../../engine/reporter.ts';
import { DEAD_PID, forgeRunner, OTHER_NS, setAge } from '../support/forged-runner.ts';
import { DEFAULT_CONFIG, FixtureProject, finished } from './fixture-project.ts';
import { asFingerprint, type Fingerprint } from '../../engine/digest.ts';

const DAY = 86_400_000;
const roots: string[] = [];
const projects: FixtureProject[] = [];
after(() => {
  roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
  projects.forEach((p) => p.remove());
});

function tempStore(): Store {
  const root = mkdtempSync(join(tmpdir(), 'wt-gc-pins-'));
  roots.push(root);
  return new Store(join(root, 'store')).init();
}

const fpOf = (i: number) => asFingerprint(i.toString(16).padStart(2, '0').repeat(32))!;

/** A minimal entry folder (gc only lists and sizes entries). */
function fakeEntry(store: Store, fp: Fingerprint, ageMs = 0): void {
  mkdirSync(store.outDir(fp), { recursive: true });
  writeFileSync(join(store.outDir(fp), 'x.txt'), fp);
  writeFileSync(join(store.entryDir(fp), 'manifest.json'), '{}');
  setAge(store.entryDir(fp), ageMs);
}

const gc = (store: Store): GcReport => collectGarbage(store, { lockFiles: [], dryRun: false, keep: 0 });

function storeEntries(store: string): string[] {
  const root = join(store, 'entries');
  return existsSync(root)
    ? readdirSync(root)
        .flatMap((s) => readdirSync(join(root, s)))
        .sort()
    : [];
}

describe('gc and running builds', () => {
  test('gc in a loop during a build deletes nothing the build made or read; the final store has everything', async () => {
    const p = new FixtureProject('gc-race');
    projects.push(p);
    assert.equal((await p.run(['numbers'])).code, 0);
    const before = storeEntries(p.store);
    assert.equal(before.length, 5);
    // Nothing references the old entries now (neither the lock file nor the store's record of the
    // experiment), and the build below flushes its lock file only when `slow` ends: until then
    // only pins protect what it reads (the sources) and builds.
    rmSync(p.file('fixture.lock.json'));
    rmSync(join(p.store, 'experiments', 'fixture.json'));
    p.setConfig({ ...DEFAULT_CONFIG, k: { 1: 3 }, slowSteps: 120, stepMs: 50 });
    p.takeRuns();
    const build = p.start(['all', '--json']);
    const done = finished(build);
    let ended = false;
    void done.then(() => (ended = true));
    // Start collecting once `slow` has checkpointed: every instance has been evaluated by then.
    const ckpt = () => readdirSync(join(p.store, 'scratch')).some((d) => existsSync(join(p.store, 'scratch', d, 'step.json')));
    while (!ended && !(existsSync(join(p.store, 'scratch')) && ckpt())) await new Promise((r) => setTimeout(r, 50));
    const reports: GcReport[] = [];
    while (!ended) {
      const r = await p.run(['gc', '--json']);
      assert.equal(r.code, 0, r.stderr);
      if (!ended) reports.push(JSON.parse(r.stdout) as GcReport);
    }
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    assert.ok(reports.length >= 2, `only ${reports.length} gc runs finished during the build`);
    const summary = JSON.parse(result.stdout) as BuildSummary;
    const needed = summary.outcomes.map((o) => o.fingerprint!);
    assert.equal(needed.length, 6);
    const removed = reports.flatMap((r) => r.removed.map((x) => x.fingerprint));
    assert.deepEqual(
      removed.filter((fp) => needed.includes(fp)),
      [],
      'gc removed entries the build needed',
    );
    assert.equal(removed.length, 2, 'gc did not remove the two superseded entries (old square/seed=1 and sum): was it really running?');
    assert.deepEqual(p.takeRuns(), ['slow', 'square/seed=1', 'sum'], 'only the changed instances ran (nothing was rebuilt)');
    assert.deepEqual(storeEntries(p.store), [...needed].sort());
    const lock = JSON.parse(readFileSync(p.file('fixture.lock.json'), 'utf8')) as { instances: Record<string, { fingerprint: string }> };
    const locked = Object.values(lock.instances)
      .map((i) => i.fingerprint)
      .sort();
    assert.equal(locked.length, 6);
    assert.deepEqual(locked, [...needed].sort());
    assert.equal((await p.run(['verify'])).code, 0);
    assert.deepEqual(readdirSync(join(p.store, 'runners')), [], "the build's runner record outlived it");
  });

  test('entries pinned by a live runner are kept; those pinned only by dead runners are not', () => {
    const store = tempStore();
    for (let i = 1; i <= 4; i++) fakeEntry(store, fpOf(i), 3 * DAY);
    forgeRunner(store, { token: 'a'.repeat(16), pins: [fpOf(1)] }); // another namespace, fresh heartbeat
    forgeRunner(store, { token: 'b'.repeat(16), pins: [fpOf(2)], pidNs: PID_NS }); // our namespace, pid gone
    forgeRunner(store, { token: 'c'.repeat(16), pins: [fpOf(3)] }, 5 * 60_000); // another namespace, stale
    const r = gc(store);
    assert.equal(r.removed.length, 3);
    assert.deepEqual(r.removed.map((x) => x.fingerprint).sort(), [fpOf(2), fpOf(3), fpOf(4)]);
    assert.equal(r.pinned, 1);
    assert.deepEqual(store.fingerprints(), [fpOf(1)]);
    assert.deepEqual(
      readdirSync(join(store.root, 'runners'))
        .filter((n) => n !== `${RUNNER_TOKEN}.json`)
        .sort(),
      [`${'a'.repeat(16)}.json`],
    );
  });
});

describe('gc and quarantine', () => {
  test('an entry quarantined today is not deleted today even if its mtime is 8 days old', () => {
    const store = tempStore();
    const fp = fpOf(7);
    fakeEntry(store, fp, 8 * DAY);
    store.quarantine(fp, 'test');
    const [name] = readdirSync(store.quarantineDir);
    assert.ok(name?.startsWith(fp));
    // as an older version left it: renamed today, mtime 8 days old
    const older = join(store.quarantineDir, `${fpOf(8)}.${new Date().toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(older);
    setAge(older, 8 * DAY);
    // really quarantined 8 days ago
    const old = join(store.quarantineDir, `${fpOf(9)}.${new Date(Date.now() - 8 * DAY).toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(old);
    setAge(old, 8 * DAY);
    const r = gc(store);
    assert.deepEqual(
      r.debris.filter((d) => d.includes('quarantine')),
      [old],
    );
    assert.deepEqual(readdirSync(store.quarantineDir).sort(), [name, older.split('/').pop()].sort());
  });
});

describe('gc debris', () => {
  test('removes stale .part files, orphan blobs, old slurm jobs, stale locks and dead runner records; keeps live ones', () => {
    const store = tempStore();
    const blobs = join(store.cacheDir, 'blobs');
    mkdirSync(blobs, { recursive: true });
    const sha = 'cd'.repeat(32);
    const files = {
      oldBlob: join(blobs, sha),
      oldPart: join(blobs, `${sha}.part-123-0badc0de`),
      newPart: join(blobs, `${'ef'.repeat(32)}.part-456-0badc0de`),
    };
    for (const f of Object.values(files)) writeFileSync(f, 'x');
    setAge(files.oldBlob, 2 * DAY);
    setAge(files.oldPart, 2 * DAY);
    const slurm = join(store.root, 'slurm');
    mkdirSync(slurm);
    const oldJob = ['job.json', 'log', 'sh'].map((e) => join(slurm, `${'12'.repeat(8)}-abcdef.${e}`));
    const newJob = join(slurm, `${'34'.repeat(8)}-abcdef.log`);
    for (const f of [...oldJob, newJob]) writeFileSync(f, 'x');
    for (const f of oldJob) setAge(f, 8 * DAY);
    const deadLock = store.buildLockPath(fpOf(1));
    const liveLock = store.buildLockPath(fpOf(2));
    const lock = (path: string, pidNs: string) =>
      writeFileSync(
        path,
        JSON.stringify({
          pid: DEAD_PID,
          host: HOST,
          bootId: BOOT_ID,
          pidNs,
          token: 'e'.repeat(16),
          createdAt: new Date().toISOString(),
          purpose: 'test',
        }),
      );
    lock(deadLock, PID_NS);
    lock(liveLock, OTHER_NS);
    const deadRunner = forgeRunner(store, { token: 'd'.repeat(16), pidNs: PID_NS });
    const staleRunner = forgeRunner(store, { token: 'f'.repeat(16) }, 5 * 60_000);
    const liveRunner = forgeRunner(store, { token: '1'.repeat(16) });
    const r = gc(store);
    const expected = [files.oldBlob, files.oldPart, ...oldJob, deadLock, deadRunner, staleRunner].sort();
    const got = r.debris.filter((d) => !d.includes('/staging/')).sort();
    assert.equal(got.length, expected.length, got.join('\n'));
    assert.deepEqual(got, expected);
    for (const f of [files.newPart, newJob, liveLock, liveRunner]) assert.equal(existsSync(f), true, `${f} was removed`);
    for (const f of expected) assert.equal(existsSync(f), false, `${f} was kept`);
  });

  test('a day-old blob is kept while a runner that started before it was written still lives (it may be pulling it)', () => {
    const store = tempStore();
    const blob = join(store.cacheDir, 'blobs', 'cd'.repeat(32));
    mkdirSync(join(blob, '..'), { recursive: true });
    writeFileSync(blob, 'x');
    setAge(blob, 2 * DAY);
    forgeRunner(store, { token: '2'.repeat(16), startedAt: new Date(Date.now() - 3 * DAY).toISOString() });
    assert.deepEqual(
      gc(store).debris.filter((d) => d.includes('blobs')),
      [],
    );
    assert.equal(existsSync(blob), true);
  });
});
