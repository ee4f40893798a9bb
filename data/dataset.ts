// The in-memory image dataset every part of the project exchanges: generators and loaders
// produce it, shuffling permutes it, the ML layer trains and evaluates on it.
//
// Pixels stay uint8 (NHWC) until a batch is fed to a model; the model input is
//   x = (pixel / 255 - mean) / std
// with `mean`/`std` either per channel (length C) or per element (length H·W·C, HWC order).
// Per-element normalisation exists for the paper's pixel shuffle "*": it permutes the
// normalised tensor across positions AND channels, which a per-channel normalisation applied
// after the shuffle cannot express; permuting the per-element mean/std with the pixels can.

export interface DatasetHeader {
  /** e.g. "source", "real", "clipart", "quickdraw", "xray", "mnist", "cifar10" */
  domain: string;
  split: 'train' | 'test';
  /** class names; label i means classes[i] */
  classes: string[];
  count: number;
  height: number;
  width: number;
  channels: number;
  normalization: { mean: number[]; std: number[] };
  /** free-form description of how the data was made (generator params, source folder, shuffle...) */
  provenance: Record<string, unknown>;
}

export interface Dataset {
  header: DatasetHeader;
  /** count·height·width·channels bytes, NHWC */
  images: Uint8Array;
  /** count labels, each in [0, classes.length) */
  labels: Uint16Array;
}

export function imageSize(h: Pick<DatasetHeader, 'height' | 'width' | 'channels'>): number {
  return h.height * h.width * h.channels;
}
