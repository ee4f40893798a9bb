// A lock file as a git revision recorded it (`git show REV:./<file>`, run in the lock file's own
// folder so any repository layout works). The revision is passed to git as one argument, never
// through a shell, and may not look like an option.
import { execFileSync } from 'node:child_process';
import { basename, dirname } from 'node:path';
import { UsageError } from './errors.ts';
import { parseLockFileText, type LockFileData } from './lock-file.ts';

const REVISION = /^[A-Za-z0-9_][A-Za-z0-9_./~^@{}-]*$/;
const MAX_LOCK_BYTES = 512 << 20;

export function lockFileAtRevision(lockFile: string, rev: string): LockFileData {
  if (!REVISION.test(rev) || rev.includes('..'))
    throw new UsageError(`"${rev}" is not a git revision diff can read (e.g. HEAD, HEAD~1, main, a commit hash or a tag).`);
  let text: string;
  try {
    text = execFileSync('git', ['-C', dirname(lockFile), 'show', `${rev}:./${basename(lockFile)}`], {
      encoding: 'utf8',
      maxBuffer: MAX_LOCK_BYTES,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? (err as Error).message)
      .trim()
      .split('\n')[0];
    throw new UsageError(
      `Cannot read ${lockFile} as of ${rev}: ${stderr}. diff compares with the lock file a commit recorded, so it must be committed at that revision (and git must be installed).`,
    );
  }
  return parseLockFileText(text, `${lockFile} at ${rev}`);
}
