// Lock and staging ownership across PID namespaces and machines that share a hostname (issue 16,
// class 8): an owner whose pid cannot be checked from here keeps its lock and its staging folder
// while its heartbeat is fresh, and loses them once it is stale; a pid is trusted only inside
// our own PID namespace.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { tryAcquire } from '../../engine/mutex-file.ts';
import { BOOT_ID, HOST, PID_NS, RUNNER_TOKEN } from '../../engine/host.ts';
import { runnerAlive } from '../../engine/runner.ts';
import { Store } from '../../engine/store.ts';
import { DEAD_PID, forgeRunner, OTHER_NS, setAge } from '../support/forged-runner.ts';
import { asFingerprint } from '../../engine/digest.ts';

const REPO = join(fileURLToPath(import.meta.url), '..', '..', '..');
const FP = asFingerprint('ab'.repeat(32))!;
const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function tempStore(): Store {
  const root = mkdtempSync(join(tmpdir(), 'wt-lock-owner-'));
  roots.push(root);
  return new Store(join(root, 'store')).init();
}

const token = (c: string) => c.repeat(16);

function forgeLock(path: string, owner: Partial<Record<string, unknown>>, ageMs = 0): void {
  writeFileSync(
    path,
    JSON.stringify({
      pid: DEAD_PID,
      host: HOST,
      bootId: BOOT_ID,
      pidNs: OTHER_NS,
      token: token('e'),
      createdAt: new Date().toISOString(),
      purpose: 'forged',
      ...owner,
    }),
  );
  setAge(path, ageMs);
}

function stagingOf(store: Store, owner: string): string {
  const dir = join(store.stagingRoot, `${FP}.${owner}.0badc0de`);
  mkdirSync(join(dir, 'out'), { recursive: true });
  return dir;
}

/** A real second process that takes a lock and holds it until killed. */
async function lockHolder(path: string): Promise<ChildProcess> {
  const script = `import { tryAcquire } from ${JSON.stringify(join(REPO, 'engine', 'mutex-file.ts'))};
const r = tryAcquire(${JSON.stringify(path)}, 'holder');
process.stdout.write(r.ok ? 'held\\n' : 'refused\\n');
setInterval(() => {}, 1000);`;
  const file = join(tempStore().root, 'holder.ts');
  writeFileSync(file, script);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((res) => child.stdout!.once('data', (d: Buffer) => res(d.toString().trim())));
  assert.equal(first, 'held');
  return child;
}

describe('lock ownership', () => {
  test('a lock whose owner is in another PID namespace is kept while its heartbeat is fresh, taken over once stale', () => {
    const store = tempStore();
    const path = store.buildLockPath(FP);
    forgeLock(path, {});
    const r1 = tryAcquire(path, 'test');
    assert.equal(r1.ok, false, 'a live foreign-namespace lock was taken over');
    assert.equal(!r1.ok && r1.holder?.token, token('e'));
    setAge(path, 119_000);
    assert.equal(tryAcquire(path, 'test').ok, false, 'taken over before the heartbeat was 2 minutes old');
    setAge(path, 121_000);
    const r2 = tryAcquire(path, 'test');
    assert.equal(r2.ok, true, 'a stale foreign-namespace lock was not taken over');
    assert.equal((JSON.parse(readFileSync(path, 'utf8')) as { token: string }).token, RUNNER_TOKEN);
    if (r2.ok) r2.lock.release();
    assert.equal(existsSync(path), false);
  });

  test('same hostname on another machine (other boot id), unknown pid: not taken over while fresh', () => {
    const store = tempStore();
    const path = store.buildLockPath(FP);
    forgeLock(path, { bootId: 'another-machine-boot-id', pidNs: PID_NS });
    assert.equal(tryAcquire(path, 'test').ok, false);
    setAge(path, 121_000);
    assert.equal(tryAcquire(path, 'test').ok, true);
  });

  test('a lock in our own namespace whose pid is gone is taken over at once, new and old format alike', () => {
    const store = tempStore();
    const path = store.buildLockPath(FP);
    forgeLock(path, { pidNs: PID_NS });
    const r = tryAcquire(path, 'test');
    assert.equal(r.ok, true, 'a dead same-namespace owner kept its lock');
    if (r.ok) r.lock.release();
    forgeLock(path, { pidNs: undefined, token: undefined }); // written before runner tokens
    const legacy = tryAcquire(path, 'test');
    assert.equal(legacy.ok, true);
    if (legacy.ok) legacy.lock.release();
  });

  test("two live runners on one host (different tokens) do not take each other's locks", async () => {
    const store = tempStore();
    const path = store.buildLockPath(FP);
    const child = await lockHolder(path);
    try {
      const holder = JSON.parse(readFileSync(path, 'utf8')) as { token: string; pid: number };
      assert.equal(holder.pid, child.pid);
      assert.notEqual(holder.token, RUNNER_TOKEN);
      setAge(path, 10 * 60_000); // its heartbeat lapsed, but its pid is checkable and alive
      assert.equal(tryAcquire(path, 'test').ok, false, 'took the lock of a live process in our namespace');
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const r = tryAcquire(path, 'test');
    assert.equal(r.ok, true, 'the dead holder kept its lock');
    if (r.ok) r.lock.release();
  });

  test("releasing a lock that another runner has taken over leaves the new owner's lock alone", () => {
    const store = tempStore();
    const path = store.buildLockPath(FP);
    const r = tryAcquire(path, 'test');
    assert.equal(r.ok, true);
    forgeLock(path, { token: token('f') }); // as if we had been judged stale and replaced
    if (r.ok) r.lock.release();
    assert.equal(existsSync(path), true);
    assert.equal((JSON.parse(readFileSync(path, 'utf8')) as { token: string }).token, token('f'));
  });
});

describe('runner liveness', () => {
  test('our namespace: the pid decides, whatever the heartbeat', async () => {
    const store = tempStore();
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    forgeRunner(store, { token: token('1'), pid: child.pid!, pidNs: PID_NS }, 10 * 60_000);
    assert.equal(runnerAlive(store.root, token('1')), true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    forgeRunner(store, { token: token('1'), pid: child.pid!, pidNs: PID_NS }, 0);
    assert.equal(runnerAlive(store.root, token('1')), false, 'a fresh heartbeat kept a dead same-namespace runner alive');
  });

  test('another namespace: the heartbeat decides, and a worker lives while its parent does', () => {
    const store = tempStore();
    forgeRunner(store, { token: token('2') }, 1_000);
    forgeRunner(store, { token: token('3') }, 5 * 60_000);
    forgeRunner(store, { token: token('4'), parent: token('2') }, 5 * 60_000);
    forgeRunner(store, { token: token('5'), parent: token('3') }, 5 * 60_000);
    assert.deepEqual(
      ['2', '3', '4', '5'].map((c) => runnerAlive(store.root, token(c))),
      [true, false, true, false],
    );
    assert.equal(runnerAlive(store.root, token('9')), false, 'no record: not alive');
  });
});

describe('staging folders', () => {
  test("a live runner's staging folder in another namespace is not removed; a stale one is", () => {
    const store = tempStore();
    const record = forgeRunner(store, { token: token('a') });
    const live = stagingOf(store, `r-${token('a')}`);
    forgeRunner(store, { token: token('b'), parent: token('a') }, 10 * 60_000); // a worker busy in a long step
    const worker = stagingOf(store, `r-${token('b')}`);
    const legacy = stagingOf(store, `${HOST}.${DEAD_PID}`); // old-style name: pid from who knows which namespace
    assert.deepEqual(store.cleanDeadStaging(), []);
    assert.ok(existsSync(live) && existsSync(worker) && existsSync(legacy));
    setAge(record, 3 * 60_000);
    const removed = store.cleanDeadStaging().sort();
    assert.equal(removed.length, 2, `removed: ${removed.join(', ')}`);
    assert.deepEqual(removed, [`${FP}.r-${token('a')}.0badc0de`, `${FP}.r-${token('b')}.0badc0de`]);
    assert.equal(existsSync(legacy), true, 'a fresh legacy folder was removed on a pid check');
  });

  test('a staging folder of a dead runner in our namespace goes at once; our own never', () => {
    const store = tempStore();
    forgeRunner(store, { token: token('c'), pidNs: PID_NS });
    const dead = stagingOf(store, `r-${token('c')}`);
    const mine = store.newStagingDir(FP);
    assert.match(mine, new RegExp(`\\.r-${RUNNER_TOKEN}\\.[0-9a-f]{8}$`));
    assert.equal(existsSync(join(store.root, 'runners', `${RUNNER_TOKEN}.json`)), true, 'newStagingDir registers the runner');
    assert.deepEqual(store.cleanDeadStaging(), [`${FP}.r-${token('c')}.0badc0de`]);
    assert.equal(existsSync(dead), false);
    assert.equal(existsSync(mine), true);
  });
});
