// Who and where this process is: enough to tell, later, whether a lock's owner is still alive.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export const HOST = hostname();

export const BOOT_ID: string = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
})();

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

export function isProcessAlive(pid: number, startTime?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (startTime === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === startTime;
}

export interface Owner {
  pid: number;
  host: string;
  bootId: string;
  startTime?: string | undefined;
}

export const SELF: Owner = { pid: process.pid, host: HOST, bootId: BOOT_ID, startTime: SELF_START };

/** An owner is dead if it ran on this machine since this boot and its process is gone, or ran before a reboot. */
export function isOwnerDeadLocally(owner: Owner): boolean | undefined {
  if (owner.host !== HOST) return undefined; // cannot tell from here
  if (owner.bootId !== BOOT_ID) return true;
  return !isProcessAlive(owner.pid, owner.startTime);
}
