// Who and where this process is: enough to tell, later, whether a lock's or a staging folder's
// owner is still alive. A pid means something only inside its own PID namespace on its own boot
// of its own machine, and hostnames repeat (cluster nodes, containers): so an owner is judged by
// its pid only when host, boot id AND PID namespace all match ours; any other owner is alive
// exactly as long as it keeps its heartbeat fresh (see runner.ts and mutex-file.ts).
import { readFileSync, readlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export const HOST = hostname();

export const BOOT_ID: string = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
})();

/** The PID namespace this process lives in, e.g. "pid:[4026531836]" (Linux); "unknown" elsewhere. */
export const PID_NS: string = (() => {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return 'unknown';
  }
})();

/** Random, per process: names this process in lock files, staging folders and runners/. */
export const RUNNER_TOKEN: string = randomBytes(8).toString('hex');

/** Start time of a process in clock ticks since boot (Linux), so a reused PID is not mistaken for its predecessor. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces and parentheses; fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

export const SELF_START = processStartTime(process.pid);

/** A zombie has exited; only its parent has not collected it yet (a killed runner's workers, until init reaps them). */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
}

export function isProcessAlive(pid: number, startTime?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (isZombie(pid)) return false;
  if (startTime === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === startTime;
}

export interface Owner {
  pid: number;
  host: string;
  bootId: string;
  startTime?: string | undefined;
  /** absent in records written before runner tokens existed */
  token?: string | undefined;
  pidNs?: string | undefined;
}

export const SELF: Owner = { pid: process.pid, host: HOST, bootId: BOOT_ID, startTime: SELF_START, token: RUNNER_TOKEN, pidNs: PID_NS };

/** True if the owner's pid can be checked from here: same machine, same boot, same PID namespace. */
export function sharesPidSpace(owner: Owner): boolean {
  return owner.host === HOST && owner.bootId === BOOT_ID && owner.pidNs === PID_NS;
}

/**
 * 'alive' or 'dead' when the pid can be checked from here; 'unknown' otherwise (the caller then
 * goes by the owner's heartbeat). A record without a PID namespace comes from a version that
 * did not write one and is judged as that version did (host and boot id only).
 */
export function ownerState(owner: Owner): 'alive' | 'dead' | 'unknown' {
  if (owner.pidNs === undefined) {
    if (owner.host !== HOST) return 'unknown';
    if (owner.bootId !== BOOT_ID) return 'dead';
    return isProcessAlive(owner.pid, owner.startTime) ? 'alive' : 'dead';
  }
  if (!sharesPidSpace(owner)) return 'unknown';
  return isProcessAlive(owner.pid, owner.startTime) ? 'alive' : 'dead';
}
