// Running `pipeline.ts` on the tiny profile as a child process, for the fault rows that drive it
// from outside (gc-race, lock-owner): no runner config, no $WT_STORE, stdout and stderr captured.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(fileURLToPath(import.meta.url), '..', '..', '..');
/** A runner config that does not exist: the pipeline runs with none. */
const NO_CONFIG = join(REPO, 'bench', 'out', 'faults', 'no-config.json');

export interface PipelineRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `pipeline.ts ...args --profile tiny`, run from the repository; `env` (e.g. WT_LOCK_DIR) goes on top. */
export function startPipeline(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(REPO, 'pipeline.ts'), ...args, '--profile', 'tiny'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WT_CONFIG: NO_CONFIG, WT_STORE: '', ...env },
  });
}

/** What `child` printed and how it exited, once it has closed. */
export function finished(child: ChildProcess): Promise<PipelineRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
