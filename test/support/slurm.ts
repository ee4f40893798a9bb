// A real single-node Slurm cluster for tests: munged, slurmctld and slurmd started as this
// test's own processes, with a generated munge key, a minimal slurm.conf (proctrack/linuxproc,
// task/none, no accounting storage, jobcomp/filetxt so finished jobs are recorded) and their own
// ports, sockets and state in a temp dir. Installs Debian's slurm-wlm and munge when missing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureInstalled, freePort } from './nginx.ts';

export interface SlurmCluster {
  dir: string;
  env: Record<string, string>;
  /** job names recorded by jobcomp/filetxt */
  completedJobNames(): string[];
  stop(): Promise<void>;
}

export async function startSlurm(cpus = 2): Promise<SlurmCluster | string> {
  if (process.getuid?.() !== 0) return 'starting slurmctld/slurmd for a test needs root';
  for (const [bin, pkgs] of [
    ['slurmctld', ['slurm-wlm', 'munge']],
    ['munged', ['munge']],
  ] as const) {
    if (!ensureInstalled(bin, [...pkgs])) return `${bin} is not installed and \`apt-get install ${pkgs.join(' ')}\` failed`;
  }
  const dir = mkdtempSync(join(tmpdir(), 'wt-slurm-'));
  for (const d of ['state', 'spool']) mkdirSync(join(dir, d));
  const key = join(dir, 'munge.key');
  writeFileSync(key, randomBytes(1024));
  chmodSync(key, 0o400);
  const socket = join(dir, 'munge.socket');
  execFileSync('munged', [
    '--force',
    `--socket=${socket}`,
    `--key-file=${key}`,
    `--log-file=${join(dir, 'munged.log')}`,
    `--pid-file=${join(dir, 'munged.pid')}`,
    `--seed-file=${join(dir, 'munged.seed')}`,
  ]);
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const host = hostname().split('.')[0]!;
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    `ClusterName=wttest
SlurmctldHost=${host}
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${ctldPort}
SlurmdPort=${dPort}
AuthType=auth/munge
AuthInfo=socket=${socket}
CredType=cred/munge
StateSaveLocation=${join(dir, 'state')}
SlurmdSpoolDir=${join(dir, 'spool')}
SlurmctldPidFile=${join(dir, 'slurmctld.pid')}
SlurmdPidFile=${join(dir, 'slurmd.pid')}
SlurmctldLogFile=${join(dir, 'slurmctld.log')}
SlurmdLogFile=${join(dir, 'slurmd.log')}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=${join(dir, 'jobcomp.txt')}
MpiDefault=none
ReturnToService=2
KillWait=5
MinJobAge=600
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=16000 State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
`,
  );
  const env = { SLURM_CONF: conf };
  const daemons: ChildProcess[] = [];
  const start = (bin: string) => {
    const child = spawn(bin, ['-D', '-f', conf], { stdio: 'ignore', env: { ...process.env, ...env } });
    daemons.push(child);
  };
  start('slurmctld');
  await new Promise((r) => setTimeout(r, 800));
  start('slurmd');
  let ready = false;
  for (let i = 0; i < 60 && !ready; i++) {
    await new Promise((r) => setTimeout(r, 500));
    try {
      ready = /idle/.test(execFileSync('sinfo', ['-h', '-o', '%T'], { env: { ...process.env, ...env }, encoding: 'utf8' }));
    } catch {
      /* not up yet */
    }
  }
  const stop = async () => {
    for (const d of daemons) if (d.exitCode === null) d.kill('SIGTERM');
    await Promise.all(daemons.map((d) => (d.exitCode !== null ? undefined : new Promise((r) => d.once('exit', r)))));
    try {
      execFileSync('munged', ['--stop', `--socket=${socket}`], { stdio: 'ignore' });
    } catch {
      /* already stopped */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (!ready) {
    const log = existsSync(join(dir, 'slurmd.log')) ? readFileSync(join(dir, 'slurmd.log'), 'utf8').slice(-1500) : '';
    await stop();
    return `the test cluster did not come up (sinfo never showed the node idle)\n${log}`;
  }
  return {
    dir,
    env,
    completedJobNames: () =>
      existsSync(join(dir, 'jobcomp.txt'))
        ? readFileSync(join(dir, 'jobcomp.txt'), 'utf8')
            .split('\n')
            .map((l) => / Name=(.*?) JobState=/.exec(l)?.[1])
            .filter((n): n is string => !!n)
        : [],
    stop,
  };
}
