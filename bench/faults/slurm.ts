// The Slurm executor's trust faults (issue 16), against fake Slurm tools
// (test/slurm/fake-slurm.ts), so the row runs in seconds without a cluster:
//   injection   an instance id with a newline and a command (from an image-folder domain name)
//   overflow    a cluster-wide job listing of several MiB, past Node's 1 MiB output buffer
//   sacct lag   the job missing from squeue and sacct for a few polls (slurmdbd lag)
//   preemption  PREEMPTED, then requeued: PENDING, RUNNING, COMPLETED
//   env leak    a cache token (the runner config's tokenEnv) and a stray variable in the submitting shell
// Each count comes from what the trial observed: `detected` = the fault was refused or handled
// (no submission / queries by job id only / still waiting / asked whether requeued / token kept
// out), `recovered` = the job's outcome is the one a fault-free run has.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { Dag } from '../../engine/dag.ts';
import { UsageError } from '../../engine/errors.ts';
import { defineStage } from '../../engine/stage.ts';
import { done, failed, JOB_ID, runFake, type FakeRun, type Scenario } from '../../test/slurm/fake-slurm.ts';
import type { Row } from '../faults.ts';

interface Trial {
  name: string;
  detected: boolean;
  recovered: boolean;
  lost: string;
}

const committed = (r: FakeRun) => r.outcome !== 'timeout' && r.outcome.ok;
const byIdOnly = (r: FakeRun) =>
  r.calls.filter((c) => /^(squeue|sacct|scontrol) /.test(c) && !/ -j 1 /.test(c)).every((c) => c.includes(JOB_ID));

async function injection(payload: string, scratch: string): Promise<Trial> {
  const marker = join(scratch, `pwned-${Math.random().toString(36).slice(2)}`);
  const id = `dataset/real${payload}touch ${marker}`;
  const stage = defineStage(import.meta.url, {
    name: 'dataset',
    params: z.strictObject({ domain: z.string() }),
    deps: {},
    label: (p) => p.domain,
    run() {},
  });
  const dag = new Dag();
  dag.add(stage, { domain: id.slice('dataset/'.length) });
  let dagRefused = false;
  try {
    dag.finalize();
  } catch (err) {
    dagRefused = err instanceof UsageError && err.message.includes(JSON.stringify(id));
  }
  const r = await runFake({ squeue: ['COMPLETED'], log: [[done]] }, { instanceId: id });
  const refused = r.outcome !== 'timeout' && !r.outcome.ok && r.outcome.message.includes(JSON.stringify(id));
  const clean = !r.submitted && !existsSync(marker) && !r.script.includes(marker);
  return {
    name: `injection ${JSON.stringify(payload)}`,
    detected: dagRefused && refused,
    recovered: clean,
    lost: clean ? '' : 'a job was submitted with the id',
  };
}

async function overflow(mib: number): Promise<Trial> {
  const r = await runFake(
    { squeue: ['PENDING', 'RUNNING', 'COMPLETED'], log: [[], ['epoch 1'], [done]], clusterBytes: mib * 1024 * 1024 },
    { timeoutMs: 8000 },
  );
  const ok = committed(r);
  return {
    name: `overflow ${mib} MiB`,
    detected: byIdOnly(r) && !r.warnings.some((w) => /maxBuffer/.test(w)),
    recovered: ok,
    lost: ok ? '' : `job ${r.outcome === 'timeout' ? 'still polling' : 'failed'}`,
  };
}

async function sacctLag(missing: number): Promise<Trial> {
  const gap = Array<string | undefined>(missing).fill(undefined);
  const scenario: Scenario = {
    squeue: [...gap, 'RUNNING', undefined],
    sacct: [...gap, 'RUNNING', 'COMPLETED'],
    log: [[], ...gap.map(() => []), ['working'], [done]],
  };
  const r = await runFake(scenario, { options: { grace: { polls: missing + 4, seconds: 0 } } });
  const ok = committed(r);
  return {
    name: `sacct lag ${missing} polls`,
    detected: r.polls > missing + 1,
    recovered: ok,
    lost: ok ? '' : 'a live job was declared finished',
  };
}

async function preemption(cycles: number): Promise<Trial> {
  const squeue: string[] = ['RUNNING'];
  const log: string[][] = [[], ['epoch 1']];
  for (let i = 0; i < cycles; i++) {
    squeue.push('PREEMPTED', 'PENDING', 'RUNNING');
    log.push([failed('interrupted (SIGTERM): checkpointed')], [], [`resumed (${i + 1})`]);
  }
  squeue.push('COMPLETED');
  log.push([done]);
  const r = await runFake({ squeue, requeue: true, log });
  const asked = r.calls.filter((c) => c === `scontrol -o show job ${JOB_ID}`).length;
  const ok = committed(r);
  return {
    name: `preempted ${cycles}× and requeued`,
    detected: asked >= cycles && r.polls >= squeue.length,
    recovered: ok,
    lost: ok ? '' : 'the requeued run was abandoned',
  };
}

async function envLeak(scratch: string): Promise<Trial> {
  const token = `tok-${Math.random().toString(36).slice(2)}`;
  const config = join(scratch, 'runner-config.json');
  writeFileSync(
    config,
    JSON.stringify({ remotes: { team: { type: 'http', url: 'http://127.0.0.1:9/', tokenEnv: 'WT_BENCH_CACHE_TOKEN' } } }),
  );
  const env = { WT_CONFIG: config, WT_BENCH_CACHE_TOKEN: token, WT_BENCH_STRAY: 'stray', SBATCH_EXPORT: 'ALL' };
  // A stage that declares the token is refused outright (it would be in the fingerprint); one that does not runs without it.
  const declared = await runFake(
    { squeue: ['RUNNING', 'COMPLETED'], log: [[], [done]] },
    { env, stageEnv: { WT_BENCH_CACHE_TOKEN: null } },
  );
  const refused = !committed(declared) && declared.sbatchArgs.length === 0;
  const r = await runFake({ squeue: ['RUNNING', 'COMPLETED'], log: [[], [done]] }, { env });
  const leaked = Object.values(r.jobEnv).includes(token) || r.sbatchEnv.includes(token) || 'WT_BENCH_STRAY' in r.jobEnv;
  const explicit = r.sbatchArgs.filter((a) => a.startsWith('--export=')).length === 1 && !r.sbatchArgs.includes('--export=ALL');
  const ok = committed(r) && !r.script.includes('dataset/') && !r.script.includes('finetune/');
  return {
    name: 'env leak',
    detected: !leaked && explicit && refused,
    recovered: ok,
    lost: leaked ? 'the token reached the job' : ok ? '' : 'job failed',
  };
}

export async function slurmRow(quick: boolean): Promise<Row> {
  const scratch = mkdtempSync(join(tmpdir(), 'wt-bench-slurm-'));
  try {
    const trials: Trial[] = [];
    for (const payload of quick ? ['\n'] : ['\n', '\r\n', ';', '$(', '`']) trials.push(await injection(payload, scratch));
    for (const mib of quick ? [3] : [3, 24]) trials.push(await overflow(mib));
    for (const missing of quick ? [3] : [2, 5]) trials.push(await sacctLag(missing));
    for (const cycles of quick ? [1] : [1, 2]) trials.push(await preemption(cycles));
    trials.push(await envLeak(scratch));
    const detected = trials.filter((t) => t.detected).length;
    const recovered = trials.filter((t) => t.recovered).length;
    const lost = trials.filter((t) => t.lost).map((t) => `${t.name}: ${t.lost}`);
    const missed = trials.filter((t) => !t.detected || !t.recovered).map((t) => t.name);
    return {
      fault: 'Slurm trust (injected id, cluster-wide overflow, sacct lag, preempt+requeue, env leak)',
      trials: trials.length,
      detected,
      recovered,
      identical: `${recovered}/${trials.length} job outcomes as without the fault`,
      workLost: lost.length ? lost.join('; ') : 'none',
      notes: missed.length ? `NOT handled: ${missed.join(', ')}` : 'fake Slurm tools; every query by job id',
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
