import { trainAndWrite } from '../common/training.ts';
import type { PretrainContext } from '../pretrain.ts';

export async function run(ctx: PretrainContext): Promise<void> {
  await trainAndWrite(ctx, {
    kind: 'pretrain',
    arch: ctx.params.arch,
    config: ctx.params.train,
    init: { kind: 'fresh' },
    data: ctx.deps.data,
    sourceEpoch: null,
  });
}
