// The params of the training stages, as planning validates them: no tensor code is loaded here
// (training.ts, which runs them, is).
import { z } from 'zod';
import { TrainConfigSchema } from '../../ml/train-config.ts';

export const ArchitectureParams = z.strictObject({
  widths: z.array(z.number().int().min(1)).min(1),
  blocks: z.array(z.number().int().min(1)).min(1),
  stemWidth: z.number().int().min(1).optional(),
});
export type ArchitectureParams = z.infer<typeof ArchitectureParams>;

export const TrainingParams = TrainConfigSchema;
