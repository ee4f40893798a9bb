// Failures never damage the store: a throwing stage, a killed process, a flipped byte, bad params.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DEFAULT_CONFIG, FixtureProject, finished } from './fixture-project.ts';
import type { BuildSummary } from '../../engine/reporter.ts';

function entries(p: FixtureProject): string[] {
  const root = join(p.store, 'entries');
  return existsSync(root)
    ? readdirSync(root)
        .flatMap((shard) => readdirSync(join(root, shard)))
        .sort()
    : [];
}

describe('failures', () => {
  const projects: FixtureProject[] = [];
  const make = (name: string) => {
    const p = new FixtureProject(name);
    projects.push(p);
    return p;
  };
  after(() => projects.forEach((p) => p.remove()));

  test('a stage that throws leaves no entry, and the previous entry stays intact', async () => {
    const p = make('throws');
    assert.equal((await p.run(['failing'])).code, 0);
    const before = entries(p);
    const lockBefore = readFileSync(p.file('fixture.lock.json'), 'utf8');
    p.setConfig({ ...DEFAULT_CONFIG, flaky: { fail: true, value: 2 } });
    const r = await p.run(['failing']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /flaky FAILED.*flaky stage failed on purpose/s);
    assert.deepEqual(entries(p), before, 'no new entry, old one kept');
    assert.deepEqual(readdirSync(join(p.store, 'staging')), [], 'staging cleaned up');
    assert.equal(readFileSync(p.file('fixture.lock.json'), 'utf8'), lockBefore, 'lock file still records the last success');
    // The old result is still served when the params go back.
    p.setConfig({ ...DEFAULT_CONFIG, flaky: { fail: false, value: 1 } });
    p.takeRuns();
    assert.equal((await p.run(['failing'])).code, 0);
    assert.deepEqual(p.takeRuns(), []);
    // The failed run's log is kept for `log`.
    p.setConfig({ ...DEFAULT_CONFIG, flaky: { fail: true, value: 2 } });
    const log = await p.run(['log', 'flaky']);
    assert.match(log.stdout, /flaky stage failed on purpose/);
  });

  test('SIGKILL mid-stage leaves the store consistent, and the next run resumes from the checkpoint', async () => {
    const p = make('sigkill');
    p.setConfig({ ...DEFAULT_CONFIG, slowSteps: 40, stepMs: 100 });
    const child = p.start(['slow', '--verbose']);
    let _seen = '';
    await new Promise<void>((resolve) => {
      const onData = (d: Buffer) => {
        _seen += d;
        // plain output prints progress every 10 s; wait for the scratch checkpoint instead
        const scratch = join(p.store, 'scratch');
        const ckpts = existsSync(scratch) ? readdirSync(scratch) : [];
        if (ckpts.length && existsSync(join(scratch, ckpts[0]!, 'step.json'))) {
          const { step } = JSON.parse(readFileSync(join(scratch, ckpts[0]!, 'step.json'), 'utf8')) as { step: number };
          if (step >= 5) return resolve();
        }
      };
      child.stderr!.on('data', onData);
      const timer = setInterval(() => onData(Buffer.alloc(0)), 50);
      child.on('close', () => clearInterval(timer));
      void finished(child).then(() => resolve());
      setTimeout(() => clearInterval(timer), 30_000).unref();
    });
    // Kill the runner and its worker, as an OOM killer or a closed laptop would.
    process.kill(child.pid!, 'SIGKILL');
    for (const pid of workerPids(child.pid!)) process.kill(pid, 'SIGKILL');
    await finished(child);
    assert.deepEqual(entries(p), [], 'no entry for the killed stage');
    const verify = await p.run(['verify']);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    const r = await p.json<BuildSummary>(['slow']);
    assert.equal(r.exitCode, 0);
    const entry = entries(p)[0]!;
    const resume = JSON.parse(readFileSync(join(p.store, 'entries', entry.slice(0, 2), entry, 'out', 'resume.json'), 'utf8')) as {
      resumedFrom: number;
    };
    assert.ok(resume.resumedFrom >= 5, `resumed from step ${resume.resumedFrom}`);
    const result = JSON.parse(readFileSync(join(p.store, 'entries', entry.slice(0, 2), entry, 'out', 'result.json'), 'utf8')) as {
      acc: number;
    };
    assert.equal(
      result.acc,
      Array.from({ length: 40 }, (_, i) => i * i).reduce((a, b) => a + b),
      'same result as an uninterrupted run',
    );
    assert.equal(existsSync(join(p.store, 'scratch', entry)), false, 'scratch removed after commit');
  });

  test('verify finds a flipped byte, quarantines the entry, and the next build recomputes it', async () => {
    const p = make('verify');
    await p.run(['numbers']);
    p.takeRuns();
    const lock = JSON.parse(readFileSync(p.file('fixture.lock.json'), 'utf8')) as { instances: Record<string, { fingerprint: string }> };
    const fp = lock.instances['square/seed=1']!.fingerprint;
    const file = join(p.store, 'entries', fp.slice(0, 2), fp, 'out', 'powers.json');
    chmodSync(file, 0o644);
    const bytes = readFileSync(file);
    bytes[3] = bytes[3]! ^ 0x01;
    writeFileSync(file, bytes);
    const v = await p.run(['verify']);
    assert.equal(v.code, 1);
    assert.match(v.stdout, new RegExp(`CORRUPT ${fp.slice(0, 16)} square/seed=1: out/powers.json does not match`));
    assert.equal(existsSync(join(p.store, 'entries', fp.slice(0, 2), fp)), false);
    assert.equal((await p.run(['verify'])).code, 0);
    await p.run(['numbers']);
    assert.deepEqual(p.takeRuns(), ['square/seed=1']);
  });

  test('a corrupt upstream output is caught when a stage reads it, and healed by recomputing', async () => {
    const p = make('heal');
    await p.run(['numbers']);
    p.takeRuns();
    const lock = JSON.parse(readFileSync(p.file('fixture.lock.json'), 'utf8')) as { instances: Record<string, { fingerprint: string }> };
    const fp = lock.instances['source/seed=2']!.fingerprint;
    const file = join(p.store, 'entries', fp.slice(0, 2), fp, 'out', 'values.json');
    chmodSync(file, 0o644);
    writeFileSync(file, readFileSync(file, 'utf8').replace('[', '[ '));
    p.setConfig({ ...DEFAULT_CONFIG, k: { 2: 4 } }); // square/seed=2 must rerun and read the damaged file
    const r = await p.run(['numbers']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /corrupt/i);
    assert.deepEqual(p.takeRuns(), ['source/seed=2', 'square/seed=2', 'sum']);
    assert.equal((await p.run(['verify'])).code, 0);
  });

  test('a malformed param is a zod error naming the stage and the key, exit 2, nothing runs', async () => {
    const p = make('badparam');
    p.setConfig({ ...DEFAULT_CONFIG, flaky: { fail: 'yes', value: 1 } as never });
    const r = await p.run(['failing']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /stage "flaky"/);
    assert.match(r.stderr, /params\.fail: .*expected boolean/i);
    assert.deepEqual(p.takeRuns(), []);
    p.setConfig({ ...DEFAULT_CONFIG, flaky: { fail: false, value: 1, extra: 1 } as never });
    const unknown = await p.run(['failing']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /params\.extra: unknown key/);
    p.setConfig(DEFAULT_CONFIG);
    const badTarget = await p.run(['nosuch']);
    assert.equal(badTarget.code, 2);
    assert.match(badTarget.stderr, /Unknown target "nosuch"/);
    const badFlag = await p.run(['--jobz', '2']);
    assert.equal(badFlag.code, 2);
  });
});

function workerPids(parent: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(d));
    } catch {
      /* exited */
    }
  }
  return out;
}
