// Turns uint8 NHWC dataset images into normalised float batches: x = (pixel/255 − mean)/std,
// with mean/std per channel or per element (see data/dataset.ts).
import type { Dataset, DatasetHeader } from '../data/dataset.ts';
import type { ModelConfig } from './model-config.ts';

export class BatchNormaliser {
  readonly size: number;
  private readonly scale: Float32Array;
  private readonly offset: Float32Array;
  private readonly period: number;

  constructor(header: DatasetHeader) {
    const { height, width, channels, normalization } = header;
    this.size = height * width * channels;
    const { mean, std } = normalization;
    if (mean.length !== std.length || (mean.length !== channels && mean.length !== this.size))
      throw new Error(
        `dataset ${header.domain}/${header.split}: normalization mean/std must have ${channels} (per channel) ` +
          `or ${this.size} (per element) entries, got ${mean.length}/${std.length}`,
      );
    this.period = mean.length;
    this.scale = Float32Array.from(std, (s) => 1 / (255 * s));
    this.offset = Float32Array.from(mean, (m, i) => -m / std[i]!);
  }

  /** Write the normalised images `indices` of `data` into `out` (length ≥ indices.length·size). */
  fill(data: Dataset, indices: ArrayLike<number>, out: Float32Array): void {
    const { size, scale, offset, period } = this;
    for (let b = 0; b < indices.length; b++) {
      const src = indices[b]! * size;
      const dst = b * size;
      for (let e = 0, k = 0; e < size; e++, k++) {
        if (k === period) k = 0;
        out[dst + e] = data.images[src + e]! * scale[k]! + offset[k]!;
      }
    }
  }
}

/** Throws a clear error if the dataset cannot feed the model. */
export function checkDatasetFitsModel(data: Dataset, config: ModelConfig): void {
  const h = data.header;
  const problems: string[] = [];
  if (h.height !== config.height || h.width !== config.width || h.channels !== config.channels)
    problems.push(`images are ${h.height}×${h.width}×${h.channels}, model expects ${config.height}×${config.width}×${config.channels}`);
  if (h.classes.length !== config.classes) problems.push(`${h.classes.length} classes, model has ${config.classes} outputs`);
  if (data.images.length !== h.count * h.height * h.width * h.channels)
    problems.push(`images buffer has ${data.images.length} bytes for ${h.count} images`);
  if (data.labels.length !== h.count) problems.push(`${data.labels.length} labels for ${h.count} images`);
  const maxLabel = data.labels.reduce((m, l) => Math.max(m, l), 0);
  if (maxLabel >= config.classes) problems.push(`label ${maxLabel} ≥ ${config.classes} classes`);
  if (problems.length) throw new Error(`dataset ${h.domain}/${h.split} does not fit the model: ${problems.join('; ')}`);
}
