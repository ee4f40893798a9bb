// The files of one Slurm job, all in <store>/slurm/: the job (the worker's JSON input), its log
// and its batch script. The script names no instance: ids come from param values and domain names
// (free strings in a suite config), so it is the same few fixed lines for every job — cd to the
// project, exec the worker on the job file passed as argument 1 — and every path in it is
// single-quoted. The job file name is the fingerprint's hex and random hex.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job } from '../job.ts';

const WORKER = fileURLToPath(new URL('../worker-main.ts', import.meta.url));
const TSX_LOADER = createRequire(import.meta.url).resolve('tsx');
const JOB_NAME_MAX = 120;

export interface JobFiles {
  jobFile: string;
  logFile: string;
  script: string;
}

export function writeJobFiles(storeRoot: string, job: Job): JobFiles {
  const dir = join(storeRoot, 'slurm');
  mkdirSync(dir, { recursive: true });
  const fp = /^[0-9a-f]+$/.test(job.fingerprint) ? job.fingerprint.slice(0, 16) : 'job';
  const base = join(dir, `${fp}-${randomBytes(3).toString('hex')}`);
  const files = { jobFile: `${base}.job.json`, logFile: `${base}.log`, script: `${base}.sh` };
  writeFileSync(files.jobFile, JSON.stringify({ ...job, executor: 'slurm' }));
  writeFileSync(files.script, batchScript(job.projectRoot), { mode: 0o755 });
  return files;
}

/** The batch script: no instance id, no job-specific text but the project folder. */
export function batchScript(projectRoot: string): string {
  return [
    '#!/bin/bash',
    '# what-transfers worker: builds the stage instance described by the job file given as argument 1',
    `cd ${sh(projectRoot)} || exit 1`,
    `exec ${sh(process.execPath)} --import ${sh(TSX_LOADER)} ${sh(WORKER)} --job "$1"`,
    '',
  ].join('\n');
}

/** `wt:<instance id>`, with anything outside the id charset replaced (ids are validated already). */
export function jobName(instanceId: string): string {
  return `wt:${instanceId.replace(/[^A-Za-z0-9._,=+*~@/[\]-]/g, '_').slice(0, JOB_NAME_MAX)}`;
}

export function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
