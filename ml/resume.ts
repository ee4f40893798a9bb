// Where a restarted training run resumes: the newest checkpoint in its scratch folder whose whole
// record verifies (a sealed index — metadata, history, RNG state, epoch — and the .bin, no
// non-finite values, weights that fit the model) and whose earlier epochs all verify too (the
// stage outputs every epoch's weights, so a hole below the resume point would ship a broken
// entry). Checkpoints above that point are moved to `<dir>/rejected/`, each logged with the
// reason; with none usable the run restarts from scratch, and says so. Resuming from an older
// checkpoint only costs time: training is deterministic, so the result is the same bytes.
import { mkdirSync, renameSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  checkpointPath,
  listCheckpointEpochs,
  OPTIMIZER_PREFIX,
  readCheckpoint,
  UnusableCheckpointError,
  type Checkpoint,
} from './checkpoint.ts';
import type { FixupResNet } from './model.ts';
import type { RngState } from './rng.ts';
import type { EpochRecord } from './train.ts';
import type { Weights } from './weights.ts';

export interface ResumePoint {
  epoch: number;
  weights: Weights;
  /** optimizer momentum by parameter name */
  buffers: Map<string, Float32Array>;
  rng: RngState;
  history: EpochRecord[];
}

export interface SkippedCheckpoint {
  epoch: number;
  reason: string;
}

export interface ResumeChoice {
  /** undefined: start from scratch */
  point: ResumePoint | undefined;
  skipped: SkippedCheckpoint[];
}

type Examined = { epoch: number; problem: string } | { epoch: number; problem?: undefined; point: ResumePoint };

/** Picks the resume point in `dir` for the run `resumeKey` identifies (see the file comment). */
export function chooseResumePoint(dir: string, model: FixupResNet, resumeKey: string, log: (message: string) => void): ResumeChoice {
  const epochs = listCheckpointEpochs(dir);
  if (epochs.length === 0) return { point: undefined, skipped: [] };
  let point: ResumePoint | undefined;
  let hole: string | undefined;
  const skipped: SkippedCheckpoint[] = [];
  // Every checkpoint is examined (a foreign one anywhere is an error, not damage); only the
  // newest of the unbroken run 0, 1, …, k is kept in memory.
  for (const [i, epoch] of epochs.entries()) {
    const found = examine(dir, epoch, model, resumeKey);
    if (hole === undefined && epoch !== i) hole = `the epoch-${i} checkpoint is missing`;
    if (hole !== undefined)
      skipped.push({ epoch, reason: found.problem ?? `it verifies, but ${hole}, and every epoch's weights are outputs of the run` });
    else if (found.problem !== undefined) {
      skipped.push({ epoch, reason: found.problem });
      hole = `the epoch-${epoch} checkpoint is unusable`;
    } else point = found.point;
  }
  setAside(dir, skipped, log);
  if (skipped.length === 0) return { point, skipped };
  if (point)
    log(
      `resuming from the newest checkpoint that verifies, epoch ${point.epoch} (${checkpointPath(dir, point.epoch)}.json), instead of epoch ${epochs.at(-1)}`,
    );
  else log(`no checkpoint in ${dir} verifies: restarting the run from scratch`);
  return { point, skipped };
}

/** The resume point stored in checkpoint `epoch`, or why it cannot be one; throws if it belongs to another run. */
function examine(dir: string, epoch: number, model: FixupResNet, resumeKey: string): Examined {
  let ckpt: Checkpoint;
  try {
    ckpt = readCheckpoint(checkpointPath(dir, epoch), { requireSealedRecord: true });
  } catch (e) {
    if (e instanceof UnusableCheckpointError) return { epoch, problem: e.reason };
    throw e;
  }
  const meta = ckpt.meta as { epoch?: unknown; resumeKey?: unknown; rng?: unknown; history?: unknown };
  if (meta.resumeKey !== resumeKey)
    throw new Error(
      `Checkpoint ${ckpt.path}.json belongs to a different training run (other model, data, init or ` +
        `hyperparameters) or is not a training checkpoint, so this run cannot resume from ${dir}. To fix: ` +
        `give this run its own checkpoint directory, or delete ${dir} to start over.`,
    );
  const problem = metaProblem(meta, epoch);
  if (problem) return { epoch, problem };
  const weights: Weights = new Map();
  const buffers = new Map<string, Float32Array>();
  for (const [n, t] of ckpt.tensors) {
    if (n.startsWith(OPTIMIZER_PREFIX)) buffers.set(n.slice(OPTIMIZER_PREFIX.length), t.data);
    else weights.set(n, t);
  }
  try {
    model.checkWeights(weights, 'its weights');
  } catch (e) {
    return { epoch, problem: (e as Error).message };
  }
  const unmatched = [...weights].filter(([n, t]) => buffers.get(n)?.length !== t.data.length).map(([n]) => n);
  if (unmatched.length || buffers.size !== weights.size)
    return { epoch, problem: `its optimizer state does not match its weights (${unmatched.slice(0, 3).join(', ') || 'extra buffers'})` };
  return { epoch, point: { epoch, weights, buffers, rng: meta.rng as RngState, history: meta.history as EpochRecord[] } };
}

const HISTORY_NUMBERS = ['lr', 'trainAccuracy', 'trainEvalLoss', 'testAccuracy', 'testLoss', 'samplesPerSecond', 'seconds'] as const;

/** What is wrong with a training checkpoint's epoch, RNG state and history, if anything. */
function metaProblem(meta: { epoch?: unknown; rng?: unknown; history?: unknown }, epoch: number): string | undefined {
  if (meta.epoch !== epoch) return `its metadata says epoch ${JSON.stringify(meta.epoch)}, its file name epoch ${epoch}`;
  const rng = meta.rng;
  if (
    !Array.isArray(rng) ||
    rng.length !== 4 ||
    !rng.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32) ||
    rng.every((v) => v === 0)
  )
    return `its RNG state ${JSON.stringify(rng)} is not four 32-bit words (not all zero)`;
  const history = meta.history;
  if (!Array.isArray(history) || history.length !== epoch + 1)
    return `its history has ${Array.isArray(history) ? history.length : 'no'} records, not one per epoch 0..${epoch}`;
  for (const [i, h] of (history as Record<string, unknown>[]).entries()) {
    const bad =
      h === null ||
      typeof h !== 'object' ||
      h.epoch !== i ||
      !(h.trainLoss === null ? i === 0 : typeof h.trainLoss === 'number') ||
      HISTORY_NUMBERS.some((k) => typeof h[k] !== 'number');
    if (bad) return `its history record ${i} is malformed (${JSON.stringify(h).slice(0, 120)})`;
  }
  return undefined;
}

/** Moves the skipped checkpoints to `<dir>/rejected/` (kept for a post-mortem), logging each. */
function setAside(dir: string, skipped: SkippedCheckpoint[], log: (message: string) => void): void {
  if (skipped.length === 0) return;
  const rejected = join(dir, 'rejected');
  mkdirSync(rejected, { recursive: true });
  for (const { epoch, reason } of skipped) {
    const path = checkpointPath(dir, epoch);
    // the index first: it is what makes a checkpoint exist
    for (const file of [`${path}.json`, `${path}.bin`]) if (existsSync(file)) renameSync(file, join(rejected, basename(file)));
    log(`skipped checkpoint ${path}.json: ${reason}; moved it to ${rejected}/`);
  }
}
