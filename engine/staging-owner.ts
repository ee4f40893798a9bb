// Who owns a staging folder, and whether it is dead. A folder's name carries its builder's runner
// token (`<fp>.r-<token>.<random>`); it is dead only when that runner is dead by the registry's
// rule (runner.ts), so a live worker in another PID namespace, or on another machine with the
// same hostname, never loses its half-built entry. Names from before tokens (`<fp>.<host>.<pid>.
// <random>`) carry a pid that may be another namespace's: such a folder is removed only if that
// pid is not alive here AND the folder has not changed for LEGACY_GRACE_MS.
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { HOST, isProcessAlive, RUNNER_TOKEN } from './host.ts';
import { readRunner, RUNNER_STALE_MS, runnerAlive, runnerFor } from './runner.ts';

const LEGACY_GRACE_MS = 10 * 60_000;
const TOKEN_NAME = /^[0-9a-f]{64}\.(?:replaced\.|removed\.)?r-([0-9a-f]{16})\.[0-9a-f]{8}$/;
const LEGACY_NAME = /^[0-9a-f]{64}\.(?:replaced\.|removed\.)?(?:(.+)\.)?(\d+)\.[0-9a-f]{8}$/;

/**
 * A new staging folder name of this process (registering it in the store): `<fp>.r-<token>.<random>`
 * for a build, `<fp>.replaced.…` / `<fp>.removed.…` for an entry moved aside. TOKEN_NAME parses it.
 */
export function stagingName(storeRoot: string, fp: string, aside?: 'replaced' | 'removed'): string {
  runnerFor(storeRoot);
  return `${fp}.${aside ? `${aside}.` : ''}r-${RUNNER_TOKEN}.${randomBytes(4).toString('hex')}`;
}

/** true: remove it; false: its owner may be alive; undefined: not a staging folder name. */
export function stagingOwnerDead(storeRoot: string, name: string, path: string, now = Date.now()): boolean | undefined {
  const tok = TOKEN_NAME.exec(name);
  if (tok) {
    if (tok[1] === RUNNER_TOKEN) return false;
    // No record: gc removed it as dead (or it is unreadable): go by the folder's own age.
    if (!readRunner(storeRoot, tok[1]!)) return unchangedFor(path, RUNNER_STALE_MS, now);
    return !runnerAlive(storeRoot, tok[1]!, now);
  }
  const legacy = LEGACY_NAME.exec(name);
  if (!legacy) return undefined;
  const [, host, pid] = legacy;
  if (host !== undefined && host !== HOST) return false;
  return !isProcessAlive(Number(pid)) && unchangedFor(path, LEGACY_GRACE_MS, now);
}

/** Neither content (mtime) nor place (ctime: a rename) changed for `ms`. */
function unchangedFor(path: string, ms: number, now: number): boolean {
  try {
    const st = statSync(path);
    return now - Math.max(st.mtimeMs, st.ctimeMs) >= ms;
  } catch {
    return false;
  }
}
