import type { z } from 'zod';
import type { Upstream } from '../../engine/stage.ts';
import { BarrierOutput } from '../barrier.ts';
import { BlockShuffleOutput } from '../block-shuffle.ts';
import { CheckpointTransferOutput } from '../checkpoint-transfer.ts';
import { CkaOutput } from '../cka.ts';
import { trainingRun } from '../common/models.ts';
import { CriticalityOutput } from '../criticality.ts';
import { DistanceOutput } from '../distance.ts';
import { LearningCurvesOutput } from '../learning-curves.ts';
import { MistakesOutput } from '../mistakes.ts';
import { scorecardOf, type ScorecardContext } from '../scorecard.ts';
import type { ScorecardInputs } from '../scorecard/inputs.ts';
import { scorecardMarkdown } from '../scorecard/render.ts';

export function run(ctx: ScorecardContext): void {
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
}
