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
import { defineStage } from '../engine/stage.ts';
import { combine, StatisticDraws } from './common/bootstrap.ts';
import { BlockSize, DatasetInfo, type TrainingRun } from './common/schemas.ts';
import { meanStd } from './common/stats.ts';
import { replicateDraws, scoredRun, type ScoredRun } from './learning-curves.ts';

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

type Run = TrainingRun & { block: BlockSize; correct: readonly number[] };

export const blockShuffle = defineStage(import.meta.url, {
  name: 'block-shuffle',
  params: z.strictObject({}),
  deps: { runs: 'many', data: 'many' },
  isolation: 'inline',
  run(ctx) {
    const sides = new Map(ctx.deps.data.map((d) => d.json('info.json', DatasetInfo)).map((i) => [i.domain, i.height]));
    const runs: Run[] = ctx.deps.runs.map(scoredRun).map(({ run: r, correct }) => ({ ...r, block: r.blockSize ?? sides.get(r.domain)!, correct }));
    const rows: BlockShuffleRow[] = [];
    for (const domain of [...new Set(runs.map((r) => r.domain))]) {
      for (const blockSize of [...new Set(runs.filter((r) => r.domain === domain).map((r) => r.block))]) {
        const pick = (kind: string) => runs.filter((r) => r.domain === domain && r.kind === kind && r.block === blockSize).sort((a, b) => a.seed - b.seed);
        const row = summariseBlock(domain, blockSize, sides.get(domain)!, pick('P-T'), pick('RI-T'));
        if (row) rows.push(row);
      }
    }
    const order = (b: number | '*') => (b === '*' ? -1 : b);
    rows.sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : order(a.blockSize) - order(b.blockSize)));
    ctx.writeJson('block-shuffle.json', { rows } satisfies z.infer<typeof BlockShuffleOutput>);
  },
});

function summariseBlock(domain: string, blockSize: BlockSize, side: number, pt: Run[], rit: Run[]): BlockShuffleRow | undefined {
  if (!pt.length || !rit.length) return undefined;
  const arm = (rs: Run[], init: string) => {
    const acc = meanStd(rs.map((r) => r.finalTestAccuracy));
    const speed = meanStd(rs.map((r) => r.optimizationSpeed));
    const scored: ScoredRun[] = rs.map((r) => ({ run: r, correct: r.correct }));
    return {
      testAccuracy: acc.mean, testAccuracySd: acc.std, optimizationSpeed: speed.mean, optimizationSpeedSd: speed.std,
      runs: rs.length, seeds: rs.map((r) => r.seed), testAccuracies: rs.map((r) => r.finalTestAccuracy), optimizationSpeeds: rs.map((r) => r.optimizationSpeed),
      ...replicateDraws(scored, domain, `block-shuffle/${domain}/${blockSize}/${init}`),
    };
  };
  const [p, r] = [arm(pt, 'P-T'), arm(rit, 'RI-T')];
  const drop = (a: number, b: number) => (100 * (a - b)) / a;
  const replicateDrops = pt.flatMap((x) => {
    const y = rit.find((q) => q.seed === x.seed);
    return y && x.finalTestAccuracy > 0 ? [drop(x.finalTestAccuracy, y.finalTestAccuracy)] : [];
  });
  return {
    domain, blockSize, side, pt: p, rit: r,
    relativeDrop: p.testAccuracy > 0 ? drop(p.testAccuracy, r.testAccuracy) : null,
    relativeDropSd: replicateDrops.length ? meanStd(replicateDrops).std : null,
    replicateDrops,
    relativeDropDraws: relativeDropDraws(p.testAccuracyDraws, r.testAccuracyDraws),
    draws: pt.map((x) => x.shuffleDraw ?? 0),
  };
}

/** 100·(P − R)/P per draw; null when P-T's accuracy estimate is 0 (no drop is defined). */
export function relativeDropDraws(pt: StatisticDraws, rit: StatisticDraws): StatisticDraws | null {
  if (pt.estimate <= 0) return null;
  return combine([pt, rit], (a, b) => (a > 0 ? (100 * (a - b)) / a : 0));
}
