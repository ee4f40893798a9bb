import type { z } from 'zod';
import type { BlockShuffleContext, BlockShuffleOutput, BlockShuffleRow } from '../block-shuffle.ts';
import { combine, type StatisticDraws } from '../common/bootstrap.ts';
import { type BlockSize, DatasetInfo, type TrainingRun } from '../common/schemas.ts';
import { meanStd } from '../common/stats.ts';
import { replicateDraws, scoredRun, type ScoredRun } from './learning-curves.ts';

type Run = TrainingRun & { block: BlockSize; correct: readonly number[] };

export function run(ctx: BlockShuffleContext): void {
  const sides = new Map(ctx.deps.data.map((d) => d.json('info.json', DatasetInfo)).map((i) => [i.domain, i.height]));
  const runs: Run[] = ctx.deps.runs
    .map(scoredRun)
    .map(({ run: r, correct }) => ({ ...r, block: r.blockSize ?? sides.get(r.domain)!, correct }));
  const rows: BlockShuffleRow[] = [];
  for (const domain of [...new Set(runs.map((r) => r.domain))]) {
    for (const blockSize of [...new Set(runs.filter((r) => r.domain === domain).map((r) => r.block))]) {
      const pick = (kind: string) =>
        runs.filter((r) => r.domain === domain && r.kind === kind && r.block === blockSize).sort((a, b) => a.seed - b.seed);
      const row = summariseBlock(domain, blockSize, sides.get(domain)!, pick('P-T'), pick('RI-T'));
      if (row) rows.push(row);
    }
  }
  const order = (b: number | '*') => (b === '*' ? -1 : b);
  rows.sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : order(a.blockSize) - order(b.blockSize)));
  ctx.writeJson('block-shuffle.json', { rows } satisfies z.infer<typeof BlockShuffleOutput>);
}

function summariseBlock(domain: string, blockSize: BlockSize, side: number, pt: Run[], rit: Run[]): BlockShuffleRow | undefined {
  if (!pt.length || !rit.length) return undefined;
  const arm = (rs: Run[], init: string) => {
    const acc = meanStd(rs.map((r) => r.finalTestAccuracy));
    const speed = meanStd(rs.map((r) => r.optimizationSpeed));
    const scored: ScoredRun[] = rs.map((r) => ({ run: r, correct: r.correct }));
    return {
      testAccuracy: acc.mean,
      testAccuracySd: acc.std,
      optimizationSpeed: speed.mean,
      optimizationSpeedSd: speed.std,
      runs: rs.length,
      seeds: rs.map((r) => r.seed),
      testAccuracies: rs.map((r) => r.finalTestAccuracy),
      optimizationSpeeds: rs.map((r) => r.optimizationSpeed),
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
    domain,
    blockSize,
    side,
    pt: p,
    rit: r,
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
