// pretrain: the Fixup ResNet on the source domain with a step lr schedule, a checkpoint at
// epoch 0 and after every epoch (Fig. 7 fine-tunes from several of them), and the source's own
// per-epoch test accuracy. Resumes from its scratch checkpoints after a crash.
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import { tensorResources } from './common/resources.ts';
import { ArchitectureParams, TrainingParams } from './common/training-params.ts';

const Params = z.strictObject({ arch: ArchitectureParams, train: TrainingParams });

const DEPS = { data: 'one' } as const satisfies DepSpec;

export type PretrainContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const pretrain = defineStage(import.meta.url, {
  name: 'pretrain',
  params: Params,
  deps: DEPS,
  resources: tensorResources(1536),
  run: async (ctx) => (await import('./run/pretrain.ts')).run(ctx),
});
