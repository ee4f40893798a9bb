import { loadEntryWeights, trainAndWrite } from '../common/training.ts';
import type { FinetuneContext } from '../finetune.ts';

export async function run(ctx: FinetuneContext): Promise<void> {
  const { init, sourceEpoch, arch, train } = ctx.params;
  if (init === 'P-T' && !ctx.deps.source) throw new Error('P-T fine-tuning needs the pre-training run as its `source` dependency');
  if (init === 'RI-T' && ctx.deps.source)
    throw new Error('RI-T must not depend on the pre-training run (it would rerun whenever pre-training changes)');
  let epoch: number | null = null;
  let trainInit: Parameters<typeof trainAndWrite>[1]['init'] = { kind: 'fresh' };
  if (init === 'P-T') {
    const src = loadEntryWeights(ctx.deps.source!, sourceEpoch ?? undefined);
    epoch = sourceEpoch ?? (ctx.deps.source!.json('run.json') as { completedEpochs: number }).completedEpochs;
    trainInit = { kind: 'pretrained', weights: src.weights, reinit: ['fc'] };
  }
  await trainAndWrite(ctx, { kind: init, arch, config: train, init: trainInit, data: ctx.deps.data, sourceEpoch: epoch });
}
