// block-shuffle (Fig. 3): for each target and block size (the side = unshuffled, '*' = pixel
// shuffle), the final test accuracy and optimization speed of P-T and RI-T (mean over the runs
// given), and the relative accuracy drop 100·(A_P-T − A_RI-T)/A_P-T printed on the paper's bars.
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { trainingRun } from './common/models.ts';
import { DatasetInfo } from './common/schemas.ts';
import { meanStd } from './common/stats.ts';

export const blockShuffle = defineStage(import.meta.url, {
  name: 'block-shuffle',
  params: z.strictObject({}),
  deps: { runs: 'many', data: 'many' },
  isolation: 'inline',
  run(ctx) {
    const sides = new Map(ctx.deps.data.map((d) => d.json('info.json', DatasetInfo)).map((i) => [i.domain, i.height]));
    const runs = ctx.deps.runs.map(trainingRun).map((r) => ({ ...r, block: r.blockSize ?? sides.get(r.domain)! }));
    const rows = [];
    for (const domain of [...new Set(runs.map((r) => r.domain))]) {
      for (const blockSize of [...new Set(runs.filter((r) => r.domain === domain).map((r) => r.block))]) {
        const pick = (kind: string) => runs.filter((r) => r.domain === domain && r.kind === kind && r.block === blockSize);
        const [pt, rit] = [pick('P-T'), pick('RI-T')];
        if (!pt.length || !rit.length) continue;
        const summary = (rs: typeof pt) => ({
          testAccuracy: meanStd(rs.map((r) => r.finalTestAccuracy)).mean,
          optimizationSpeed: meanStd(rs.map((r) => r.optimizationSpeed)).mean,
          runs: rs.length,
        });
        const [p, r] = [summary(pt), summary(rit)];
        rows.push({ domain, blockSize, side: sides.get(domain)!, pt: p, rit: r, relativeDrop: p.testAccuracy > 0 ? (100 * (p.testAccuracy - r.testAccuracy)) / p.testAccuracy : null });
      }
    }
    const order = (b: number | '*') => (b === '*' ? -1 : b);
    rows.sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : order(a.blockSize) - order(b.blockSize)));
    ctx.writeJson('block-shuffle.json', { rows });
  },
});
