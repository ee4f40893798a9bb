// finetune: train on a target dataset (possibly block-shuffled) either from a pre-training
// checkpoint (P-T: every parameter but the head `fc`, which is freshly initialised; nothing
// frozen) or from a fresh Fixup init (RI-T). Writes every epoch's weights (the optimization-path
// criticality needs them), the per-epoch history and the final model's test predictions.
//
// `train.initSeed` names the fresh init's random stream separately from `seed` (data order, mixup,
// augmentation), so two RI-T runs can share an init (the appendix's same-init barrier, Fig. 16);
// the experiment gives every role its own stream (experiment/init-streams.ts).
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { tensorResources } from './common/resources.ts';
import { ArchitectureParams, loadEntryWeights, TrainingParams, trainAndWrite } from './common/training.ts';

export const finetune = defineStage(import.meta.url, {
  name: 'finetune',
  params: z
    .strictObject({
      init: z.enum(['P-T', 'RI-T']),
      /** pre-training epoch to start from (P-T only; default: the last) */
      sourceEpoch: z.number().int().min(0).nullable().default(null),
      arch: ArchitectureParams,
      train: TrainingParams,
    })
    .refine((p) => p.init === 'P-T' || p.sourceEpoch === null, { message: 'sourceEpoch only applies to P-T', path: ['sourceEpoch'] }),
  deps: { data: 'one', source: 'optional' },
  resources: tensorResources(1536),
  async run(ctx) {
    const { init, sourceEpoch, arch, train } = ctx.params;
    if (init === 'P-T' && !ctx.deps.source) throw new Error('P-T fine-tuning needs the pre-training run as its `source` dependency');
    if (init === 'RI-T' && ctx.deps.source) throw new Error('RI-T must not depend on the pre-training run (it would rerun whenever pre-training changes)');
    let epoch: number | null = null;
    let trainInit: Parameters<typeof trainAndWrite>[1]['init'] = { kind: 'fresh' };
    if (init === 'P-T') {
      const src = loadEntryWeights(ctx.deps.source!, sourceEpoch ?? undefined);
      epoch = sourceEpoch ?? (ctx.deps.source!.json('run.json') as { completedEpochs: number }).completedEpochs;
      trainInit = { kind: 'pretrained', weights: src.weights, reinit: ['fc'] };
    }
    await trainAndWrite(ctx as never, { kind: init, arch, config: train, init: trainInit, data: ctx.deps.data, sourceEpoch: epoch });
  },
});
