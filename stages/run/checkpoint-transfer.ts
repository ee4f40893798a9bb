import type { CheckpointTransferContext, CheckpointTransferOutput } from '../checkpoint-transfer.ts';
import { trainingRun } from '../common/models.ts';
import { meanStd } from '../common/stats.ts';
import { replicateDraws, scoredRun, type ScoredRun } from './learning-curves.ts';

export function run(ctx: CheckpointTransferContext): void {
  const source = trainingRun(ctx.deps.source);
  const runs = ctx.deps.runs.map(scoredRun).filter((s) => s.run.kind === 'P-T' && s.run.sourceEpoch !== null);
  const domains = [...new Set(runs.map((s) => s.run.domain))];
  ctx.writeJson('checkpoint-transfer.json', {
    source: { domain: source.domain, epochs: source.history.map((h) => ({ epoch: h.epoch, testAccuracy: h.testAccuracy, lr: h.lr })) },
    targets: domains.map((domain) => ({
      domain,
      points: pointsOf(
        domain,
        runs.filter((s) => s.run.domain === domain),
      ),
    })),
  } satisfies CheckpointTransferOutput);
}

function pointsOf(domain: string, scored: ScoredRun[]): CheckpointTransferOutput['targets'][number]['points'] {
  const epochs = [...new Set(scored.map((s) => s.run.sourceEpoch!))].sort((a, b) => a - b);
  return epochs.map((sourceEpoch) => {
    const group = scored.filter((s) => s.run.sourceEpoch === sourceEpoch).sort((a, b) => a.run.seed - b.run.seed);
    const rs = group.map((s) => s.run);
    const acc = meanStd(rs.map((r) => r.finalTestAccuracy));
    const speed = meanStd(rs.map((r) => r.optimizationSpeed));
    return {
      sourceEpoch,
      testAccuracy: acc.mean,
      optimizationSpeed: speed.mean,
      testAccuracySd: acc.std,
      optimizationSpeedSd: speed.std,
      seeds: rs.map((r) => r.seed),
      testAccuracies: rs.map((r) => r.finalTestAccuracy),
      optimizationSpeeds: rs.map((r) => r.optimizationSpeed),
      ...replicateDraws(group, domain, `checkpoint-transfer/${domain}/k${sourceEpoch}`),
    };
  });
}
