// scorecard: the paper's claims (those the spec expects to survive scaling down, "robust", and
// the "fragile" ones), each with the paper's number, ours as an effect size with a 95% bootstrap
// interval, and one of four verdicts (scorecard/verdict.ts); then the controls, whose answers
// are known (scorecard/controls.ts). Thresholds are fixed in each claim's text; nothing is tuned
// to make a claim pass. The claims themselves are in scorecard/claims/.
import { z } from 'zod';
import { defineStage, type Upstream } from '../engine/stage.ts';
import { BarrierOutput } from './barrier.ts';
import { BlockShuffleOutput } from './block-shuffle.ts';
import { CheckpointTransferOutput } from './checkpoint-transfer.ts';
import { CkaOutput } from './cka.ts';
import { trainingRun } from './common/models.ts';
import { CriticalityOutput } from './criticality.ts';
import { DistanceOutput } from './distance.ts';
import { LearningCurvesOutput } from './learning-curves.ts';
import { MistakesOutput } from './mistakes.ts';
import { evaluateClaim } from './scorecard/claim.ts';
import { CLAIMS } from './scorecard/claims/index.ts';
import { CONTROLS, evaluateControl } from './scorecard/controls.ts';
import type { ScorecardInputs } from './scorecard/inputs.ts';
import { tally, type ScorecardOutput } from './scorecard/output.ts';
import { scorecardMarkdown } from './scorecard/render.ts';

export const scorecard = defineStage(import.meta.url, {
  name: 'scorecard',
  params: z.strictObject({
    /** fail the stage (and so the build) when a control comes out the wrong way (`--strict`) */
    strict: z.boolean().default(false),
  }),
  deps: {
    source: 'one',
    curves: 'one',
    mistakes: 'many',
    cka: 'many',
    distance: 'many',
    barrier: 'many',
    criticality: 'many',
    blocks: 'optional',
    checkpoints: 'optional',
  },
  isolation: 'inline',
  run(ctx) {
    const d = ctx.deps;
    const all = <T>(list: Upstream[], file: string, schema: z.ZodType<T>) => list.map((u) => u.json(file, schema));
    const inputs: ScorecardInputs = {
      curves: d.curves.json('learning-curves.json', LearningCurvesOutput),
      mistakes: all(d.mistakes, 'mistakes.json', MistakesOutput),
      cka: all(d.cka, 'cka.json', CkaOutput),
      distance: all(d.distance, 'distance.json', DistanceOutput),
      barrier: all(d.barrier, 'barrier.json', BarrierOutput),
      criticality: all(d.criticality, 'criticality.json', CriticalityOutput),
      blocks: d.blocks?.json('block-shuffle.json', BlockShuffleOutput),
      checkpoints: d.checkpoints?.json('checkpoint-transfer.json', CheckpointTransferOutput),
    };
    const card = scorecardOf(inputs, trainingRun(d.source));
    ctx.writeJson('scorecard.json', card);
    ctx.writeOutput('scorecard.md', scorecardMarkdown(card));
    for (const c of card.claims) ctx.log(`${c.verdict.padEnd(12)} ${c.id}: ${c.ours}`);
    for (const c of card.controls) ctx.log(`control ${c.id}: ${c.passed === null ? 'not measured' : c.passed ? 'passed' : 'FAILED'}`);
    if (card.controlsFailed.length) {
      const message = `scorecard: control(s) ${card.controlsFailed.join(', ')} came out the wrong way (see scorecard.md's Controls), so the claims' evidence is suspect`;
      if (ctx.params.strict) throw new Error(`${message}. Failing because of --strict.`);
      ctx.log(`WARNING: ${message}.`);
    }
  },
});

export function scorecardOf(inputs: ScorecardInputs, source: { domain: string; finalTestAccuracy: number; epochs: number }): ScorecardOutput {
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
