// A fresh copy of test/engine/fixture for one test, and helpers to run its CLI as a real process.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');
// Copies live at test/out/<name>, the same depth as the template, so its relative imports of
// the engine resolve the same way.
const OUT = join(REPO, 'test', 'out');

export interface FixtureConfig {
  n: number;
  k: Record<string, number>;
  notes: Record<string, string>;
  slowSteps: number;
  stepMs: number;
  flaky: { fail: boolean; value: number };
}

export const DEFAULT_CONFIG: FixtureConfig = { n: 5, k: {}, notes: {}, slowSteps: 3, stepMs: 20, flaky: { fail: false, value: 1 } };

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class FixtureProject {
  readonly root: string;
  readonly store: string;

  constructor(name: string, config: FixtureConfig = DEFAULT_CONFIG) {
    mkdirSync(OUT, { recursive: true });
    this.root = join(OUT, `${name}-${randomBytes(3).toString('hex')}`);
    cpSync(join(HERE, 'fixture'), this.root, { recursive: true });
    this.store = join(this.root, 'store');
    this.setConfig(config);
  }

  setConfig(config: FixtureConfig): void {
    writeFileSync(join(this.root, 'config.json'), JSON.stringify(config));
  }

  /** instance ids run since the last call */
  takeRuns(): string[] {
    const path = join(this.root, 'runs.log');
    if (!existsSync(path)) return [];
    const runs = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    rmSync(path);
    return runs.sort();
  }

  start(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    return spawn(process.execPath, ['--import', 'tsx', join(this.root, 'pipeline.ts'), ...args, '--store', this.store], {
      cwd: this.root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WT_STORE: '', ...env },
    });
  }

  run(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    return finished(this.start(args, env));
  }

  async json<T>(args: string[]): Promise<T> {
    const r = await this.run([...args, '--json']);
    try {
      return JSON.parse(r.stdout) as T;
    } catch {
      throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
  }

  file(rel: string): string {
    return join(this.root, rel);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function finished(child: ChildProcess): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}
