// A claim's verdict rests on an effect size with a 95% bootstrap interval compared with a
// threshold fixed in the claim's text:
//   held          the whole interval is on the claimed side of the threshold;
//   did not hold  the whole interval is on the other side;
//   inconclusive  the interval straddles the threshold (never counted as held);
//   not measured  the analysis did not run (the reason is given).
import { z } from 'zod';
import { percentileInterval, type StatisticDraws } from '../common/bootstrap.ts';

export const VERDICTS = ['held', 'did not hold', 'inconclusive', 'not measured'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const Measurement = z.object({
  /** what was measured, e.g. "real" or "real b=1" */
  where: z.string(),
  verdict: z.enum(VERDICTS),
  estimate: z.number().nullable(),
  interval: z.tuple([z.number(), z.number()]).nullable(),
  /** the effect in words, with its interval */
  text: z.string(),
});
export type Measurement = z.infer<typeof Measurement>;

/** `above`: the claim is effect > threshold; `below`: effect < threshold. */
export function compare(
  where: string,
  effect: StatisticDraws,
  threshold: number,
  side: 'above' | 'below',
  show: (x: number) => string,
): Measurement {
  const interval = percentileInterval(effect.draws);
  const [lo, hi] = interval;
  const claimed = side === 'above' ? lo > threshold : hi < threshold;
  const against = side === 'above' ? hi < threshold : lo > threshold;
  const verdict: Verdict = claimed ? 'held' : against ? 'did not hold' : 'inconclusive';
  return { where, verdict, estimate: effect.estimate, interval, text: `${where} ${show(effect.estimate)} [${show(lo)}, ${show(hi)}]` };
}

/** The effect's interval lies inside [low, high] (an equivalence test, e.g. "flat within ±2 points"). */
export function within(where: string, effect: StatisticDraws, low: number, high: number, show: (x: number) => string): Measurement {
  const interval = percentileInterval(effect.draws);
  const [lo, hi] = interval;
  const verdict: Verdict = lo >= low && hi <= high ? 'held' : hi < low || lo > high ? 'did not hold' : 'inconclusive';
  return { where, verdict, estimate: effect.estimate, interval, text: `${where} ${show(effect.estimate)} [${show(lo)}, ${show(hi)}]` };
}

/** Every part must hold for the whole to hold; any part against it decides against. */
export function allOf(where: string, parts: Measurement[]): Measurement {
  if (!parts.length) return notMeasured(where, 'nothing to measure');
  const verdict = overall(parts.map((p) => p.verdict));
  return { where, verdict, estimate: null, interval: null, text: parts.map((p) => p.text).join(', ') };
}

/** A claim "on every target": did not hold if any target says so, inconclusive if any is, else held. */
export function overall(verdicts: Verdict[]): Verdict {
  const measured = verdicts.filter((v) => v !== 'not measured');
  if (!measured.length) return 'not measured';
  if (measured.includes('did not hold')) return 'did not hold';
  if (measured.includes('inconclusive') || measured.length < verdicts.length) return 'inconclusive';
  return 'held';
}

export function notMeasured(where: string, reason: string): Measurement {
  return { where, verdict: 'not measured', estimate: null, interval: null, text: `${where}: not measured (${reason})` };
}

export const pts = (x: number) => `${x < 0 ? '−' : '+'}${Math.abs(100 * x).toFixed(1)}`;
export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
export const num = (d: number) => (x: number) => x.toFixed(d);
