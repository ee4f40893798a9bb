// scorecard: the paper's claims (those the spec expects to survive scaling down, "robust", and
// the "fragile" ones), each with the paper's number, ours as an effect size with a 95% bootstrap
// interval, and one of four verdicts (scorecard/verdict.ts); then the controls, whose answers
// are known (scorecard/controls.ts). Thresholds are fixed in each claim's text; nothing is tuned
// to make a claim pass. The claims themselves are in scorecard/claims/.
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import { evaluateClaim } from './scorecard/claim.ts';
import { CLAIMS } from './scorecard/claims/index.ts';
import { CONTROLS, evaluateControl } from './scorecard/controls.ts';
import type { ScorecardInputs } from './scorecard/inputs.ts';
import { tally, type ScorecardOutput } from './scorecard/output.ts';

const Params = z.strictObject({
  /** fail the stage (and so the build) when a control comes out the wrong way (`--strict`) */
  strict: z.boolean().default(false),
});

const DEPS = {
  source: 'one',
  curves: 'one',
  mistakes: 'many',
  cka: 'many',
  distance: 'many',
  barrier: 'many',
  criticality: 'many',
  blocks: 'optional',
  checkpoints: 'optional',
} as const satisfies DepSpec;

export type ScorecardContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const scorecard = defineStage(import.meta.url, {
  name: 'scorecard',
  params: Params,
  deps: DEPS,
  isolation: 'inline',
  run: async (ctx) => (await import('./run/scorecard.ts')).run(ctx),
});

export function scorecardOf(
  inputs: ScorecardInputs,
  source: { domain: string; finalTestAccuracy: number; epochs: number },
): ScorecardOutput {
  const claims = CLAIMS.map((c) => evaluateClaim(c, inputs));
  const controls = CONTROLS.map((c) => evaluateControl(c, inputs));
  return {
    source: { domain: source.domain, finalTestAccuracy: source.finalTestAccuracy, epochs: source.epochs },
    tally: tally(claims),
    claims,
    controls,
    controlsFailed: controls.filter((c) => c.passed === false).map((c) => c.id),
  };
}
