// Fake Slurm client tools for tests and bench/faults/slurm.ts: small shell scripts in a temp
// folder that play one scripted job. Every squeue call with -j is one "poll": it prints that
// poll's line (`squeue.<n>`, else `squeue.last`) and appends `log.<n>` to the job's log, as if the
// worker had written it. sacct and scontrol answer from the same poll number. A query without
// job ids (the whole cluster) prints `clusterBytes` of other users' jobs. sbatch records its
// argv, its environment, the script and the environment the job would get from --export.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SlurmExecutor, type SlurmOptions } from '../../engine/executor-slurm.ts';
import type { JobOutcome } from '../../engine/executor.ts';
import type { Job } from '../../engine/job.ts';
import { FingerprintSchema } from '../../engine/digest.ts';

const REPO = join(fileURLToPath(import.meta.url), '..', '..', '..');
export const JOB_ID = '4242';

export interface Scenario {
  /** per poll, our job's state (undefined: squeue does not list it); the last entry repeats */
  squeue: (string | undefined)[];
  /** with accounting: per poll, what sacct says (undefined: not listed); without: sacct is disabled */
  sacct?: (string | undefined)[];
  /** scontrol's Requeue flag for a PREEMPTED job */
  requeue?: boolean;
  /** per poll (index 0 = written at submission), worker lines appended to the job's log */
  log?: string[][];
  /** size of a cluster-wide listing (default 1.5 MiB) */
  clusterBytes?: number;
}

export interface FakeRun {
  outcome: JobOutcome | 'timeout';
  polls: number;
  calls: string[];
  sbatchArgs: string[];
  sbatchEnv: string;
  jobEnv: Record<string, string>;
  script: string;
  warnings: string[];
  submitted: boolean;
}

export const done = `@@wt ${JSON.stringify({ type: 'done', result: 'committed' })}`;
export const failed = (message: string) => `@@wt ${JSON.stringify({ type: 'failed', message, usage: false })}`;

const line = (state: string | undefined) => (state ? `${JOB_ID}|${state}\n` : '');

function tools(dir: string, accounting: boolean, requeue: boolean): Record<string, string> {
  const head = `#!/bin/sh\nD='${dir}'\necho "$(basename "$0") $*" >> "$D/calls.log"\npoll=$(cat "$D/poll" 2>/dev/null || echo 0)\n`;
  const pick = (name: string) => `f="$D/${name}.$poll"; [ -f "$f" ] || f="$D/${name}.last"\n`;
  return {
    sbatch: `${head}printf '%s\\n' "$@" > "$D/sbatch.args"\nenv > "$D/sbatch.env"\n: > "$D/job.env"
for a in "$@"; do case "$a" in
  --output=*) echo "\${a#--output=}" > "$D/logpath"; cat "$D/log.0" >> "\${a#--output=}" 2>/dev/null;;
  --export=*) for n in $(echo "\${a#--export=}" | tr ',' ' '); do v=$(printenv "$n") && echo "$n=$v" >> "$D/job.env"; done;;
  *.sh) cp "$a" "$D/script.sh";;
esac; done
echo "${JOB_ID};cluster"\n`,
    squeue: `${head}case " $* " in *" -j "*) ;; *) cat "$D/cluster.txt"; exit 0;; esac
poll=$((poll + 1)); echo "$poll" > "$D/poll"
[ -f "$D/log.$poll" ] && cat "$D/log.$poll" >> "$(cat "$D/logpath")"
${pick('squeue')}if [ -s "$f" ]; then cat "$f"; else echo "slurm_load_jobs error: Invalid job id specified" >&2; exit 1; fi\n`,
    sacct: accounting
      ? `${head}case " $* " in *" -j "*) ;; *) cat "$D/cluster.txt"; exit 0;; esac\n${pick('sacct')}cat "$f" 2>/dev/null; exit 0\n`
      : `${head}echo "sacct: error: Slurm accounting storage is disabled" >&2; exit 1\n`,
    scontrol: `${head}case "$*" in *"show job "[0-9]*) ;; *) cat "$D/cluster.txt"; exit 0;; esac
${pick('squeue')}echo "JobId=${JOB_ID} JobName=x JobState=$(cut -d'|' -f2 "$f") Requeue=${requeue ? 1 : 0} Restarts=0"\n`,
    scancel: `${head}exit 0\n`,
  };
}

export function fakeJob(instanceId: string, storeRoot: string, stageEnv: Record<string, string | null> = {}): Job {
  const record = {
    format: 1,
    stage: { name: 'finetune', version: 1 },
    params: {},
    code: { files: {}, packages: {} },
    inputs: {},
    env: stageEnv,
    upstream: {},
  };
  return {
    instanceId,
    stageName: 'finetune',
    moduleUrl: 'file:///finetune.ts',
    params: {},
    fingerprint: FingerprintSchema.parse('ab'.repeat(32)),
    record,
    projectRoot: REPO,
    storeRoot,
    deps: {},
    inputs: {},
    replace: false,
    executor: 'slurm',
    cpus: 1,
  };
}

/** Run one job through a SlurmExecutor against the fake tools; `env` is the submitting environment's additions. */
export async function runFake(
  scenario: Scenario,
  opts: {
    instanceId?: string;
    env?: Record<string, string>;
    stageEnv?: Record<string, string | null>;
    timeoutMs?: number;
    options?: SlurmOptions;
  } = {},
): Promise<FakeRun> {
  const dir = mkdtempSync(join(tmpdir(), 'wt-fake-slurm-'));
  try {
    const accounting = scenario.sacct !== undefined;
    for (const [name, text] of Object.entries(tools(dir, accounting, scenario.requeue ?? true))) {
      writeFileSync(join(dir, name), text);
      chmodSync(join(dir, name), 0o755);
    }
    const write = (name: string, list: (string | undefined)[]) => {
      list.forEach((s, i) => writeFileSync(join(dir, `${name}.${i + 1}`), line(s)));
      writeFileSync(join(dir, `${name}.last`), line(list.at(-1)));
    };
    write('squeue', scenario.squeue);
    if (scenario.sacct) write('sacct', scenario.sacct);
    (scenario.log ?? []).forEach((lines, i) => writeFileSync(join(dir, `log.${i}`), lines.map((l) => `${l}\n`).join('')));
    const row = `JobId=7000000 JobName=someone-elses-job UserId=other(1001) JobState=RUNNING ${'x'.repeat(400)}\n`;
    writeFileSync(join(dir, 'cluster.txt'), row.repeat(Math.ceil((scenario.clusterBytes ?? 1.5 * 1024 * 1024) / row.length)));
    const env = { ...process.env, WT_CONFIG: join(dir, 'no-config.json'), ...opts.env, PATH: `${dir}:${process.env.PATH}` };
    const warnings: string[] = [];
    const executor = new SlurmExecutor(
      { kind: 'slurm', extraArgs: [], resources: {}, pollSeconds: 0.02 },
      join(dir, 'store'),
      (m) => warnings.push(m),
      10,
      {
        grace: { polls: 6, seconds: 0 },
        ...opts.options,
        env,
      },
    );
    const job = fakeJob(opts.instanceId ?? 'finetune/real,P-T,seed=0', join(dir, 'store'), opts.stageEnv);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), opts.timeoutMs ?? 10_000)));
    const outcome = await Promise.race([executor.run({ job, isolation: 'process', resources: {} }, { progress() {}, log() {} }), timeout]);
    clearTimeout(timer);
    executor.close();
    const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : '');
    const jobEnv = Object.fromEntries(
      read('job.env')
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const calls = read('calls.log').split('\n').filter(Boolean);
    return {
      outcome,
      polls: Number(read('poll') || 0),
      calls,
      sbatchArgs: read('sbatch.args').split('\n').filter(Boolean),
      sbatchEnv: read('sbatch.env'),
      jobEnv,
      script: read('script.sh'),
      warnings,
      submitted: calls.some((c) => c.startsWith('sbatch ')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
