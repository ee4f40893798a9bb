// Fault row "lying resume checkpoints": a small training run is interrupted, then its scratch
// checkpoints are made to lie — an edited history, epoch or RNG state in the index, a truncated
// .bin, NaN weights written with valid checksums — and the run is resumed. Everything in the row
// is observed: whether the resume refused the lying checkpoint (detected), whether the run then
// completed (recovered), whether every epoch's weights and the history are the bytes of an
// uninterrupted run (identical), and which checkpoint it went back to (work lost). An untouched
// scratch is resumed too, as a control (it must resume from its latest checkpoint).
//   npx tsx bench/faults/resume.ts [--quick]
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDomain } from '../../data/embedded/generate-domain.ts';
import { checkpointPath, listCheckpointEpochs, readCheckpoint, writeCheckpoint } from '../../ml/checkpoint.ts';
import { train, TrainingAbortedError, type EpochRecord, type TrainOptions } from '../../ml/train.ts';
import type { Row } from '../faults.ts';

const OUT = join(fileURLToPath(import.meta.url), '..', '..', 'out', 'faults', 'resume');

interface Lie {
  name: string;
  apply: (dir: string, epoch: number) => void | Promise<void>;
}

type Index = { meta: { epoch: number; rng: number[]; history: EpochRecord[] } };

function editIndex(dir: string, epoch: number, edit: (index: Index) => void): void {
  const file = `${checkpointPath(dir, epoch)}.json`;
  const index = JSON.parse(readFileSync(file, 'utf8')) as Index;
  edit(index);
  writeFileSync(file, JSON.stringify(index, null, 1));
}

const LIES: Lie[] = [
  {
    name: 'edited history',
    apply: (d, e) =>
      editIndex(d, e, (i) => {
        const h = i.meta.history[Math.min(1, i.meta.history.length - 1)]!; // history[1].testAccuracy (epoch 0 has only history[0])
        h.testAccuracy = h.testAccuracy === 0.5 ? 0.25 : 0.5;
      }),
  },
  { name: 'edited epoch', apply: (d, e) => editIndex(d, e, (i) => (i.meta.epoch = e + 1)) },
  { name: 'edited RNG state', apply: (d, e) => editIndex(d, e, (i) => (i.meta.rng[1] = (i.meta.rng[1]! + 1) >>> 0)) },
  {
    name: 'truncated bin',
    apply: (d, e) => truncateSync(`${checkpointPath(d, e)}.bin`, Math.floor(readFileSync(`${checkpointPath(d, e)}.bin`).length / 2)),
  },
  {
    name: 'NaN weights (valid checksums)',
    apply: (d, e) => {
      const c = readCheckpoint(checkpointPath(d, e));
      const t = [...c.tensors.values()][0]!;
      t.data[t.data.length >> 1] = NaN;
      return writeCheckpoint(checkpointPath(d, e), c.model, c.tensors, c.meta, { sealRecord: true });
    },
  },
];

function runOptions(dir: string, quick: boolean): TrainOptions {
  const data = (split: 'train' | 'test', count: number) => generateDomain({ domain: 'real', split, count, size: 16, classes: 4 });
  return {
    model: { height: 16, width: 16, channels: 3, classes: 4, widths: [4, 8], blocks: [1, 1] },
    train: data('train', 160),
    test: data('test', 64),
    config: { epochs: quick ? 3 : 4, batchSize: 32, lr: 0.05, lrDropEpochs: [2], mixupAlpha: 0.7, seed: 3, trainEvalSize: 64 },
    init: { kind: 'fresh' },
    checkpointDir: dir,
  };
}

interface Trial {
  name: string;
  /** epochs whose checkpoint lies */
  lied: number[];
  threw: string | null;
  resumedFrom: number | null;
  skipped: number[];
  identical: boolean;
}

const withoutTimes = (h: EpochRecord[]) => JSON.stringify(h.map(({ seconds: _s, samplesPerSecond: _p, ...rest }) => rest));

/** Resumes a damaged copy of `scratch` and compares it with the reference run in `reference`. */
async function trial(
  name: string,
  scratch: string,
  reference: { dir: string; history: string },
  lies: [Lie, number][],
  quick: boolean,
): Promise<Trial> {
  const dir = join(OUT, `trial-${name.replace(/[^a-z0-9]+/gi, '-')}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(scratch, dir, { recursive: true });
  for (const [lie, epoch] of lies) await lie.apply(dir, epoch);
  const base = { name, lied: lies.map(([, e]) => e), skipped: [] as number[], resumedFrom: null, identical: false };
  try {
    const r = await train({ ...runOptions(dir, quick), onLog: () => {} });
    const epochs = listCheckpointEpochs(reference.dir);
    const same = epochs.every(
      (e) =>
        existsSync(`${checkpointPath(dir, e)}.bin`) &&
        readFileSync(`${checkpointPath(dir, e)}.bin`).equals(readFileSync(`${checkpointPath(reference.dir, e)}.bin`)),
    );
    const identical = same && listCheckpointEpochs(dir).length === epochs.length && withoutTimes(r.history) === reference.history;
    return { ...base, threw: null, resumedFrom: r.resumedFrom, skipped: r.skippedCheckpoints.map((s) => s.epoch), identical };
  } catch (e) {
    return { ...base, threw: (e as Error).message.split('\n')[0]! };
  }
}

/** Interrupts the run after the checkpoint of epoch `last` (returns the scratch folder). */
async function interruptedScratch(quick: boolean, last: number): Promise<string> {
  const dir = join(OUT, 'interrupted');
  const controller = new AbortController();
  const run = train({
    ...runOptions(dir, quick),
    signal: controller.signal,
    onProgress: (p) => p.epoch === last + 1 && p.step === 1 && controller.abort(),
  });
  await run.then(
    () => {
      throw new Error('bench/faults/resume: the run to interrupt was not interrupted');
    },
    (e: unknown) => {
      if (!(e instanceof TrainingAbortedError)) throw e;
    },
  );
  return dir;
}

export async function resumeRow(quick: boolean): Promise<Row> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const refDir = join(OUT, 'reference');
  const full = await train({ ...runOptions(refDir, quick), onLog: () => {} });
  const reference = { dir: refDir, history: withoutTimes(full.history) };
  const last = full.history.length - 2; // the interrupted run has checkpoints 0..last
  const scratch = await interruptedScratch(quick, last);

  const control = await trial('control', scratch, reference, [], quick);
  const plans: [string, [Lie, number][]][] = LIES.map((l) => [`${l.name} @${last}`, [[l, last]]]);
  if (!quick) {
    plans.push(
      ...LIES.map((l): [string, [Lie, number][]] => [
        `${l.name} @${last - 1},${last}`,
        [
          [l, last - 1],
          [l, last],
        ],
      ]),
    );
    plans.push(['every checkpoint lies', Array.from({ length: last + 1 }, (_, e): [Lie, number] => [LIES[e % LIES.length]!, e])]);
  }
  const trials: Trial[] = [];
  for (const [name, lies] of plans) trials.push(await trial(name, scratch, reference, lies, quick));
  return summarise(trials, control, last);
}

function summarise(trials: Trial[], control: Trial, last: number): Row {
  // refused: an error naming a lying checkpoint, or every lying checkpoint skipped and none resumed from
  const named = (t: Trial) => t.lied.some((e) => t.threw!.includes(`${basename(checkpointPath('', e))}.json`));
  const refused = (t: Trial) =>
    t.threw !== null
      ? named(t)
      : t.lied.every((e) => t.skipped.includes(e)) && (t.resumedFrom === null || t.resumedFrom < Math.min(...t.lied));
  const recovered = trials.filter((t) => t.threw === null);
  const identical = trials.filter((t) => t.identical).length;
  const lost = new Map<string, number>();
  for (const t of recovered) {
    const where = t.resumedFrom === null ? 'restart' : `back to epoch ${t.resumedFrom}`;
    lost.set(where, (lost.get(where) ?? 0) + 1);
  }
  const bad = trials.filter((t) => !refused(t) || t.threw !== null || !t.identical);
  const controlNote =
    control.threw !== null
      ? `control FAILED: ${control.threw}`
      : `control (untouched scratch): resumed from epoch ${control.resumedFrom}${control.resumedFrom === last && control.identical ? ', identical' : ' — NOT the latest checkpoint or not identical'}`;
  return {
    fault: 'lying resume checkpoints',
    trials: trials.length,
    detected: trials.filter(refused).length,
    recovered: recovered.length,
    identical:
      identical === trials.length
        ? `yes (${identical}/${trials.length} byte-identical)`
        : `NO: ${trials.length - identical}/${trials.length} differ`,
    workLost: [...lost].map(([w, k]) => `${w} (${k})`).join(', ') || 'n/a',
    notes: [
      `latest checkpoint epoch ${last}`,
      controlNote,
      ...bad.map(
        (t) =>
          `${t.name}: ${t.threw ?? `resumed from ${t.resumedFrom}, skipped [${t.skipped}], ${t.identical ? 'identical' : 'NOT identical'}`}`,
      ),
    ].join('; '),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const row = await resumeRow(process.argv.includes('--quick'));
  console.log(JSON.stringify(row, null, 1));
}
