// Forged runner records for tests of lock, pin and staging ownership: a runner that looks live
// or dead to this machine only through its record's fields and the record's age (heartbeat).
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOOT_ID, HOST } from '../../engine/host.ts';
import type { RunnerRecord } from '../../engine/runner.ts';
import type { Store } from '../../engine/store.ts';

/** Above any pid_max here: no process has it in this namespace. */
export const DEAD_PID = 4194303;
/** A PID namespace that is not ours: its pids cannot be checked, only heartbeats. */
export const OTHER_NS = 'pid:[4026530000]';

/** Backdates `path`'s mtime (and atime) by `ageMs`. */
export function setAge(path: string, ageMs: number): void {
  const t = new Date(Date.now() - ageMs);
  utimesSync(path, t, t);
}

/** Writes a runner record (default: dead pid, this host and boot, another namespace) aged `ageMs`; returns its path. */
export function forgeRunner(store: Store, rec: Partial<RunnerRecord> & { token: string }, ageMs = 0): string {
  const dir = join(store.root, 'runners');
  mkdirSync(dir, { recursive: true });
  const record: RunnerRecord = {
    pid: DEAD_PID,
    host: HOST,
    bootId: BOOT_ID,
    pidNs: OTHER_NS,
    startedAt: new Date().toISOString(),
    pins: [],
    ...rec,
  };
  const path = join(dir, `${rec.token}.json`);
  writeFileSync(path, JSON.stringify(record));
  setAge(path, ageMs);
  return path;
}
