// The fault campaign: kill it, corrupt it, race it, fill its disk, feed it garbage — and check
// that nothing is lost. Prints one table row per fault:
//   fault | trials | detected | recovered | results identical | work lost
//   npx tsx bench/faults.ts [--quick] [--kills 20] [--seed 7] [--profile tiny] [--only kills,stop,…] [--max-delay S]
// --quick is the subset .ci/run runs (via test/faults/faults-quick.test.ts). Kills land 0.4 s to
// --max-delay seconds into each run (default 4 s on tiny, 60 s otherwise). --only picks rows:
// kills, stop, corruption, disk, concurrency, lock-holder, bad-input (e.g. `--profile default
// --only kills` for the default profile, whose other rows would each rebuild it several times).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeDatasetFile, readDatasetFile } from '../data/storage/dataset-file.ts';
import { generateDomain } from '../data/embedded/generate-domain.ts';
import sharp from 'sharp';
import { loadWeights, saveWeights } from '../ml/checkpoint.ts';
import { FixupResNet } from '../ml/model.ts';
import { loadProfile } from '../profiles/index.ts';
import { tryAcquire } from '../engine/mutex-file.ts';
import { gcRaceRow } from './faults/gc-race.ts';
import { lockOwnerRow } from './faults/lock-owner.ts';
import { outsideChanges, snapshotOutside } from './faults/outside-store.ts';
import { refusedBlobRow, traversalRow, unsignedRow } from './faults/remote-lies.ts';
import { duplicateFilesRow, hungRow, sizesRow } from './faults/remote-transport.ts';
import { resumeRow } from './faults/resume.ts';
import { slurmRow } from './faults/slurm.ts';

const REPO = join(fileURLToPath(import.meta.url), '..', '..');
const OUT = join(REPO, 'bench', 'out', 'faults');

export interface Row {
  fault: string;
  trials: number;
  detected: number;
  recovered: number;
  identical: string;
  workLost: string;
  /** files changed outside the store during the row: "none", or what changed */
  outside?: string;
  notes?: string;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class Campaign {
  readonly locks: string;
  constructor(
    readonly profile = 'tiny',
    readonly log: (m: string) => void = (m) => process.stderr.write(`${m}\n`),
  ) {
    mkdirSync(OUT, { recursive: true });
    this.locks = join(OUT, 'locks');
  }

  start(args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
    const profile = args.includes('--profile') ? [] : ['--profile', this.profile];
    return spawn(process.execPath, ['--import', 'tsx', join(REPO, 'pipeline.ts'), ...args, ...profile], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WT_LOCK_DIR: this.locks, WT_CONFIG: join(OUT, 'no-config.json'), ...extraEnv },
    });
  }

  run(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
    return finished(this.start(args, extraEnv));
  }

  /** output digest of every entry in a store */
  digests(store: string): Map<string, string> {
    const out = new Map<string, string>();
    const root = join(store, 'entries');
    for (const shard of existsSync(root) ? readdirSync(root) : []) {
      for (const fp of readdirSync(join(root, shard))) {
        try {
          out.set(
            fp,
            (JSON.parse(readFileSync(join(root, shard, fp, 'manifest.json'), 'utf8')) as { outputs: { digest: string } }).outputs.digest,
          );
        } catch {
          out.set(fp, 'unreadable');
        }
      }
    }
    return out;
  }

  async verify(store: string): Promise<{ ok: boolean; text: string }> {
    const r = await this.run(['verify', '--store', store]);
    return { ok: r.code === 0, text: r.stdout + r.stderr };
  }

  /** An uninterrupted build: the reference every fault's final store is compared with. */
  async reference(): Promise<string> {
    const store = fresh(join(OUT, `reference-${this.profile}`));
    const r = await this.run(['figures', '--store', store, '-q']);
    if (r.code !== 0) throw new Error(`reference build failed:\n${r.stderr.slice(-2000)}`);
    return store;
  }

  compare(store: string, reference: Map<string, string>): string {
    const got = this.digests(store);
    let same = 0;
    const differ: string[] = [];
    for (const [fp, d] of got) {
      if (reference.get(fp) === d) same++;
      else differ.push(fp.slice(0, 12));
    }
    const missing = [...reference.keys()].filter((fp) => !got.has(fp)).length;
    return differ.length === 0 && missing === 0
      ? `yes (${same}/${reference.size} entries)`
      : `NO: ${differ.length} differ, ${missing} missing`;
  }

  // ── kills ──────────────────────────────────────────────────────────────────────────────────
  async kills(trials: number, seed: number, maxDelaySeconds: number, reference: Map<string, string>): Promise<Row> {
    const store = fresh(join(OUT, 'kills-store'));
    const rand = mulberry32(seed);
    let detected = 0;
    const lost: number[] = [];
    let resumed = 0;
    let kills = 0;
    for (let i = 0; i < trials; i++) {
      const child = this.start(['figures', '--store', store, '-q']);
      const done = finished(child);
      const delay = 400 + rand() * (maxDelaySeconds * 1000 - 400);
      const ended = await Promise.race([done.then(() => true), sleep(delay).then(() => false)]);
      if (ended) break; // nothing left to interrupt
      const workers = childrenOf(child.pid!);
      const killRunner = workers.length === 0 || rand() < 0.4;
      lost.push(...secondsSinceLastCheckpoint(store));
      kills++;
      if (killRunner) process.kill(child.pid!, 'SIGKILL');
      else process.kill(workers[Math.floor(rand() * workers.length)]!, 'SIGKILL');
      await done;
      if (killRunner) for (const w of workers) await waitForExit(w, 30_000);
      // Detected: every entry lock the dead build left is seen as dead by another process (taken
      // over at once, not after a timeout), and nothing it committed is corrupt.
      const left = locksIn(store);
      const takenOver = left.filter((l) => {
        const r = tryAcquire(join(store, 'locks', l), 'fault campaign');
        if (r.ok) r.lock.release();
        return r.ok;
      }).length;
      const v = await this.verify(store);
      if (v.ok && takenOver === left.length) detected++;
      else this.log(`kill ${i}: ${takenOver}/${left.length} leftover locks taken over; verify:\n${v.text}`);
      this.log(
        `kill ${i + 1}/${trials}: SIGKILL ${killRunner ? 'runner' : 'worker'} after ${(delay / 1000).toFixed(1)} s; ${left.length} locks left, ${takenOver} taken over; verify ${v.ok ? 'clean' : 'CORRUPT'}`,
      );
    }
    const final = await this.run(['figures', '--store', store, '-q', '--json']);
    resumed = countResumes(store);
    // the build may finish before every planned kill happened: the row counts the kills that did
    return {
      fault:
        kills < trials
          ? `SIGKILL runner or worker at random points (the build finished after ${kills} kills)`
          : 'SIGKILL runner or worker at random points',
      trials: kills,
      detected,
      recovered: final.code === 0 ? kills : 0,
      identical: this.compare(store, reference),
      workLost: lost.length
        ? `≤ ${Math.max(...lost).toFixed(1)} s of training per kill (mean ${(lost.reduce((a, b) => a + b, 0) / lost.length).toFixed(1)} s); ${resumed} runs resumed from a checkpoint`
        : 'none running',
    };
  }

  // ── SIGINT / SIGTERM ───────────────────────────────────────────────────────────────────────
  async cleanStop(signal: 'SIGINT' | 'SIGTERM', reference: Map<string, string>): Promise<Row> {
    const store = fresh(join(OUT, `stop-${signal}-store`));
    const child = this.start(['figures', '--store', store]);
    const done = finished(child);
    await waitFor(
      () => childrenOf(child.pid!).length > 0 && existsSync(join(store, 'scratch')) && readdirSync(join(store, 'scratch')).length > 0,
      60_000,
    );
    await sleep(1500);
    process.kill(child.pid!, signal);
    const r = await done;
    const locks = existsSync(join(store, 'locks')) ? readdirSync(join(store, 'locks')) : [];
    const clean = r.code === 130 && /Interrupted: .+/.test(r.stderr) && locks.length === 0 && childrenOf(child.pid!).length === 0;
    const v = await this.verify(store);
    const rerun = await this.run(['figures', '--store', store, '-q']);
    return {
      fault: `${signal} mid-build`,
      trials: 1,
      detected: clean ? 1 : 0,
      recovered: rerun.code === 0 && v.ok ? 1 : 0,
      identical: this.compare(store, reference),
      workLost: 'stages stop after their last checkpoint',
      notes: clean ? `exit 130, ${/Interrupted: (.*)/.exec(r.stderr)?.[1]?.slice(0, 60)}` : `exit ${r.code}, locks left: ${locks.length}`,
    };
  }

  // ── corruption ─────────────────────────────────────────────────────────────────────────────
  async corruption(referenceStore: string, reference: Map<string, string>): Promise<Row[]> {
    const fpOf = (id: string) => {
      const root = join(referenceStore, 'entries');
      for (const shard of readdirSync(root)) {
        for (const fp of readdirSync(join(root, shard))) {
          if ((JSON.parse(readFileSync(join(root, shard, fp, 'manifest.json'), 'utf8')) as { instanceId: string }).instanceId === id)
            return fp;
        }
      }
      throw new Error(`no entry of ${id} in ${referenceStore}`);
    };
    const rows: Row[] = [];
    const cases: { fault: string; id: string; damage: (entry: string) => string; viaVerify: boolean }[] = [
      {
        fault: 'flip a byte in a stored output',
        id: 'finetune/real,P-T,seed=0',
        viaVerify: true,
        damage: (e) => flip(join(e, 'out', 'predictions.json')),
      },
      {
        fault: 'truncate a stored checkpoint (found by verify)',
        id: 'pretrain',
        viaVerify: true,
        damage: (e) => truncate(join(e, 'out', 'checkpoints', 'epoch-0001.bin')),
      },
      {
        fault: 'truncate a checkpoint a stage then reads',
        id: 'finetune/real,RI-T,seed=0',
        viaVerify: false,
        damage: (e) => truncate(join(e, 'out', 'checkpoints', 'epoch-0000.bin')),
      },
      {
        fault: 'delete a manifest',
        id: 'finetune/real,RI-T,seed=1',
        viaVerify: false,
        damage: (e) => (rmSync(join(e, 'manifest.json')), 'manifest.json'),
      },
    ];
    for (const c of cases) {
      const store = fresh(join(OUT, 'corrupt-store'));
      cpSync(referenceStore, store, { recursive: true });
      const fp = fpOf(c.id);
      const file = c.damage(join(store, 'entries', fp.slice(0, 2), fp));
      let detected = false;
      let message = '';
      if (c.viaVerify) {
        const v = await this.verify(store);
        detected = !v.ok && v.text.includes(fp.slice(0, 16)) && v.text.includes(file.split('/').pop()!);
        message = v.text.split('\n').find((l) => l.includes('CORRUPT')) ?? '';
      } else {
        // The entry is read when a stage that depends on it runs: force its readers.
        const r = await this.run(['figures', '--store', store, '--force', 'analyses', '-q']);
        detected = /corrupt|missing/i.test(r.stderr) && r.stderr.includes(fp.slice(0, 12));
        message = r.stderr.split('\n').find((l) => /corrupt|missing/i.test(l)) ?? '';
      }
      const rebuild = await this.run(['figures', '--store', store, '-q']);
      const v = await this.verify(store);
      rows.push({
        fault: c.fault,
        trials: 1,
        detected: detected ? 1 : 0,
        recovered: rebuild.code === 0 && v.ok ? 1 : 0,
        identical: this.compare(store, reference),
        workLost: 'the damaged entry is recomputed',
        notes: message.slice(0, 110),
      });
    }
    // garbage in the lock file
    const store = fresh(join(OUT, 'corrupt-store'));
    cpSync(referenceStore, store, { recursive: true });
    const lockPath = join(this.locks, `${this.profile}.lock.json`);
    const saved = readFileSync(lockPath);
    writeFileSync(lockPath, '\u0000garbage{{{');
    const r = await this.run(['figures', '--store', store, '--json']);
    const built =
      r.code === 0
        ? (JSON.parse(r.stdout) as { outcomes: { outcome: string }[] }).outcomes.filter((o) => o.outcome === 'built').length
        : -1;
    const rewritten = (() => {
      try {
        JSON.parse(readFileSync(lockPath, 'utf8'));
        return true;
      } catch {
        return false;
      }
    })();
    if (!rewritten) writeFileSync(lockPath, saved);
    rows.push({
      fault: 'garbage in the lock file',
      trials: 1,
      detected: /lock file .* is unreadable/.test(r.stderr) ? 1 : 0,
      recovered: rewritten && built === 0 ? 1 : 0,
      identical: this.compare(store, reference),
      workLost: 'none (the store is the truth)',
    });
    return rows;
  }

  // ── disk full ──────────────────────────────────────────────────────────────────────────────
  async diskFull(sizeMb = 3): Promise<Row> {
    const mount = join(OUT, 'small-disk');
    mkdirSync(mount, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', mount], { stdio: 'ignore' });
    } catch {
      return {
        fault: 'disk full',
        trials: 0,
        detected: 0,
        recovered: 0,
        identical: '—',
        workLost: '—',
        notes: 'SKIPPED: cannot mount a tmpfs here (needs root)',
      };
    }
    try {
      const store = join(mount, 'store');
      const r = await this.run(['figures', '--store', store, '-k']);
      const full = /disk holding the store .* is full/.test(r.stderr);
      const before = this.digests(store);
      const v = await this.verify(store);
      const staging = existsSync(join(store, 'staging')) ? readdirSync(join(store, 'staging')).length : 0;
      return {
        fault: `disk full (store on a ${sizeMb} MB tmpfs)`,
        trials: 1,
        detected: r.code === 1 && full ? 1 : 0,
        recovered: v.ok && staging === 0 ? 1 : 0,
        identical: `${before.size} earlier entries intact`,
        workLost: 'the stage that hit the limit',
        notes: (r.stderr.split('\n').find((l) => l.includes('is full')) ?? `exit ${r.code}`).trim().slice(0, 110),
      };
    } finally {
      execFileSync('umount', [mount], { stdio: 'ignore' });
    }
  }

  // ── concurrency ────────────────────────────────────────────────────────────────────────────
  async concurrency(runners: number, targets: string[][], reference: Map<string, string>): Promise<Row> {
    const store = fresh(join(OUT, `race-${runners}-store`));
    const results = await Promise.all(
      Array.from({ length: runners }, (_, i) => this.run([...targets[i % targets.length]!, '--store', store, '--json'])),
    );
    const ok = results.every((r) => r.code === 0);
    const built = results.flatMap((r) =>
      r.code === 0
        ? (JSON.parse(r.stdout) as { outcomes: { outcome: string; fingerprint?: string; builtElsewhere?: boolean }[] }).outcomes
        : [],
    );
    const fps = built.filter((o) => o.outcome === 'built' && !o.builtElsewhere).map((o) => o.fingerprint);
    const once = new Set(fps).size === fps.length;
    const v = await this.verify(store);
    const got = this.digests(store);
    const same = [...got].every(([fp, d]) => reference.get(fp) === d);
    return {
      fault: `${runners} runners at once (${targets.map((t) => t.join(' ')).join(' | ')})`,
      trials: 1,
      detected: once ? 1 : 0,
      recovered: ok && v.ok ? 1 : 0,
      identical: same ? `yes (${got.size} entries)` : 'NO',
      workLost: once ? 'none (each fingerprint built once)' : `${fps.length - new Set(fps).size} built twice`,
    };
  }

  async killedLockHolder(): Promise<Row> {
    const store = fresh(join(OUT, 'lock-holder-store'));
    const a = this.start(['training', '--store', store, '-q']);
    const doneA = finished(a);
    await waitFor(() => existsSync(join(store, 'locks')) && readdirSync(join(store, 'locks')).length > 0, 60_000);
    const workers = childrenOf(a.pid!);
    process.kill(a.pid!, 'SIGKILL');
    for (const w of workers) process.kill(w, 'SIGKILL');
    await doneA;
    const left = locksIn(store);
    const t0 = performance.now();
    const b = await this.run(['datasets', 'pretrain', '--store', store]);
    const seconds = (performance.now() - t0) / 1000;
    // Detected: the next runner saw the dead holder at once (it never waited on its locks).
    const waited = /waiting for/.test(b.stderr);
    return {
      fault: 'runner killed while holding entry locks',
      trials: 1,
      detected: left.length > 0 && !waited ? 1 : 0,
      recovered: b.code === 0 && locksIn(store).length === 0 ? 1 : 0,
      identical: '—',
      workLost: `next runner finished in ${seconds.toFixed(1)} s${waited ? ' after WAITING on a dead lock' : ', not blocked'}`,
      notes: `${left.length} locks left by the killed runner`,
    };
  }

  // ── bad input ──────────────────────────────────────────────────────────────────────────────
  async badInputs(referenceStore: string): Promise<{ row: Row; cases: BadCase[] }> {
    const dir = fresh(join(OUT, 'bad-inputs'));
    const store = join(OUT, 'bad-inputs-store');
    rmSync(store, { recursive: true, force: true });
    cpSync(referenceStore, store, { recursive: true });
    const before = this.digests(store);
    const cases = await badInputCases(dir);
    for (const c of cases) {
      const r = c.args ? await this.run([...c.args, '--store', store], c.env ?? {}) : await c.direct!();
      c.exit = r.code;
      c.message = (
        r.stderr.split('\n').find((l) => /error|invalid|not|must|cannot|unknown|full|FAILED/i.test(l)) ??
        r.stderr.split('\n')[0] ??
        ''
      ).trim();
      const stackOnly = /^\s+at /m.test(r.stderr) && !/error: [A-Z].{30,}/.test(r.stderr) && !/FAILED.{30,}/.test(r.stderr) && !c.direct;
      c.ok = c.expectExit.includes(r.code ?? -1) && c.mustMention.every((m) => r.stderr.includes(m)) && !stackOnly;
    }
    const after = this.digests(store);
    const intact = [...before].every(([fp, d]) => after.get(fp) === d) && (await this.verify(store)).ok;
    const good = cases.filter((c) => c.ok).length;
    return {
      row: {
        fault: `bad input (${cases.length} kinds)`,
        trials: cases.length,
        detected: good,
        recovered: intact ? cases.length : 0,
        identical: intact ? 'cache intact' : 'CACHE CHANGED',
        workLost: 'none',
      },
      cases,
    };
  }
}

/** The exit code a bad-input case records when a library call threw (no process exited). */
const THREW = -1;

export interface BadCase {
  name: string;
  args?: string[];
  env?: Record<string, string>;
  direct?: () => Promise<Run>;
  expectExit: number[];
  mustMention: string[];
  exit?: number | null;
  message?: string;
  ok?: boolean;
}

async function badInputCases(dir: string): Promise<BadCase[]> {
  const cfg = (name: string, body: string) => {
    const p = join(dir, name);
    writeFileSync(p, body);
    return p;
  };
  const set = (s: string, mention: string[]): BadCase => ({
    name: `--set ${s}`,
    args: ['figures', '--dry-run', '--set', s],
    expectExit: [2],
    mustMention: mention,
  });
  // A small ImageFolder tree with problems.
  const tree = join(dir, 'images');
  mkdirSync(join(tree, 'cat'), { recursive: true });
  mkdirSync(join(tree, 'dog'), { recursive: true });
  writeFileSync(join(tree, 'cat', 'a.png'), Buffer.from('not a png at all'));
  writeFileSync(join(tree, 'dog', 'notes.txt'), 'hello');
  for (const [cls, name] of [
    ['cat', 'b.png'],
    ['dog', 'c.png'],
    ['dog', 'd.png'],
  ] as const) {
    await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .png()
      .toFile(join(tree, cls, name));
  }
  // named by the folder and this code's settings, so a campaign store kept from an older version
  // of the profile never holds the name with other settings
  const folderSuite = (root: string) => {
    const settings = {
      suite: { kind: 'image-folder', size: 16, source: { root, domain: 'src' }, targets: [{ root, domain: 'tgt' }] },
      shuffle: { targets: [] },
      checkpoints: { targets: [] },
      analyses: { criticality: { targets: [] } },
    };
    const id = Math.abs(hash(JSON.stringify(settings) + JSON.stringify(loadProfile({ profile: 'tiny' }))));
    return cfg(`suite-${id}.json`, JSON.stringify({ name: `bad-folder-${id}`, ...settings }));
  };
  const emptyClasses = join(dir, 'empty-classes');
  mkdirSync(join(emptyClasses, 'a'), { recursive: true });
  mkdirSync(join(emptyClasses, 'b'), { recursive: true });
  // dataset files
  const good = generateDomain({ domain: 'real', split: 'test', count: 20, size: 16, classes: 10 });
  const dsPath = join(dir, 'good.wtds');
  writeDatasetFile(dsPath, good);
  const bytes = readFileSync(dsPath);
  const truncated = cfg('truncated.wtds', '');
  writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
  const magic = Buffer.from(bytes);
  magic.write('XXXX', 0);
  writeFileSync(join(dir, 'magic.wtds'), magic);
  const badLabel = { ...good, labels: good.labels.map((l, i) => (i === 3 ? 999 : l)) as Uint16Array };
  // Library calls (the readers behind the stages), not the CLI: they must throw a clear error.
  // THREW stands for "threw", so the table never shows an exit code the CLI did not give.
  const direct =
    (fn: () => unknown): (() => Promise<Run>) =>
    async () => {
      try {
        fn();
        return { code: 0, signal: null, stdout: '', stderr: '' };
      } catch (err) {
        return { code: THREW, signal: null, stdout: '', stderr: `error: ${(err as Error).message}` };
      }
    };
  const wrongSize = Buffer.from(bytes);
  // make the header claim a different count: same length JSON with "count":21 is not the same size → detected
  const headerText = bytes.subarray(16, 16 + bytes.readUInt32LE(8)).toString();
  writeFileSync(
    join(dir, 'wrong-size.wtds'),
    Buffer.concat([
      wrongSize.subarray(0, 16),
      Buffer.from(headerText.replace('"height":16', '"height":17')),
      wrongSize.subarray(16 + headerText.length),
    ]),
  );
  // checkpoints
  const small = new FixupResNet({ classes: 10, height: 16, width: 16, widths: [4, 8], blocks: [1, 1] });
  const ckpt = join(dir, 'ckpt');
  const other = new FixupResNet({ classes: 10, height: 16, width: 16, widths: [8, 16], blocks: [1, 1] });
  return [
    set('finetune.epochs=abc', ['finetune.epochs']),
    set('finetune.epochs=-3', ['finetune.epochs']),
    set('finetune.bogus=1', ['bogus']),
    set('shuffle.blockSizes=[5]', ['5 does not divide']),
    set('shuffle.targets=["sketch"]', ['"sketch" is not a target']),
    set('suite.targets.classes=1', ['suite.targets.classes']),
    set('suite.targets.train=2001', ['not a multiple']),
    set('seeds=[0]', ['seeds']),
    set('seeds=[0,0]', ['repeats a seed']),
    set('checkpoints.epochs=[99]', ['after the last pre-training epoch']),
    set('pretrain.lr=0', ['pretrain.lr']),
    set('suite.kind=nosuch', ['suite.kind']),
    set('suite.domains=[]', ['suite.domains']),
    {
      name: 'unknown profile',
      args: ['figures', '--dry-run', '--profile', 'nosuch'],
      expectExit: [2],
      mustMention: ['Unknown profile "nosuch"'],
    },
    {
      name: '--config: unknown key',
      args: ['figures', '--dry-run', '--config', cfg('unknown.json', '{"finetune":{"epochz":3}}')],
      expectExit: [2],
      mustMention: ['epochz'],
    },
    {
      name: '--config: not JSON',
      args: ['figures', '--dry-run', '--config', cfg('broken.json', '{"finetune": ')],
      expectExit: [2],
      mustMention: ['broken.json'],
    },
    {
      name: '--config: missing file',
      args: ['figures', '--dry-run', '--config', join(dir, 'absent.json')],
      expectExit: [2],
      mustMention: ['absent.json'],
    },
    { name: 'unknown target', args: ['nosuch-target', '--dry-run'], expectExit: [2], mustMention: ['Unknown target "nosuch-target"'] },
    {
      name: '--override of an unknown instance',
      args: ['figures', '--dry-run', '--override', 'nosuch:train.lr=1'],
      expectExit: [2],
      mustMention: ['nosuch'],
    },
    {
      name: '--override with a bad value',
      args: ['figures', '--dry-run', '--override', 'finetune/real,P-T,seed=0:train.lr=fast'],
      expectExit: [2],
      mustMention: ['train.lr'],
    },
    {
      name: 'runner config: invalid',
      args: ['figures', '--dry-run', '--remote', 'x'],
      env: { WT_CONFIG: cfg('runner.json', '{"remotes":{"x":{"type":"ftp"}}}') },
      expectExit: [2],
      mustMention: ['runner.json'],
    },
    {
      name: 'unknown remote',
      args: ['figures', '--dry-run', '--remote', 'nowhere'],
      expectExit: [2],
      mustMention: ['No remote named "nowhere"'],
    },
    { name: 'unknown option', args: ['figures', '--jobz', '2'], expectExit: [2], mustMention: ['--jobz'] },
    {
      name: 'ImageFolder: missing root',
      args: ['figures', '--config', folderSuite(join(dir, 'no-such-folder')), '--dry-run'],
      expectExit: [0],
      mustMention: ['no-such-folder'],
    },
    {
      name: 'ImageFolder: empty class folders',
      args: ['datasets', '--config', folderSuite(emptyClasses)],
      expectExit: [1],
      mustMention: ['empty-classes'],
    },
    {
      name: 'ImageFolder: corrupt image and non-image file',
      args: ['datasets', '--config', folderSuite(tree)],
      expectExit: [1],
      mustMention: ['a.png'],
    },
    {
      name: 'dataset file: truncated',
      direct: direct(() => readDatasetFile(truncated)),
      expectExit: [THREW],
      mustMention: ['truncated.wtds'],
    },
    {
      name: 'dataset file: wrong magic',
      direct: direct(() => readDatasetFile(join(dir, 'magic.wtds'))),
      expectExit: [THREW],
      mustMention: ['magic.wtds'],
    },
    {
      name: 'dataset file: label out of range',
      direct: direct(() => writeDatasetFile(join(dir, 'label.wtds'), badLabel)),
      expectExit: [THREW],
      mustMention: ['label'],
    },
    {
      name: 'dataset file: header/image size mismatch',
      direct: direct(() => readDatasetFile(join(dir, 'wrong-size.wtds'))),
      expectExit: [THREW],
      mustMention: ['wrong-size.wtds'],
    },
    {
      name: 'checkpoint of another architecture',
      direct: async () => {
        await saveWeights(ckpt, other.config, other.init(0));
        return direct(() => loadWeights(ckpt, small.config))();
      },
      expectExit: [THREW],
      mustMention: ['different architecture', 'ckpt.json'],
    },
    {
      name: 'checkpoint truncated',
      direct: async () => {
        await saveWeights(ckpt, small.config, small.init(0));
        truncateSync(`${ckpt}.bin`, 10);
        return direct(() => loadWeights(ckpt, small.config))();
      },
      expectExit: [THREW],
      mustMention: ['ckpt'],
    },
    {
      name: 'P-T from a source of another architecture',
      args: ['finetune/real,P-T,seed=0', '--override', 'finetune/real,P-T,seed=0:arch.widths=[8,16]', '--name', 'bad-arch', '-q'],
      expectExit: [1],
      mustMention: ['P-T init'],
    },
  ];
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────────
function finished(child: ChildProcess): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting');
    await sleep(100);
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  await waitFor(() => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }, timeoutMs).catch(() => undefined);
}

function locksIn(store: string): string[] {
  const dir = join(store, 'locks');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.lock')) : [];
}

function fresh(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('worker-main')) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** For each training stage in flight: seconds since its last checkpoint (the work a kill loses). */
function secondsSinceLastCheckpoint(store: string): number[] {
  const scratch = join(store, 'scratch');
  const now = Date.now();
  const out: number[] = [];
  for (const fp of existsSync(scratch) ? readdirSync(scratch) : []) {
    const dir = join(scratch, fp, 'checkpoints');
    if (!existsSync(dir)) continue;
    const times = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => statSync(join(dir, f)).mtimeMs);
    if (times.length) out.push((now - Math.max(...times)) / 1000);
  }
  return out;
}

function countResumes(store: string): number {
  let n = 0;
  const root = join(store, 'entries');
  for (const shard of existsSync(root) ? readdirSync(root) : []) {
    for (const fp of readdirSync(join(root, shard))) {
      const log = join(root, shard, fp, 'log.txt');
      if (existsSync(log) && readFileSync(log, 'utf8').includes('resumed from the epoch-')) n++;
    }
  }
  return n;
}

function flip(file: string): string {
  chmodSync(file, 0o644);
  const b = readFileSync(file);
  b[Math.floor(b.length / 2)] = b[Math.floor(b.length / 2)]! ^ 0x01;
  writeFileSync(file, b);
  return file;
}

function truncate(file: string): string {
  chmodSync(file, 0o644);
  truncateSync(file, Math.floor(statSync(file).size / 2));
  return file;
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function formatTable(rows: Row[]): string {
  const head = ['fault', 'trials', 'detected', 'recovered', 'results identical', 'work lost', 'writes outside the store'];
  const body = rows.map((r) => [
    r.fault,
    String(r.trials),
    `${r.detected}/${r.trials}`,
    `${r.recovered}/${r.trials}`,
    r.identical,
    r.workLost,
    r.outside ?? '?',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

export const FAULT_ROWS = [
  'kills',
  'stop',
  'corruption',
  'disk',
  'concurrency',
  'lock-holder',
  'bad-input',
  // the trust review's classes, in its order
  'traversal',
  'refused-blob',
  'unsigned',
  'sizes',
  'hung-remote',
  'resume',
  'gc-race',
  'lock-owner',
  'slurm',
  'duplicate-files',
] as const;
export type FaultRow = (typeof FAULT_ROWS)[number];

export interface CampaignOptions {
  quick: boolean;
  kills: number;
  seed: number;
  profile: string;
  /** kills land between 0.4 s and this many seconds into each run */
  maxDelaySeconds?: number;
  only?: readonly FaultRow[];
  log?: (m: string) => void;
}

export async function runCampaign(opts: CampaignOptions): Promise<{ rows: Row[]; bad: BadCase[] }> {
  const c = new Campaign(opts.profile, opts.log);
  const want = (row: FaultRow) => !opts.only || opts.only.includes(row);
  const referenceStore = await c.reference();
  const reference = c.digests(referenceStore);
  const rows: Row[] = [];
  // Every row is checked for writes to the checkout; rows that set `outside` also check their sandbox.
  const measured = async (row: FaultRow, make: () => Promise<Row | Row[]>) => {
    if (!want(row)) return;
    const before = snapshotOutside(REPO, join(OUT, 'none'), []);
    const made = [await make()].flat();
    const changed = outsideChanges(before, snapshotOutside(REPO, join(OUT, 'none'), []));
    for (const r of made) r.outside = changed.length ? `CHANGED: ${changed.join(', ')}` : (r.outside ?? 'none (checkout unchanged)');
    rows.push(...made);
  };
  const sandbox = (name: string) => join(OUT, name);
  await measured('kills', () => c.kills(opts.kills, opts.seed, opts.maxDelaySeconds ?? (opts.profile === 'tiny' ? 4 : 60), reference));
  await measured('stop', async () => [
    await c.cleanStop('SIGINT', reference),
    ...(opts.quick ? [] : [await c.cleanStop('SIGTERM', reference)]),
  ]);
  await measured('corruption', () => c.corruption(referenceStore, reference));
  await measured('disk', () => c.diskFull());
  await measured('concurrency', async () => [
    await c.concurrency(2, [['figures'], ['figures']], reference),
    await c.concurrency(
      4,
      opts.quick
        ? [['datasets'], ['training'], ['pretrain'], ['datasets', 'pretrain']]
        : [['figures'], ['analyses'], ['training'], ['datasets', 'pretrain']],
      reference,
    ),
  ]);
  await measured('lock-holder', () => c.killedLockHolder());
  // The trust review's classes, one row each.
  await measured('traversal', () => traversalRow(c, referenceStore, sandbox('traversal'), opts.quick));
  await measured('refused-blob', () => refusedBlobRow(c, referenceStore, reference, sandbox('refused-blob'), opts.quick));
  await measured('unsigned', () => unsignedRow(c, referenceStore, sandbox('unsigned')));
  await measured('sizes', () => sizesRow(c, referenceStore, sandbox('sizes')));
  await measured('hung-remote', () => hungRow(c, referenceStore, sandbox('hung')));
  await measured('resume', () => resumeRow(opts.quick));
  await measured('gc-race', () => gcRaceRow(opts.quick));
  await measured('lock-owner', () => lockOwnerRow(opts.quick));
  await measured('slurm', () => slurmRow(opts.quick));
  await measured('duplicate-files', () => duplicateFilesRow(sandbox('duplicates'), opts.quick ? 3 : 10));
  let bad: BadCase[] = [];
  await measured('bad-input', async () => {
    const r = await c.badInputs(referenceStore);
    bad = r.cases;
    return r.row;
  });
  return { rows, bad };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      kills: { type: 'string', default: '20' },
      seed: { type: 'string', default: '7' },
      profile: { type: 'string', default: 'tiny' },
      only: { type: 'string' },
      'max-delay': { type: 'string' },
    },
  });
  const only = values.only?.split(',').map((r) => r.trim());
  const unknown = only?.filter((r) => !(FAULT_ROWS as readonly string[]).includes(r)) ?? [];
  if (unknown.length) throw new Error(`--only: unknown row(s) ${unknown.join(', ')}; choose from ${FAULT_ROWS.join(', ')}`);
  const { rows, bad } = await runCampaign({
    quick: values.quick!,
    kills: Number(values.quick ? 4 : values.kills),
    seed: Number(values.seed),
    profile: values.profile!,
    ...(values['max-delay'] ? { maxDelaySeconds: Number(values['max-delay']) } : {}),
    ...(only ? { only: only as FaultRow[] } : {}),
  });
  console.log(`\nFault campaign (profile ${values.profile}, seed ${values.seed}):\n`);
  console.log(formatTable(rows));
  console.log('\nBad inputs:');
  for (const b of bad)
    console.log(
      `  ${b.ok ? 'ok ' : 'BAD'} ${b.name.padEnd(45)} ${b.exit === THREW ? 'threw' : `exit ${b.exit}`}  ${b.message?.slice(0, 120)}`,
    );
  for (const r of rows.filter((x) => x.notes)) console.log(`  note: ${r.fault}: ${r.notes}`);
}
