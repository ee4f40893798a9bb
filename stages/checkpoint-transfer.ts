// checkpoint-transfer (Fig. 7): fine-tuning (P-T recipe) from pre-training checkpoints k —
// final target test accuracy and optimization speed against k — beside the source's own test
// accuracy at each pre-training epoch (the paper's shaded area).
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { trainingRun } from './common/models.ts';

export const checkpointTransfer = defineStage(import.meta.url, {
  name: 'checkpoint-transfer',
  params: z.strictObject({}),
  deps: { source: 'one', runs: 'many' },
  isolation: 'inline',
  run(ctx) {
    const source = trainingRun(ctx.deps.source);
    const runs = ctx.deps.runs.map(trainingRun).filter((r) => r.kind === 'P-T' && r.sourceEpoch !== null);
    const domains = [...new Set(runs.map((r) => r.domain))];
    ctx.writeJson('checkpoint-transfer.json', {
      source: { domain: source.domain, epochs: source.history.map((h) => ({ epoch: h.epoch, testAccuracy: h.testAccuracy, lr: h.lr })) },
      targets: domains.map((domain) => ({
        domain,
        points: runs
          .filter((r) => r.domain === domain)
          .sort((a, b) => a.sourceEpoch! - b.sourceEpoch!)
          .map((r) => ({ sourceEpoch: r.sourceEpoch!, testAccuracy: r.finalTestAccuracy, optimizationSpeed: r.optimizationSpeed, seed: r.seed })),
      })),
    });
  },
});
