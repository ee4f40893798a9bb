// Figure 3: final test accuracy (left) and optimization speed (right) against block size, P-T
// and RI-T per target: bars are replicate means, whiskers ±1 s.d., dots the replicates; the
// relative accuracy drop 100·(A_P-T − A_RI-T)/A_P-T (of the means) above each pair, with its 95%
// bootstrap interval (over replicates and test images).
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import type { BlockShuffleRow } from './block-shuffle.ts';
import { percentileInterval } from './common/bootstrap.ts';

/** "37% [29, 45]": the relative drop and its 95% interval, or '' where P-T's accuracy is 0. */
export function dropLabel(r: Pick<BlockShuffleRow, 'relativeDropDraws'>): string {
  const d = r.relativeDropDraws;
  if (!d) return '';
  if (!d.draws.length) return `${Math.round(d.estimate)}%`;
  const [lo, hi] = percentileInterval(d.draws);
  return `${Math.round(d.estimate)}% [${Math.round(lo)}, ${Math.round(hi)}]`;
}

const Params = z.strictObject({});
const DEPS = { blocks: 'one' } as const satisfies DepSpec;

export type FigureBlockShuffleContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const figureBlockShuffle = defineStage(import.meta.url, {
  name: 'figure-block-shuffle',
  params: Params,
  deps: DEPS,
  isolation: 'inline',
  run: async (ctx) => (await import('./run/figure-block-shuffle.ts')).run(ctx),
});
