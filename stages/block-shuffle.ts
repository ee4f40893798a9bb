// block-shuffle (Fig. 3): for each target and block size (the side = unshuffled, '*' = pixel
// shuffle), the final test accuracy and optimization speed of P-T and RI-T over the replicates
// (mean, sample s.d. and each replicate's value), and the relative accuracy drop
// 100·(A_P-T − A_RI-T)/A_P-T printed on the paper's bars: of the means, and per replicate, pairing
// the P-T and RI-T runs that saw the same permutation. Bootstrap draws (stages/common/bootstrap.ts)
// of each arm's mean accuracy (over replicates and test images) and mean optimization speed (over
// replicates), with replicate streams `block-shuffle/<domain>/<block>/<init>`; the images resample
// with `imageResamples(domain, n)` at every block size (a shuffled test set keeps the image order,
// so its images are the unshuffled set's), which pairs rows of one target; and the relative drop
// per draw, from the two arms' accuracy draws.
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import { StatisticDraws } from './common/bootstrap.ts';
import { BlockSize } from './common/schemas.ts';

const ArmSummary = z.object({
  testAccuracy: z.number(),
  testAccuracySd: z.number(),
  optimizationSpeed: z.number(),
  optimizationSpeedSd: z.number(),
  runs: z.number().int(),
  seeds: z.array(z.number().int()),
  testAccuracies: z.array(z.number()),
  optimizationSpeeds: z.array(z.number()),
  /** mean accuracy over the replicates (from predictions.json), draws over replicates and images */
  testAccuracyDraws: StatisticDraws,
  /** mean optimization speed over the replicates, draws over replicates */
  optimizationSpeedDraws: StatisticDraws,
});

export const BlockShuffleRow = z.object({
  domain: z.string(),
  blockSize: BlockSize,
  side: z.number(),
  pt: ArmSummary,
  rit: ArmSummary,
  /** of the mean accuracies, in % */
  relativeDrop: z.number().nullable(),
  /** mean and s.d. over replicates of the per-replicate drop (P-T and RI-T with the same seed) */
  relativeDropSd: z.number().nullable(),
  replicateDrops: z.array(z.number()),
  /** 100·(P − R)/P per draw of the arms' accuracy draws (0 in a draw where P is 0); null if P-T's accuracy is 0 */
  relativeDropDraws: StatisticDraws.nullable(),
  /** each replicate's permutation draw (all 0 unless a weak permutation was redrawn) */
  draws: z.array(z.number().int()),
});
export const BlockShuffleOutput = z.object({ rows: z.array(BlockShuffleRow) });
export type BlockShuffleRow = z.infer<typeof BlockShuffleRow>;

const Params = z.strictObject({});

const DEPS = { runs: 'many', data: 'many' } as const satisfies DepSpec;

export type BlockShuffleContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const blockShuffle = defineStage(import.meta.url, {
  name: 'block-shuffle',
  params: Params,
  deps: DEPS,
  isolation: 'inline',
  run: async (ctx) => (await import('./run/block-shuffle.ts')).run(ctx),
});
