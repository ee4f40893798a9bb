// How far a running stage is, and how long the running stages still need. A stage's own count
// (done of total) is clamped to 0–100%; it is trusted for the remaining time once it has moved
// since its first update (a stage resumed from a checkpoint starts at its checkpoint's count, so
// the rate is measured from there, not from 0%), before that the last run's time is used. A stage
// past its last run's time with no count of its own has an unknown remaining time, and then so
// has the whole: no ETA is shown rather than a wrong one.
import type { ProgressUpdate } from './stage.ts';

const MIN_FRACTION_FOR_RATE = 0.02;

export interface RunningStage {
  since: number;
  expected?: number | undefined;
  update?: ProgressUpdate | undefined;
  /** when the stage first reported a count, and how far it was then */
  firstCount?: { at: number; fraction: number } | undefined;
}

export function fractionDone(update: ProgressUpdate | undefined): number | undefined {
  if (!update?.total || update.done === undefined) return undefined;
  const f = update.done / update.total;
  return Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : undefined;
}

/** Seconds one running stage still needs, or undefined when nothing says. */
export function stageRemaining(r: RunningStage, now: number): number | undefined {
  const f = fractionDone(r.update);
  const start = r.firstCount ?? { at: r.since, fraction: 0 };
  if (f !== undefined && f - start.fraction >= MIN_FRACTION_FOR_RATE) return (((now - start.at) / 1000) * (1 - f)) / (f - start.fraction);
  const elapsed = (now - r.since) / 1000;
  if (r.expected === undefined || elapsed > r.expected) return undefined;
  return r.expected - elapsed;
}

/** Seconds until every running stage is done, when `slots` of them run at once; undefined if unknown. */
export function runningRemaining(running: Iterable<RunningStage>, now: number, slots: number): number | undefined {
  let total = 0;
  let longest = 0;
  let n = 0;
  for (const r of running) {
    const left = stageRemaining(r, now);
    if (left === undefined) return undefined;
    total += left;
    longest = Math.max(longest, left);
    n++;
  }
  // never less than the longest stage, however many slots
  return n ? Math.max(longest, total / Math.max(1, Math.min(slots, n))) : undefined;
}
