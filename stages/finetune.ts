// finetune: train on a target dataset (possibly block-shuffled) either from a pre-training
// checkpoint (P-T: every parameter but the head `fc`, which is freshly initialised; nothing
// frozen) or from a fresh Fixup init (RI-T). Writes every epoch's weights (the optimization-path
// criticality needs them), the per-epoch history and the final model's test predictions.
//
// `train.initSeed` names the fresh init's random stream separately from `seed` (data order, mixup,
// augmentation), so two RI-T runs can share an init (the appendix's same-init barrier, Fig. 16);
// the experiment gives every role its own stream (experiment/init-streams.ts).
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import { tensorResources } from './common/resources.ts';
import { ArchitectureParams, TrainingParams } from './common/training-params.ts';

const Params = z
  .strictObject({
    init: z.enum(['P-T', 'RI-T']),
    /** pre-training epoch to start from (P-T only; default: the last) */
    sourceEpoch: z.number().int().min(0).nullable().default(null),
    arch: ArchitectureParams,
    train: TrainingParams,
  })
  .refine((p) => p.init === 'P-T' || p.sourceEpoch === null, { message: 'sourceEpoch only applies to P-T', path: ['sourceEpoch'] });

const DEPS = { data: 'one', source: 'optional' } as const satisfies DepSpec;

export type FinetuneContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const finetune = defineStage(import.meta.url, {
  name: 'finetune',
  params: Params,
  deps: DEPS,
  resources: tensorResources(1536),
  run: async (ctx) => (await import('./run/finetune.ts')).run(ctx),
});
