// One compact binary file per dataset split (little-endian):
//   0   "WTDS"                magic
//   4   uint32 version        (1)
//   8   uint32 header bytes   (JSON, UTF-8, zod-validated DatasetHeader)
//   12  uint32 reserved       (0)
//   16  header JSON, space-padded to a multiple of 8
//   ..  labels: count × uint16, zero-padded to a multiple of 8
//   ..  pixels: count × H·W·C uint8, NHWC
// The file size is fully determined by the header, so truncation or a mismatched header is
// caught before any pixel is used. Pixels are never JSON.
import { closeSync, fstatSync, openSync, readFileSync, readSync, renameSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { imageSize, type Dataset, type DatasetHeader } from '../dataset.ts';
import { DatasetHeaderSchema } from '../dataset-header-schema.ts';

export const DATASET_FILE_EXTENSION = '.wtds';
const MAGIC = 0x53445457; // "WTDS" read as little-endian uint32
const VERSION = 1;
const PREAMBLE = 16;

interface Layout {
  headerBytes: number;
  labelsOffset: number;
  pixelsOffset: number;
  totalBytes: number;
}

function layoutFor(header: DatasetHeader, headerJsonBytes: number): Layout {
  const headerBytes = pad8(headerJsonBytes);
  const labelsOffset = PREAMBLE + headerBytes;
  const pixelsOffset = labelsOffset + pad8(header.count * 2);
  return { headerBytes, labelsOffset, pixelsOffset, totalBytes: pixelsOffset + header.count * imageSize(header) };
}

function pad8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

export class DatasetFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
    advice = 'Delete it and re-run the stage that produces it (or re-export the data).',
  ) {
    super(`Dataset file ${file} ${problem}. ${advice}`);
    this.name = 'DatasetFileError';
  }
}

/** Writes atomically (temp file + rename), so a crash never leaves a half-written file under `file`. */
export function writeDatasetFile(file: string, ds: Dataset): void {
  const header = DatasetHeaderSchema.parse(ds.header);
  if (ds.images.length !== header.count * imageSize(header) || ds.labels.length !== header.count) {
    throw new Error(`cannot write ${file}: arrays do not match the header (${header.count} images expected)`);
  }
  checkLabels(file, ds.labels, header.classes.length);
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const layout = layoutFor(header, json.length);
  const preamble = Buffer.alloc(PREAMBLE + layout.headerBytes, 0x20);
  preamble.writeUInt32LE(MAGIC, 0);
  preamble.writeUInt32LE(VERSION, 4);
  preamble.writeUInt32LE(json.length, 8);
  preamble.writeUInt32LE(0, 12);
  json.copy(preamble, PREAMBLE);
  const labels = Buffer.alloc(layout.pixelsOffset - layout.labelsOffset);
  for (let i = 0; i < header.count; i++) labels.writeUInt16LE(ds.labels[i]!, i * 2);

  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeAll(fd, preamble);
    writeAll(fd, labels);
    writeAll(fd, ds.images);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

function writeAll(fd: number, data: Uint8Array): void {
  const chunk = 64 << 20;
  for (let off = 0; off < data.length; ) {
    off += writeSync(fd, data, off, Math.min(chunk, data.length - off));
  }
}

function parsePreamble(file: string, bytes: Uint8Array, fileSize: number): { header: DatasetHeader; layout: Layout } {
  if (fileSize < PREAMBLE)
    throw new DatasetFileError(
      file,
      `is only ${fileSize} bytes long, shorter than the ${PREAMBLE}-byte preamble (truncated or not a dataset file)`,
    );
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.readUInt32LE(0) !== MAGIC) {
    throw new DatasetFileError(
      file,
      'does not start with the "WTDS" magic, so it is not a what-transfers dataset file',
      'Check the path; dataset files are written by writeDatasetFile.',
    );
  }
  const version = view.readUInt32LE(4);
  if (version !== VERSION) throw new DatasetFileError(file, `has format version ${version} but this code reads version ${VERSION}`);
  const jsonBytes = view.readUInt32LE(8);
  if (PREAMBLE + jsonBytes > fileSize)
    throw new DatasetFileError(file, `is truncated inside its JSON header (${fileSize} bytes, header needs ${PREAMBLE + jsonBytes})`);
  if (PREAMBLE + jsonBytes > view.length) throw new Error('internal: preamble buffer too small');
  let header: DatasetHeader;
  try {
    header = DatasetHeaderSchema.parse(JSON.parse(view.toString('utf8', PREAMBLE, PREAMBLE + jsonBytes)));
  } catch (err) {
    const detail = err instanceof z.ZodError ? z.prettifyError(err) : String(err);
    throw new DatasetFileError(file, `has an invalid header (${detail.replace(/\n/g, '; ')})`);
  }
  const layout = layoutFor(header, jsonBytes);
  if (fileSize !== layout.totalBytes) {
    const what = fileSize < layout.totalBytes ? 'is truncated' : 'has trailing bytes';
    throw new DatasetFileError(
      file,
      `${what}: its header describes ${header.count} images of ${header.height}x${header.width}x${header.channels} (${layout.totalBytes} bytes) but the file has ${fileSize} bytes`,
    );
  }
  return { header, layout };
}

function readLabels(buf: Uint8Array, offset: number, count: number): Uint16Array {
  const labels = new Uint16Array(count);
  const view = new DataView(buf.buffer, buf.byteOffset + offset, count * 2);
  for (let i = 0; i < count; i++) labels[i] = view.getUint16(i * 2, true);
  return labels;
}

function checkLabels(file: string, labels: Uint16Array, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! >= classes)
      throw new DatasetFileError(file, `has label ${labels[i]} at image ${i}, outside its ${classes} classes (corrupted)`);
  }
}

/** Reads a whole dataset: one read, pixels are a zero-copy view of the file buffer. */
export function readDatasetFile(file: string): Dataset {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (err) {
    throw new DatasetFileError(file, `cannot be read (${(err as Error).message})`, 'Check the path, or re-run the stage that produces it.');
  }
  const { header, layout } = parsePreamble(file, buf, buf.length);
  const labels = readLabels(buf, layout.labelsOffset, header.count);
  checkLabels(file, labels, header.classes.length);
  const images = new Uint8Array(buf.buffer, buf.byteOffset + layout.pixelsOffset, layout.totalBytes - layout.pixelsOffset);
  return { header, images, labels };
}

/** Reads only the header (a few hundred bytes), e.g. to plan work without loading pixels. */
export function readDatasetHeader(file: string): DatasetHeader {
  return openDatasetFile(file).closeAndGetHeader();
}

export interface DatasetFileReader {
  readonly file: string;
  readonly header: DatasetHeader;
  /** all labels (read at open: 2 bytes per image) */
  readonly labels: Uint16Array;
  /** images [start, start+count) as NHWC bytes, read from disk on demand */
  readImages(start: number, count: number): Uint8Array;
  close(): void;
  closeAndGetHeader(): DatasetHeader;
}

/** Streams batches from disk without loading the whole file (for datasets larger than memory). */
export function openDatasetFile(file: string): DatasetFileReader {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new DatasetFileError(
      file,
      `cannot be opened (${(err as Error).message})`,
      'Check the path, or re-run the stage that produces it.',
    );
  }
  try {
    const size = fstatSync(fd).size;
    const first = Buffer.alloc(Math.min(size, PREAMBLE));
    readSync(fd, first, 0, first.length, 0);
    const jsonBytes = size >= PREAMBLE ? first.readUInt32LE(8) : 0;
    const preamble = Buffer.alloc(Math.min(size, PREAMBLE + jsonBytes));
    readSync(fd, preamble, 0, preamble.length, 0);
    const { header, layout } = parsePreamble(file, preamble, size);
    const labelBytes = Buffer.alloc(header.count * 2);
    readSync(fd, labelBytes, 0, labelBytes.length, layout.labelsOffset);
    const labels = readLabels(labelBytes, 0, header.count);
    checkLabels(file, labels, header.classes.length);
    const per = imageSize(header);
    let open = true;
    return {
      file,
      header,
      labels,
      readImages(start, count) {
        if (!open) throw new Error(`${file}: reader is closed`);
        if (start < 0 || count < 0 || start + count > header.count) {
          throw new RangeError(`${file}: images [${start}, ${start + count}) outside [0, ${header.count})`);
        }
        const out = new Uint8Array(count * per);
        let done = 0;
        while (done < out.length) {
          const n = readSync(fd, out, done, out.length - done, layout.pixelsOffset + start * per + done);
          if (n === 0) throw new DatasetFileError(file, 'ended early while reading pixels (was it truncated after opening?)');
          done += n;
        }
        return out;
      },
      close() {
        if (open) closeSync(fd);
        open = false;
      },
      closeAndGetHeader() {
        this.close();
        return header;
      },
    };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
