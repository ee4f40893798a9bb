// The Slurm executor's trust problems, against fake Slurm tools (test/slurm/fake-slurm.ts), so
// they run anywhere in a second: ids reaching sbatch, what the batch script and the job's
// environment hold, cluster-wide queries past Node's 1 MiB output buffer, slurmdbd lag, and
// preemption with requeue.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { done, failed, JOB_ID, runFake, type FakeRun } from './fake-slurm.ts';

const ID = 'finetune/real,P-T,seed=0';

/** The outcome of a run that must have failed (not timed out). */
function failure(r: FakeRun): { message: string; usage: boolean } {
  assert.ok(r.outcome !== 'timeout', 'the job was still being waited on after the timeout');
  assert.ok(!r.outcome.ok, `the job succeeded: ${JSON.stringify(r.outcome)}`);
  return r.outcome;
}

describe('Slurm executor against fake Slurm tools', () => {
  test('an instance id with a newline is refused, naming it, before anything reaches sbatch', async () => {
    const evil = 'dataset/real\necho pwned > /tmp/wt-pwned';
    const r = await runFake({ squeue: ['COMPLETED'], log: [[done]] }, { instanceId: evil });
    const f = failure(r);
    assert.ok(f.usage && f.message.includes(JSON.stringify(evil)) && /newline/.test(f.message), f.message);
    assert.equal(r.submitted, false, 'sbatch was not called');
  });

  test('the batch script names no instance, and the job gets an explicit environment without the cache token', async () => {
    // the runner config names the cache token's variable (tokenEnv); a stage even declares it
    const dir = mkdtempSync(join(tmpdir(), 'wt-slurm-config-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ remotes: { team: { type: 'http', url: 'http://127.0.0.1:9/', tokenEnv: 'WT_CACHE_BEARER' } } }));
    const env = {
      WT_CONFIG: config,
      WT_CACHE_BEARER: 'tok-SECRET-1234',
      GITHUB_TOKEN: 'ghp-SECRET-5678',
      UNRELATED_VAR: 'leak-5678',
      WT_THREADS: '3',
      WT_STAGE_KNOB: 'k1',
      SBATCH_EXPORT: 'ALL',
    };
    // A stage that declares a secret is refused before anything reaches sbatch: its value would be
    // in the fingerprint, and the job would run without it.
    const refused = await runFake(
      { squeue: ['RUNNING', 'COMPLETED'], log: [[], [done]] },
      { env, stageEnv: { WT_STAGE_KNOB: 'k1', WT_CACHE_BEARER: null, MY_API_KEY: null } },
    );
    assert.match(failure(refused).message, /declares the env variables WT_CACHE_BEARER, MY_API_KEY, which look like a secret/);
    assert.deepEqual(refused.sbatchArgs, []);
    const r = await runFake({ squeue: ['RUNNING', 'COMPLETED'], log: [[], [done]] }, { env, stageEnv: { WT_STAGE_KNOB: 'k1' } });
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(r.outcome, { ok: true, result: 'committed' });
    for (const part of [ID, 'finetune/real', 'P-T', 'seed=0'])
      assert.ok(!r.script.includes(part), `the script contains "${part}":\n${r.script}`);
    assert.match(r.script, /--job "\$1"/);
    const exp = r.sbatchArgs.filter((a) => a.startsWith('--export='));
    assert.equal(exp.length, 1, 'one explicit --export');
    const names = exp[0]!.slice('--export='.length).split(',');
    assert.ok(
      !names.includes('ALL') &&
        names.includes('PATH') &&
        names.includes('HOME') &&
        names.includes('WT_THREADS') &&
        names.includes('WT_STAGE_KNOB'),
      exp[0],
    );
    assert.equal(r.sbatchArgs.at(-2)?.endsWith('.sh'), true, 'the script, then the job file as its argument');
    assert.equal(r.sbatchArgs.at(-1)?.endsWith('.job.json'), true);
    assert.equal(
      r.sbatchArgs.find((a) => a.startsWith('--job-name=')),
      `--job-name=wt:${ID}`,
    );
    assert.equal(r.jobEnv.WT_THREADS, '3');
    for (const name of ['WT_CACHE_BEARER', 'GITHUB_TOKEN', 'UNRELATED_VAR', 'SBATCH_EXPORT'])
      assert.equal(r.jobEnv[name], undefined, `${name} reached the job`);
    for (const secret of ['tok-SECRET-1234', 'ghp-SECRET-5678'])
      assert.ok(!r.sbatchEnv.includes(secret) && !Object.values(r.jobEnv).includes(secret), `${secret} reached sbatch or the job`);
  });

  test('a cluster-wide listing over 1 MiB is never asked for: every poll queries our job id', async () => {
    // no accounting: the old code fell back to `scontrol -o show job` (every job on the cluster)
    const r = await runFake(
      { squeue: ['PENDING', 'RUNNING', 'RUNNING', 'COMPLETED'], log: [[], ['epoch 1'], [], [done]], clusterBytes: 3 * 1024 * 1024 },
      { timeoutMs: 8000 },
    );
    assert.deepEqual(r.outcome, { ok: true, result: 'committed' }, JSON.stringify(r.warnings));
    const queries = r.calls.filter((c) => /^(squeue|scontrol|sacct) /.test(c) && !/ -j 1 /.test(c));
    assert.ok(queries.length >= 4);
    for (const q of queries) assert.ok(q.includes(JOB_ID), `a query not by job id: ${q}`);
    assert.deepEqual(
      r.warnings.filter((w) => /status query failed/.test(w)),
      [],
    );
  });

  test('a job missing from squeue and sacct for 2 polls is still waited on, and declared lost only after the grace period', async () => {
    const lag = await runFake({
      squeue: [undefined, undefined, undefined, 'RUNNING', undefined, undefined],
      sacct: [undefined, undefined, undefined, 'RUNNING', 'RUNNING', 'COMPLETED'],
      log: [[], [], [], [], ['working'], [done]],
    });
    assert.deepEqual(lag.outcome, { ok: true, result: 'committed' });
    assert.ok(lag.polls >= 6, `polled ${lag.polls} times`);
    assert.ok(
      lag.calls.some((c) => c.startsWith('sacct ') && c.includes(`-j ${JOB_ID}`)),
      'sacct is asked about jobs squeue no longer lists',
    );
    const lost = await runFake({ squeue: [undefined], sacct: [undefined] }, { options: { grace: { polls: 4, seconds: 0 } } });
    assert.match(failure(lost).message, /no longer listed by squeue or sacct \(missing for 4 polls/);
    assert.equal(lost.polls, 4);
    const forgotten = await runFake(
      { squeue: ['RUNNING', undefined], log: [[], [done]] },
      { options: { grace: { polls: 50, seconds: 600 } } },
    );
    assert.deepEqual(
      forgotten.outcome,
      { ok: true, result: 'committed' },
      'a job that logged its result and was purged ends after 2 polls, not the grace period',
    );
    assert.equal(forgotten.polls, 3);
  });

  test('a PREEMPTED job that Slurm requeues is followed to completion; one it does not requeue ends', async () => {
    const log = [
      [],
      ['epoch 1'],
      [failed('interrupted (SIGTERM): checkpointed at epoch 1')],
      [],
      ['resumed from the epoch-1 checkpoint'],
      [done],
    ];
    const requeued = await runFake({ squeue: ['RUNNING', 'RUNNING', 'PREEMPTED', 'PENDING', 'RUNNING', 'COMPLETED'], requeue: true, log });
    assert.deepEqual(requeued.outcome, { ok: true, result: 'committed' });
    assert.ok(
      requeued.calls.some((c) => c === `scontrol -o show job ${JOB_ID}`),
      'asks scontrol whether the preempted job is requeued',
    );
    const silent = await runFake({
      squeue: ['RUNNING', 'PREEMPTED', 'PENDING', 'RUNNING', 'COMPLETED'],
      requeue: true,
      log: [[], [failed('interrupted')], [], [], ['no message this time']],
    });
    assert.match(
      failure(silent).message,
      /ended COMPLETED without reporting a result/,
      "the preempted run's message is not the result of the requeued run",
    );
    const cancelled = await runFake({ squeue: ['RUNNING', 'PREEMPTED'], requeue: false, log: [[], [failed('interrupted (SIGTERM)')]] });
    assert.match(failure(cancelled).message, /interrupted/);
    assert.equal(cancelled.polls, 2, 'Requeue=0: over at once');
  });
});
