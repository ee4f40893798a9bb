// Architecture of the Fixup ResNet (no BatchNorm). Defaults fit 32×32 RGB on a 2-core CPU budget.
import { z } from 'zod';

export const ModelConfigSchema = z
  .object({
    arch: z.literal('fixup-resnet').default('fixup-resnet'),
    height: z.number().int().min(4).default(32),
    width: z.number().int().min(4).default(32),
    channels: z.number().int().min(1).default(3),
    classes: z.number().int().min(2),
    /** channels of each stage; stage i > 0 starts with a stride-2 block */
    widths: z.array(z.number().int().min(1)).min(1).default([16, 32, 64]),
    /** basic residual blocks per stage */
    blocks: z.array(z.number().int().min(1)).min(1).default([1, 1, 1]),
    /** channels of the stem conv; default widths[0] */
    stemWidth: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((c) => c.widths.length === c.blocks.length, {
    message: 'widths and blocks must have one entry per stage',
  });

export type ModelConfig = z.output<typeof ModelConfigSchema>;
export type ModelConfigInput = z.input<typeof ModelConfigSchema>;

export function parseModelConfig(input: ModelConfigInput): ModelConfig {
  return ModelConfigSchema.parse(input);
}

/** A canonical, comparable description of an architecture (for checkpoints). */
export function describeModelConfig(c: ModelConfig): string {
  return (
    `fixup-resnet ${c.height}×${c.width}×${c.channels} → ${c.classes} classes, ` +
    `stem ${c.stemWidth ?? c.widths[0]}, widths [${c.widths.join(',')}], blocks [${c.blocks.join(',')}]`
  );
}

export function sameArchitecture(a: ModelConfig, b: ModelConfig): boolean {
  return describeModelConfig(a) === describeModelConfig(b);
}
