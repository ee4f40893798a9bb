// What the scorecard reads: every analysis output, parsed with its producer's schema. A list is
// empty, or a field undefined, when the profile did not run that analysis; claims then say
// "not measured" with the reason, never vanish.
import type { z } from 'zod';
import type { BarrierOutput } from '../barrier.ts';
import type { BlockShuffleOutput } from '../block-shuffle.ts';
import type { CheckpointTransferOutput } from '../checkpoint-transfer.ts';
import type { CkaOutput } from '../cka.ts';
import type { CriticalityOutput } from '../criticality.ts';
import type { DistanceOutput } from '../distance.ts';
import type { LearningCurvesOutput } from '../learning-curves.ts';
import type { MistakesOutput } from '../mistakes.ts';

export interface ScorecardInputs {
  curves: z.infer<typeof LearningCurvesOutput> | undefined;
  mistakes: z.infer<typeof MistakesOutput>[];
  cka: z.infer<typeof CkaOutput>[];
  distance: z.infer<typeof DistanceOutput>[];
  barrier: z.infer<typeof BarrierOutput>[];
  criticality: z.infer<typeof CriticalityOutput>[];
  blocks: z.infer<typeof BlockShuffleOutput> | undefined;
  checkpoints: z.infer<typeof CheckpointTransferOutput> | undefined;
}

export type Curve = NonNullable<ScorecardInputs['curves']>['curves'][number];
