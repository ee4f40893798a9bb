// pretrain: the Fixup ResNet on the source domain with a step lr schedule, a checkpoint at
// epoch 0 and after every epoch (Fig. 7 fine-tunes from several of them), and the source's own
// per-epoch test accuracy. Resumes from its scratch checkpoints after a crash.
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { tensorResources } from './common/resources.ts';
import { ArchitectureParams, TrainingParams, trainAndWrite } from './common/training.ts';

export const pretrain = defineStage(import.meta.url, {
  name: 'pretrain',
  params: z.strictObject({ arch: ArchitectureParams, train: TrainingParams }),
  deps: { data: 'one' },
  resources: tensorResources(1536),
  async run(ctx) {
    await trainAndWrite(ctx as never, {
      kind: 'pretrain',
      arch: ctx.params.arch,
      config: ctx.params.train,
      init: { kind: 'fresh' },
      data: ctx.deps.data,
      sourceEpoch: null,
    });
  },
});
