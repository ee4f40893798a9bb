// Several runners on one store: each fingerprint is built once, every runner succeeds, and a
// lock left by a dead process does not block anybody.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DEFAULT_CONFIG, FixtureProject, finished } from './fixture-project.ts';
import { BOOT_ID, HOST } from '../../engine/host.ts';

describe('concurrent runners on one store', () => {
  const projects: FixtureProject[] = [];
  after(() => projects.forEach((p) => p.remove()));

  for (const n of [2, 4]) {
    test(`${n} simultaneous runs of the same DAG build each fingerprint once and all exit 0`, async () => {
      const p = new FixtureProject(`concurrent${n}`);
      projects.push(p);
      p.setConfig({ ...DEFAULT_CONFIG, slowSteps: 10, stepMs: 50 });
      const results = await Promise.all(Array.from({ length: n }, (_, i) => finished(p.start(i % 2 ? ['numbers', 'slow'] : []))));
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const runs = p.takeRuns();
      assert.deepEqual(runs, [...new Set(runs)], `some instance ran twice: ${runs.join(', ')}`);
      assert.deepEqual(runs, ['slow', 'source/seed=1', 'source/seed=2', 'square/seed=1', 'square/seed=2', 'sum']);
      const shards = readdirSync(join(p.store, 'entries'));
      assert.equal(shards.flatMap((s) => readdirSync(join(p.store, 'entries', s))).length, 6);
      assert.deepEqual(readdirSync(join(p.store, 'locks')), [], 'no lock left behind');
      assert.equal((await p.run(['verify'])).code, 0);
      const lock = JSON.parse(readFileSync(p.file('fixture.lock.json'), 'utf8')) as { instances: Record<string, unknown> };
      assert.equal(Object.keys(lock.instances).length, 6, "every runner kept the others' lock-file records");
    });
  }

  test('a lock held by a dead process is taken over at once', async () => {
    const p = new FixtureProject('stalelock');
    projects.push(p);
    const status = await p.json<{ id: string; fingerprint: string }[]>(['status', 'slow']);
    const fp = status[0]!.fingerprint;
    mkdirSync(join(p.store, 'locks'), { recursive: true });
    // pid 2^22-1 is above the default pid_max and cannot be alive
    writeFileSync(
      join(p.store, 'locks', `${fp}.lock`),
      JSON.stringify({ pid: 4194303, host: HOST, bootId: BOOT_ID, createdAt: new Date().toISOString(), purpose: 'test' }),
    );
    const t0 = performance.now();
    const r = await p.run(['slow']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(performance.now() - t0 < 20_000);
    assert.deepEqual(p.takeRuns(), ['slow']);
    assert.equal(existsSync(join(p.store, 'locks', `${fp}.lock`)), false);
  });
});
