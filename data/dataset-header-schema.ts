// The header every dataset file carries (domain, split, classes, image shape, normalisation,
// provenance), validated when a dataset is read back, and the check that its arrays fit it.
import { z } from 'zod';
import { imageSize, type Dataset, type DatasetHeader } from './dataset.ts';

export const NormalizationSchema = z
  .object({
    mean: z.array(z.number()).min(1),
    std: z.array(z.number().positive()).min(1),
  })
  .strict();

export const DatasetHeaderSchema = z
  .object({
    domain: z.string().min(1),
    split: z.enum(['train', 'test']),
    classes: z.array(z.string()).min(1).max(65536),
    count: z.number().int().nonnegative(),
    height: z.number().int().positive(),
    width: z.number().int().positive(),
    channels: z.number().int().positive(),
    normalization: NormalizationSchema,
    provenance: z.record(z.string(), z.unknown()),
  })
  .strict()
  .superRefine((h, ctx) => {
    const { mean, std } = h.normalization;
    const perElement = h.height * h.width * h.channels;
    if (mean.length !== std.length) {
      ctx.addIssue({ code: 'custom', path: ['normalization'], message: `mean has ${mean.length} entries but std has ${std.length}` });
    } else if (mean.length !== h.channels && mean.length !== perElement) {
      ctx.addIssue({
        code: 'custom',
        path: ['normalization', 'mean'],
        message: `expected ${h.channels} (per channel) or ${perElement} (per element, HWC) entries, got ${mean.length}`,
      });
    }
  }) satisfies z.ZodType<DatasetHeader>;

/** Throws one readable error if the arrays do not match the header (sizes, label range). */
export function assertDatasetConsistent(ds: Dataset, where = 'dataset'): void {
  const h = ds.header;
  const parsed = DatasetHeaderSchema.safeParse(h);
  if (!parsed.success) {
    throw new Error(`${where}: invalid header: ${z.prettifyError(parsed.error)}`);
  }
  const expectedBytes = h.count * imageSize(h);
  if (ds.images.length !== expectedBytes) {
    throw new Error(
      `${where}: header says ${h.count} images of ${h.height}x${h.width}x${h.channels} (${expectedBytes} bytes) but the pixel array has ${ds.images.length} bytes`,
    );
  }
  if (ds.labels.length !== h.count) {
    throw new Error(`${where}: header says ${h.count} images but there are ${ds.labels.length} labels`);
  }
  const k = h.classes.length;
  for (let i = 0; i < ds.labels.length; i++) {
    if (ds.labels[i]! >= k) throw new Error(`${where}: label ${ds.labels[i]} of image ${i} is outside [0, ${k}) (classes: ${k})`);
  }
}

export function isPerElementNormalization(h: DatasetHeader): boolean {
  return h.normalization.mean.length === imageSize(h) && imageSize(h) !== h.channels;
}
