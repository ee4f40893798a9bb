// The project's current git commit, read from .git without spawning git (it is recorded in every
// manifest as provenance, so it must be cheap).
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export function gitCommit(projectRoot: string): string | null {
  try {
    const gitDir = join(projectRoot, '.git');
    if (!existsSync(gitDir)) return null;
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    const loose = join(gitDir, ref);
    if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
    const packed = readFileSync(join(gitDir, 'packed-refs'), 'utf8');
    const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
    return line ? line.split(' ')[0]! : null;
  } catch {
    return null;
  }
}
