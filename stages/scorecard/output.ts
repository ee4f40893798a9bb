// scorecard.json, as its producer writes it; the report imports this schema.
import { z } from 'zod';
import { ClaimResult } from './claim.ts';
import { ControlResult } from './controls.ts';

export const ScorecardOutput = z.object({
  source: z.object({ domain: z.string(), finalTestAccuracy: z.number(), epochs: z.number() }),
  tally: z.object({
    /** claims of kind 'evidence' (sanity checks are not counted) */
    evidence: z.number().int(),
    held: z.number().int(),
    didNotHold: z.number().int(),
    inconclusive: z.number().int(),
    notMeasured: z.number().int(),
    robust: z.number().int(),
    robustHeld: z.number().int(),
    sanity: z.number().int(),
  }),
  claims: z.array(ClaimResult),
  controls: z.array(ControlResult),
  /** ids of the controls that came out the wrong way */
  controlsFailed: z.array(z.string()),
});
export type ScorecardOutput = z.infer<typeof ScorecardOutput>;

export function tally(claims: ClaimResult[]): ScorecardOutput['tally'] {
  const evidence = claims.filter((c) => c.kind === 'evidence');
  const count = (v: string, list = evidence) => list.filter((c) => c.verdict === v).length;
  const robust = evidence.filter((c) => c.robust);
  return {
    evidence: evidence.length,
    held: count('held'),
    didNotHold: count('did not hold'),
    inconclusive: count('inconclusive'),
    notMeasured: count('not measured'),
    robust: robust.length,
    robustHeld: count('held', robust),
    sanity: claims.length - evidence.length,
  };
}
