// `diff`: what changed in the results between two lock files (this checkout's and one at a git
// revision, or another experiment's). Only instances whose output digests differ are read, so an
// unchanged result is never reported; an entry that is in neither the local store nor the remote
// is listed as such, never guessed. What counts as a result is the pipeline's (HeadlineResults).
import type { OutputDigest } from './digest.ts';
import type { EntrySource } from './entry-source.ts';
import { openUpstream } from './entry-reader.ts';
import { errorMessage } from './errors.ts';
import type { LockedInstance, LockFileData } from './lock-file.ts';
import type { Upstream } from './stage.ts';

/** A categorical result (a claim's verdict, with its effect size as `detail`) or a number. */
export type ResultValue = { kind: 'verdict'; value: string; detail?: string } | { kind: 'metric'; value: number };

/** The results `diff` compares: which stages hold them, and how to read them from an entry. */
export interface HeadlineResults {
  stages: readonly string[];
  read(entry: Upstream): Record<string, ResultValue>;
}

export interface ResultChange {
  instance: string;
  stage: string;
  key: string;
  kind: ResultValue['kind'];
  base: ResultValue | null;
  current: ResultValue | null;
  /** current − base, for metrics on both sides */
  delta: number | null;
  /** for verdicts: the verdict itself changed (not only its detail) */
  verdictChanged: boolean;
}

export interface ResultsDiff {
  base: string;
  current: string;
  /** instances with results whose outputs differ (or that exist on one side only) */
  compared: number;
  /** verdict changes first, then verdicts whose detail changed, then metrics */
  changes: ResultChange[];
  /** entries that could not be compared: in neither the local store nor the remote, other bytes than the lock file recorded, or unreadable */
  unavailable: { instance: string; side: 'base' | 'current'; fingerprint: string; reason: string }[];
}

export interface DiffSide {
  label: string;
  lock: LockFileData;
}

export async function diffResults(base: DiffSide, current: DiffSide, results: HeadlineResults, source: EntrySource): Promise<ResultsDiff> {
  const out: ResultsDiff = { base: base.label, current: current.label, compared: 0, changes: [], unavailable: [] };
  const ids = [...new Set([...Object.keys(base.lock.instances), ...Object.keys(current.lock.instances)])].sort();
  for (const id of ids) {
    const [a, b] = [base.lock.instances[id], current.lock.instances[id]];
    const stage = (b ?? a)!.stage;
    if (!results.stages.includes(stage) || (a && b && a.outputs.digest === b.outputs.digest)) continue;
    out.compared++;
    const read = async (side: 'base' | 'current', locked: LockedInstance | undefined) => {
      if (!locked) return {};
      const problem = (reason: string) => void out.unavailable.push({ instance: id, side, fingerprint: locked.fingerprint, reason });
      try {
        const outcome = await readLocked(id, stage, locked, results, source);
        if (typeof outcome === 'string') return problem(outcome);
        return outcome;
      } catch (err) {
        return problem(`unreadable: ${errorMessage(err).split('\n')[0]}`);
      }
    };
    const [before, after] = [await read('base', a), await read('current', b)];
    if (before && after) out.changes.push(...changedResults(id, stage, before, after));
  }
  out.changes.sort((x, y) => rank(x) - rank(y));
  return out;
}

/** The results of the entry the lock file recorded; a string says why there are none. */
async function readLocked(id: string, stage: string, locked: LockedInstance, results: HeadlineResults, source: EntrySource) {
  const found = await source.find(locked.fingerprint);
  if (!found) return `not found in ${source.searched()}`;
  if (found.manifest.outputs.digest !== locked.outputs.digest)
    return 'the store holds other outputs for its fingerprint than the lock file recorded (built again since, e.g. on another backend)';
  const dep = { id, stage, fingerprint: locked.fingerprint, outputDigest: locked.outputs.digest as OutputDigest };
  return results.read(await openUpstream(source.store, dep));
}

function changedResults(
  instance: string,
  stage: string,
  before: Record<string, ResultValue>,
  after: Record<string, ResultValue>,
): ResultChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.flatMap((key) => {
    const [b, a] = [before[key] ?? null, after[key] ?? null];
    if (b && a && b.value === a.value && (b.kind === 'metric' || b.detail === (a as typeof b).detail)) return [];
    const kind = (a ?? b)!.kind;
    const delta = b?.kind === 'metric' && a?.kind === 'metric' ? a.value - b.value : null;
    return [{ instance, stage, key, kind, base: b, current: a, delta, verdictChanged: kind === 'verdict' && b?.value !== a?.value }];
  });
}

function rank(c: ResultChange): number {
  return c.kind === 'verdict' ? (c.verdictChanged ? 0 : 1) : 2;
}
