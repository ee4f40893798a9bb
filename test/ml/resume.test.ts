// Resume from a scratch folder that lies: every part of a checkpoint record is verified, a bad
// checkpoint is skipped for the newest good one (or the run restarts), and the result is the same
// bytes as an uninterrupted run.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initBackend } from '../../ml/backend.ts';
import { checkpointPath, listCheckpointEpochs, readCheckpoint, saveWeights, writeCheckpoint } from '../../ml/checkpoint.ts';
import { train, TrainingAbortedError, type EpochRecord, type TrainResult } from '../../ml/train.ts';
import { resumeTestOptions } from './train-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'wt-resume-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `run-${n++}`);

const EPOCHS = 4;
const withoutTimes = (h: EpochRecord[]) => h.map(({ seconds: _s, samplesPerSecond: _p, ...rest }) => rest);
const bin = (dir: string, epoch: number) => readFileSync(`${checkpointPath(dir, epoch)}.bin`);
const indexFile = (dir: string, epoch: number) => `${checkpointPath(dir, epoch)}.json`;

let reference: string;
let full: TrainResult;
/** scratch of a run aborted during epoch 3: checkpoints 0, 1, 2 */
let interrupted: string;

before(async () => {
  await initBackend({ backend: 'wasm', log: () => {} });
  reference = freshDir();
  full = await train(resumeTestOptions(reference));
  interrupted = freshDir();
  const controller = new AbortController();
  await assert.rejects(
    train({
      ...resumeTestOptions(interrupted),
      signal: controller.signal,
      onProgress: (p) => p.epoch === 3 && p.step === 2 && controller.abort(),
    }),
    (e: unknown) => e instanceof TrainingAbortedError && e.lastCheckpointEpoch === 2,
  );
  assert.deepEqual(listCheckpointEpochs(interrupted), [0, 1, 2]);
});

/** A copy of the interrupted scratch, damaged by `damage`. */
async function scratch(damage: (dir: string) => void | Promise<void>): Promise<string> {
  const dir = freshDir();
  cpSync(interrupted, dir, { recursive: true });
  await damage(dir);
  return dir;
}

async function resume(dir: string): Promise<{ result: TrainResult; logs: string[] }> {
  const logs: string[] = [];
  const result = await train({ ...resumeTestOptions(dir), onLog: (m) => logs.push(m) });
  return { result, logs };
}

/** Every epoch's weights + momentum, the final RNG state and the history equal the uninterrupted run's. */
function assertIdenticalToReference(dir: string, result: TrainResult): void {
  assert.deepEqual(listCheckpointEpochs(dir), [0, 1, 2, 3, 4]);
  for (let e = 0; e <= EPOCHS; e++)
    assert.ok(bin(dir, e).equals(bin(reference, e)), `epoch ${e} weights differ from the uninterrupted run`);
  assert.deepEqual(readCheckpoint(checkpointPath(dir, EPOCHS)).meta.rng, readCheckpoint(checkpointPath(reference, EPOCHS)).meta.rng);
  assert.equal(result.history.length, EPOCHS + 1);
  assert.deepEqual(withoutTimes(result.history), withoutTimes(full.history));
  assert.deepEqual(result.weights, full.weights);
}

function editIndex(dir: string, epoch: number, edit: (index: { meta: Record<string, unknown> }) => void): void {
  const index = JSON.parse(readFileSync(indexFile(dir, epoch), 'utf8')) as { meta: Record<string, unknown> };
  edit(index);
  writeFileSync(indexFile(dir, epoch), JSON.stringify(index, null, 1));
}

function flipByte(file: string, at: number): void {
  const bytes = readFileSync(file);
  bytes[at] = bytes[at]! ^ 0x40;
  writeFileSync(file, bytes);
}

describe('resume from a lying scratch folder', () => {
  it('control: an intact scratch resumes from its latest checkpoint, byte-identical', async () => {
    const dir = await scratch(() => {});
    const { result, logs } = await resume(dir);
    assert.equal(result.resumedFrom, 2);
    assert.deepEqual(result.skippedCheckpoints, []);
    assert.deepEqual(logs, []);
    assertIdenticalToReference(dir, result);
  });

  it('(a) an edited history[1].testAccuracy in the latest index: that checkpoint is skipped, and the edit is not committed', async () => {
    const edited = 0.123456;
    assert.notEqual(full.history[1]!.testAccuracy, edited);
    const dir = await scratch((d) => editIndex(d, 2, (i) => ((i.meta.history as EpochRecord[])[1]!.testAccuracy = edited)));
    const { result, logs } = await resume(dir);
    assert.equal(result.resumedFrom, 1);
    assert.equal(result.skippedCheckpoints.length, 1);
    assert.equal(result.skippedCheckpoints[0]!.epoch, 2);
    assert.match(result.skippedCheckpoints[0]!.reason, /does not match its own record checksum/);
    assert.equal(logs.length, 2);
    assert.match(
      logs[0]!,
      /skipped checkpoint .*epoch-0002\.json: its index does not match its own record checksum.*moved it to .*rejected/,
    );
    assert.match(logs[1]!, /resuming from the newest checkpoint that verifies, epoch 1 .* instead of epoch 2/);
    assert.ok(existsSync(join(dir, 'rejected', 'epoch-0002.json')), 'the lying checkpoint is kept aside for a post-mortem');
    assert.equal(result.history[1]!.testAccuracy, full.history[1]!.testAccuracy);
    assertIdenticalToReference(dir, result);
  });

  it('(a) an edited epoch or RNG state in the latest index is skipped too', async () => {
    type Index = { meta: Record<string, unknown> };
    const edits = [
      (i: Index) => (i.meta.epoch = 3),
      (i: Index) => ((i.meta.rng as number[])[1] = ((i.meta.rng as number[])[1]! + 1) >>> 0),
    ];
    assert.equal(edits.length, 2);
    for (const edit of edits) {
      const dir = await scratch((d) => editIndex(d, 2, edit));
      const { result } = await resume(dir);
      assert.equal(result.resumedFrom, 1);
      assert.deepEqual(
        result.skippedCheckpoints.map((s) => s.epoch),
        [2],
      );
      assert.match(result.skippedCheckpoints[0]!.reason, /does not match its own record checksum/);
      assertIdenticalToReference(dir, result);
    }
  });

  it('(b) a truncated or bit-flipped latest .bin falls back to the previous epoch, byte-identical', async () => {
    const cases: [string, (file: string) => void, RegExp][] = [
      ['truncated', (f) => truncateSync(f, 1000), /has 1000 bytes but the index says \d+/],
      ['flipped', (f) => flipByte(f, 777), /does not match the checksum in the index/],
    ];
    assert.equal(cases.length, 2);
    for (const [name, damage, reason] of cases) {
      const dir = await scratch((d) => damage(`${checkpointPath(d, 2)}.bin`));
      const { result } = await resume(dir);
      assert.equal(result.resumedFrom, 1, name);
      assert.equal(result.skippedCheckpoints.length, 1, name);
      assert.match(result.skippedCheckpoints[0]!.reason, reason);
      assertIdenticalToReference(dir, result);
    }
  });

  it('(c) with every checkpoint bad the run restarts from scratch, logs it, and is byte-identical', async () => {
    const dir = await scratch((d) => {
      flipByte(`${checkpointPath(d, 0)}.bin`, 10);
      editIndex(d, 1, (i) => ((i.meta.history as EpochRecord[])[0]!.trainAccuracy = 1));
      truncateSync(`${checkpointPath(d, 2)}.bin`, 0);
    });
    const { result, logs } = await resume(dir);
    assert.equal(result.resumedFrom, null);
    assert.deepEqual(
      result.skippedCheckpoints.map((s) => s.epoch),
      [0, 1, 2],
    );
    assert.match(logs.at(-1)!, /no checkpoint in .* verifies: restarting the run from scratch/);
    assert.deepEqual(readdirSync(join(dir, 'rejected')).sort(), [
      'epoch-0000.bin',
      'epoch-0000.json',
      'epoch-0001.bin',
      'epoch-0001.json',
      'epoch-0002.bin',
      'epoch-0002.json',
    ]);
    assertIdenticalToReference(dir, result);
  });

  it('a bad middle checkpoint: resumes below it (every epoch is an output), byte-identical', async () => {
    const dir = await scratch((d) => flipByte(`${checkpointPath(d, 1)}.bin`, 99));
    const { result } = await resume(dir);
    assert.equal(result.resumedFrom, 0);
    assert.deepEqual(
      result.skippedCheckpoints.map((s) => s.epoch),
      [1, 2],
    );
    assert.match(result.skippedCheckpoints[1]!.reason, /it verifies, but the epoch-1 checkpoint is unusable/);
    assertIdenticalToReference(dir, result);
  });

  it('(d) NaN weights in a sealed latest checkpoint are refused naming the tensor and file, and it falls back', async () => {
    const dir = await scratch((d) => {
      const c = readCheckpoint(checkpointPath(d, 2));
      const t = c.tensors.get('stem.conv')!;
      t.data[3] = NaN;
      return writeCheckpoint(checkpointPath(d, 2), c.model, c.tensors, c.meta, { sealRecord: true });
    });
    assert.throws(
      () => readCheckpoint(checkpointPath(dir, 2)),
      /epoch-0002\.json is unusable: its tensor stem\.conv \(in .*epoch-0002\.bin\) holds 1 non-finite value \(the first, NaN, at index 3\)/,
    );
    const { result } = await resume(dir);
    assert.equal(result.resumedFrom, 1);
    assert.match(result.skippedCheckpoints[0]!.reason, /non-finite/);
    assertIdenticalToReference(dir, result);
  });

  it('an unsealed checkpoint (no record checksum) cannot be verified, so it is not resumed from', async () => {
    const dir = await scratch(() => {});
    const c = readCheckpoint(checkpointPath(dir, 2));
    await saveWeights(checkpointPath(dir, 2), c.model, c.tensors, c.meta);
    const { result } = await resume(dir);
    assert.equal(result.resumedFrom, 1);
    assert.match(result.skippedCheckpoints[0]!.reason, /no record checksum/);
    assertIdenticalToReference(dir, result);
  });

  it('an intact checkpoint of another run is still an error, and nothing is moved', async () => {
    const dir = await scratch(() => {});
    const base = resumeTestOptions(dir);
    await assert.rejects(
      train({ ...base, config: { ...base.config, lr: 0.1 }, onLog: () => {} }),
      /epoch-0000\.json belongs to a different training run/,
    );
    assert.deepEqual(listCheckpointEpochs(dir), [0, 1, 2]);
    assert.ok(!existsSync(join(dir, 'rejected')));
  });
});
