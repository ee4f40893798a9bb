// One claim of the paper, as data: where it is, what the paper found, the statistic and the
// threshold, and a function from the analyses' outputs to a verdict with numbers.
import { z } from 'zod';
import type { ScorecardInputs } from './inputs.ts';
import { Measurement, overall, VERDICTS, type Verdict } from './verdict.ts';

export interface Claim {
  id: string;
  figure: string;
  claim: string;
  paper: string;
  /** the spec's "likely to reproduce when scaled down" (robust) or not (fragile) */
  robust: boolean;
  /** 'sanity': true by construction or nearly so; shown, never counted as evidence */
  kind: 'evidence' | 'sanity';
  /** the effect size and the threshold, in words */
  statistic: string;
  measure(inputs: ScorecardInputs): Measurement[];
}

export const ClaimResult = z.object({
  id: z.string(),
  figure: z.string(),
  claim: z.string(),
  paper: z.string(),
  robust: z.boolean(),
  kind: z.enum(['evidence', 'sanity']),
  statistic: z.string(),
  verdict: z.enum(VERDICTS),
  measurements: z.array(Measurement),
  ours: z.string(),
});
export type ClaimResult = z.infer<typeof ClaimResult>;

export function evaluateClaim(c: Claim, inputs: ScorecardInputs): ClaimResult {
  const measurements = c.measure(inputs);
  const verdict: Verdict = overall(measurements.map((m) => m.verdict));
  const { measure: _, ...facts } = c;
  return { ...facts, verdict, measurements, ours: measurements.map((m) => m.text).join('; ') };
}
