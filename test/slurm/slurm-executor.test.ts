// Scale-out on a real (single-node) Slurm cluster: the tiny profile runs with every stage as a
// Slurm job, the store equals what the local executor makes for the same fingerprints, and a job
// cancelled mid-training resumes from its checkpoints when the build is rerun. While that job
// trains, its batch script (as slurmctld stored it) and its worker's environment (/proc) are
// checked: no instance id in the script, no cache token or stray variable in the environment.
// test/slurm/slurm-fake.test.ts covers polling, preemption and slurmdbd lag with fake tools.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSlurm, type SlurmCluster } from '../support/slurm.ts';
import { OUT, runPipeline, tinyStore } from '../support/tiny-project.ts';
import type { BuildSummary } from '../../engine/reporter.ts';

const TINY = ['--profile', 'tiny'];
const SECRET = 'tok-5a1e-do-not-leak';

/** The environment of the worker processes whose job file is under `store` (the node is this machine). */
function workerEnvironments(store: string): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!argv.some((a) => a.endsWith('worker-main.ts')) || !argv.some((a) => a.startsWith(join(store, 'slurm')))) continue;
      const vars = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
      out.push(new Map(vars.map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)])));
    } catch {
      /* gone */
    }
  }
  return out;
}

function outputDigests(store: string): Map<string, string> {
  const out = new Map<string, string>();
  const root = join(store, 'entries');
  for (const shard of existsSync(root) ? readdirSync(root) : []) {
    for (const fp of readdirSync(join(root, shard))) {
      const m = JSON.parse(readFileSync(join(root, shard, fp, 'manifest.json'), 'utf8')) as {
        outputs: { digest: string };
        run: { executor: string };
      };
      out.set(fp, m.outputs.digest);
    }
  }
  return out;
}

describe('Slurm executor', () => {
  let cluster: SlurmCluster | undefined;
  let skip: string | undefined;
  const work = join(OUT, 'slurm');
  const store = join(work, 'store');
  let env: Record<string, string> = {};
  let local: string;

  before(async () => {
    local = await tinyStore();
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const started = await startSlurm(2);
    if (typeof started === 'string') {
      skip = started;
      console.error(`\n!!! SKIPPING the Slurm tests: ${started} !!!\n`);
      return;
    }
    cluster = started;
    const config = join(work, 'config.json');
    // a remote that is never used (no defaultRemote, no --remote), only so that its token variable is set
    const remotes = { team: { type: 'http', url: 'http://127.0.0.1:9/', tokenEnv: 'WT_TEST_CACHE_TOKEN' } };
    writeFileSync(config, JSON.stringify({ remotes, executor: { kind: 'slurm', partition: 'debug', pollSeconds: 1 } }));
    env = { ...cluster.env, WT_CONFIG: config, WT_TEST_CACHE_TOKEN: SECRET, WT_TEST_UNRELATED: 'not-for-jobs' };
  });
  after(async () => {
    await cluster?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test("the tiny profile runs with every stage as a Slurm job, and the store equals the local executor's", async (t) => {
    if (skip) return t.skip(skip);
    const r = await runPipeline(['figures', ...TINY, '--store', store, '--json'], env);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const summary = JSON.parse(r.stdout) as BuildSummary;
    const ids = summary.outcomes.map((o) => o.id);
    assert.ok(summary.outcomes.every((o) => o.outcome === 'built'));
    const jobs = cluster!.completedJobNames();
    assert.deepEqual([...new Set(jobs)].sort(), ids.map((id) => `wt:${id}`).sort(), 'jobcomp lists one job per stage instance');
    const manifests = outputDigests(store);
    assert.equal(manifests.size, ids.length);
    const reference = outputDigests(local);
    for (const [fp, digest] of manifests)
      assert.equal(reference.get(fp), digest, `entry ${fp.slice(0, 12)} differs from the local executor's`);
  });

  test('a job cancelled mid-training leaves no entry, and the rerun resumes from its last checkpoint', async (t) => {
    if (skip) return t.skip(skip);
    const target = 'finetune/real,RI-T,seed=0';
    const override = ['--override', `${target}:train.epochs=400`, '--name', 'tiny-long-run'];
    const building = runPipeline([target, ...TINY, '--store', store, ...override, '-q'], env);
    const scratch = join(store, 'scratch');
    let epochs = 0;
    for (let i = 0; i < 600 && epochs < 5; i++) {
      await new Promise((r) => setTimeout(r, 100));
      for (const fp of existsSync(scratch) ? readdirSync(scratch) : []) {
        const dir = join(scratch, fp, 'checkpoints');
        if (existsSync(dir)) epochs = Math.max(epochs, readdirSync(dir).filter((f) => f.endsWith('.json')).length);
      }
    }
    assert.ok(epochs >= 5, 'training got going');
    const slurmEnv = { ...process.env, ...env };
    // (squeue --name splits its argument at commas, and ids have commas: match the names here)
    const listing = execFileSync('squeue', ['-h', '-o', '%i|%j'], { env: slurmEnv, encoding: 'utf8' });
    const jobId =
      listing
        .split('\n')
        .find((l) => l.slice(l.indexOf('|') + 1) === `wt:${target}`)
        ?.split('|')[0] ?? '';
    assert.match(jobId, /^\d+$/, listing);
    try {
      const script = execFileSync('scontrol', ['write', 'batch_script', jobId, '-'], { env: slurmEnv, encoding: 'utf8' });
      assert.match(script, /worker-main\.ts/);
      for (const part of [target, 'finetune/', 'RI-T', 'seed=0'])
        assert.ok(!script.includes(part), `the batch script names the instance (${part}):\n${script}`);
      const workers = workerEnvironments(store);
      assert.ok(workers.length >= 1, "found the job's worker process");
      for (const w of workers) {
        assert.ok(w.has('PATH') && w.has('SLURM_JOB_ID'), "the worker got PATH and Slurm's own variables");
        assert.ok(!w.has('WT_TEST_CACHE_TOKEN') && ![...w.values()].includes(SECRET), 'the cache token reached the job');
        assert.ok(!w.has('WT_TEST_UNRELATED'), 'a variable outside the export list reached the job');
      }
    } finally {
      execFileSync('scancel', [jobId], { env: slurmEnv });
    }
    const cancelled = await building;
    assert.equal(cancelled.code, 1);
    assert.match(cancelled.stderr, /CANCELLED|interrupted|aborted/i);
    const before = outputDigests(store).size;
    assert.equal((await runPipeline(['verify', ...TINY, '--store', store], env)).code, 0);
    const rerun = await runPipeline([target, ...TINY, '--store', store, ...override, '--json'], env);
    assert.equal(rerun.code, 0, rerun.stderr.slice(-2000));
    assert.equal(outputDigests(store).size, before + 1);
    const log = await runPipeline(['log', target, ...TINY, '--store', store, ...override], env);
    const resumed = /resumed from the epoch-(\d+) checkpoint/.exec(log.stdout);
    assert.ok(resumed && Number(resumed[1]) >= 4, `the rerun resumed (log: ${log.stdout.slice(0, 300)})`);
  });
});
