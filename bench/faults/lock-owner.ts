// Fault row: owners this machine cannot check by pid — a runner in another PID namespace on the
// same host, a machine with the same hostname — forged as live (fresh heartbeat) on the tiny
// profile's store. Each trial counts as detected if the real runner (or gc) respected the live
// owner — did not take its lock, did not delete its staging folder — and as recovered if, once
// the forged heartbeat was made stale, the lock was taken over (the build finished) or the folder
// was cleaned. A dead owner in our own namespace is the control: its lock must go at once.
//   npx tsx bench/faults/lock-owner.ts [--quick]
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOOT_ID, HOST, PID_NS } from '../../engine/host.ts';
import type { Row } from '../faults.ts';
import { finished, startPipeline } from './spawn-pipeline.ts';

const REPO = join(fileURLToPath(import.meta.url), '..', '..', '..');
const OUT = join(REPO, 'bench', 'out', 'faults', 'lock-owner');
const STORE = join(OUT, 'store');
const LOCKS = join(OUT, 'locks');
const DEAD_PID = 4194303; // above pid_max: nothing has it in our namespace
const OTHER_NS = 'pid:[4026530000]';
const STALE_AGE_MS = 3 * 60_000;

const start = (args: string[]) => startPipeline([...args, '--store', STORE], { WT_LOCK_DIR: LOCKS });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const token = () => randomBytes(8).toString('hex');
const entryExists = (fp: string) => existsSync(join(STORE, 'entries', fp.slice(0, 2), fp, 'manifest.json'));

function backdate(path: string, ms: number): void {
  const t = new Date(Date.now() - ms);
  utimesSync(path, t, t);
}

interface Outcome {
  name: string;
  respected: boolean;
  reclaimed: boolean;
  seconds?: number;
}

/** A forged live lock on `fp`; a build of `target` must wait for it until it goes stale. */
async function lockTrial(
  name: string,
  target: string,
  fp: string,
  owner: Record<string, unknown>,
  holdMs: number,
  makeStale = true,
): Promise<Outcome> {
  const path = join(STORE, 'locks', `${fp}.lock`);
  mkdirSync(join(STORE, 'locks'), { recursive: true });
  writeFileSync(
    path,
    JSON.stringify({ pid: DEAD_PID, host: HOST, token: token(), createdAt: new Date().toISOString(), purpose: 'forged', ...owner }),
  );
  const build = finished(start([target, '-q']));
  let ended = false;
  void build.then(() => (ended = true));
  await sleep(holdMs);
  const respected = !ended && !entryExists(fp);
  if (makeStale) backdate(path, STALE_AGE_MS);
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([build, new Promise<undefined>((res) => (timer = setTimeout(() => res(undefined), 90_000)))]);
  clearTimeout(timer);
  return { name, respected, reclaimed: r?.code === 0 && entryExists(fp), seconds: (performance.now() - t0) / 1000 };
}

/** A forged live runner's staging folder: gc must keep it, then clean it once the runner is stale. */
async function stagingTrial(name: string, records: { token: string; ageMs: number; parent?: string }[], owner: string): Promise<Outcome> {
  mkdirSync(join(STORE, 'runners'), { recursive: true });
  const paths = records.map((r) => {
    const p = join(STORE, 'runners', `${r.token}.json`);
    writeFileSync(
      p,
      JSON.stringify({
        token: r.token,
        pid: DEAD_PID,
        host: HOST,
        bootId: BOOT_ID,
        pidNs: OTHER_NS,
        startedAt: new Date().toISOString(),
        parent: r.parent,
        pins: [],
      }),
    );
    backdate(p, r.ageMs);
    return p;
  });
  const dir = join(STORE, 'staging', `${'ab'.repeat(32)}.r-${owner}.${randomBytes(4).toString('hex')}`);
  mkdirSync(join(dir, 'out'), { recursive: true });
  writeFileSync(join(dir, 'out', 'half-written.bin'), randomBytes(1024));
  await finished(start(['gc']));
  const respected = existsSync(dir);
  for (const p of paths) backdate(p, STALE_AGE_MS);
  await finished(start(['gc']));
  return { name, respected, reclaimed: !existsSync(dir) };
}

async function fingerprints(ids: string[]): Promise<string[]> {
  const r = await finished(start(['status', ...ids, '--json']));
  const status = JSON.parse(r.stdout) as { id: string; fingerprint: string }[];
  return ids.map((id) => {
    const fp = status.find((s) => s.id === id)?.fingerprint;
    if (!fp) throw new Error(`no fingerprint for ${id}:\n${r.stderr}`);
    return fp;
  });
}

export async function lockOwnerRow(quick: boolean): Promise<Row> {
  for (const d of [STORE, LOCKS]) rmSync(d, { recursive: true, force: true });
  mkdirSync(LOCKS, { recursive: true });
  const holdMs = quick ? 4_000 : 10_000;
  const ids = ['dataset/source', 'dataset/real', 'dataset/quickdraw'];
  const [a, b, c] = await fingerprints(ids);
  const parent = token();
  const busyParent = token();
  const busyWorker = token();
  const outcomes = [
    await lockTrial('lock, same host+boot, other PID namespace', ids[0]!, a!, { bootId: BOOT_ID, pidNs: OTHER_NS }, holdMs),
    await lockTrial('lock, same hostname, other machine (boot id)', ids[1]!, b!, { bootId: `other-${token()}`, pidNs: PID_NS }, holdMs),
    await stagingTrial('staging, runner in other PID namespace', [{ token: parent, ageMs: 0 }], parent),
    await stagingTrial(
      'staging, busy worker (stale heartbeat) of a live parent',
      [
        { token: busyParent, ageMs: 0 },
        { token: busyWorker, ageMs: STALE_AGE_MS, parent: busyParent },
      ],
      busyWorker,
    ),
  ];
  const control = await lockTrial('control: dead owner in our namespace', ids[2]!, c!, { bootId: BOOT_ID, pidNs: PID_NS }, 0, false);
  const failedNames = outcomes.filter((o) => !o.respected || !o.reclaimed).map((o) => o.name);
  const v = await finished(start(['verify']));
  return {
    fault: 'live lock/staging owners in another PID namespace or on a same-named host (forged)',
    trials: outcomes.length,
    detected: outcomes.filter((o) => o.respected).length,
    recovered: outcomes.filter((o) => o.reclaimed).length,
    identical: v.code === 0 ? 'store verifies' : 'NO: verify failed',
    workLost: `${outcomes.filter((o) => !o.respected).length} live owners overridden`,
    notes:
      `control (dead owner, our namespace): ${control.reclaimed ? `taken over at once, build done in ${control.seconds!.toFixed(1)} s` : 'NOT taken over'}` +
      (failedNames.length ? `; failed: ${failedNames.join('; ')}` : ''),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await lockOwnerRow(process.argv.includes('--quick')), null, 1)}\n`);
}
