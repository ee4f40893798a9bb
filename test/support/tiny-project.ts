// Running this project's own pipeline from tests: the tiny profile, on stores and lock files under
// test/out, never touching the repository's locks/ or artifacts/.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OUT = join(REPO, 'test', 'out');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runPipeline(args: string[], env: Record<string, string> = {}, cwd = REPO): Promise<CliResult> & { pid?: number } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(cwd, 'pipeline.ts'), ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WT_LOCK_DIR: join(OUT, 'locks'), WT_CONFIG: join(OUT, 'no-config.json'), ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const p = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) as Promise<CliResult> & {
    pid?: number;
  };
  p.pid = child.pid;
  return p;
}

/**
 * A store holding the whole tiny profile, shared by the test files that need one (built once;
 * the engine makes every later call a no-op). Tests that change a store work on a copy.
 */
export async function tinyStore(): Promise<string> {
  const store = join(OUT, 'tiny-store');
  mkdirSync(OUT, { recursive: true });
  const r = await runPipeline(['figures', '--profile', 'tiny', '--store', store, '--quiet']);
  if (r.code !== 0) throw new Error(`building the tiny profile failed (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
  return store;
}

export function copyStore(store: string, name: string): string {
  const dest = join(OUT, name);
  if (existsSync(dest)) throw new Error(`${dest} exists`);
  cpSync(store, dest, { recursive: true });
  return dest;
}
