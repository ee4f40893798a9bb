// Checkpoints: `<name>.bin` (float32 little-endian tensors, concatenated) + `<name>.json` (index:
// model config, tensor names/shapes/offsets, sha256 of the .bin, free-form metadata).
//
// Written atomically: the .bin, then the .json (the commit marker), each to a temp file that is
// fsynced and renamed. A checkpoint exists iff its .json exists and the .bin matches it.
//
// A *sealed* checkpoint (training's resume checkpoints, `sealRecord`) also carries `recordSha256`,
// the sha256 of the whole index but that field (canonical JSON: metadata, history, RNG state,
// epoch, tensor table and the .bin's sha256), so no part of the record can change unnoticed.
// Plain ones (saveWeights: the store's entries, whose bytes the store's digests already vouch
// for) are written exactly as before. Every read verifies the .bin, a record checksum if there is
// one, and refuses non-finite values.
import { createHash } from 'node:crypto';
import { promises as fs, readFileSync, existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { describeModelConfig, ModelConfigSchema, sameArchitecture, type ModelConfig } from './model-config.ts';
import type { ParamTensor, Weights } from './weights.ts';

const FORMAT = 'what-transfers/checkpoint';

const IndexSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(1),
  model: ModelConfigSchema,
  bin: z.string(),
  byteLength: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  tensors: z.array(
    z.object({
      name: z.string(),
      shape: z.array(z.number().int().nonnegative()),
      /** offset in floats */
      offset: z.number().int().nonnegative(),
    }),
  ),
  meta: z.record(z.string(), z.unknown()),
  /** sha256 of the canonical JSON of every other field (sealed checkpoints only) */
  recordSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

export type CheckpointIndex = z.infer<typeof IndexSchema>;

export interface Checkpoint {
  /** path without extension */
  path: string;
  model: ModelConfig;
  /** every stored tensor, by name (model parameters and e.g. optimizer state) */
  tensors: Map<string, ParamTensor>;
  meta: Record<string, unknown>;
}

/** A checkpoint that cannot be read or trusted; `reason` says why (without the file name). */
export class UnusableCheckpointError extends Error {
  override name = 'UnusableCheckpointError';
  constructor(
    readonly file: string,
    readonly reason: string,
    todo = 'delete this checkpoint (its .json and .bin) and re-run the stage that wrote it',
  ) {
    super(`Checkpoint ${file} is unusable: ${reason}. To fix: ${todo}.`);
  }
}

/** Prefix of tensors that are not model parameters (optimizer state). */
export const OPTIMIZER_PREFIX = 'optimizer.momentum.';

/** `<dir>/epoch-0007` */
export function checkpointPath(dir: string, epoch: number): string {
  return join(dir, `epoch-${String(epoch).padStart(4, '0')}`);
}

/** Epochs with a checkpoint index in `dir`, ascending. */
export function listCheckpointEpochs(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^epoch-(\d+)\.json$/.exec(f)?.[1])
    .filter((m): m is string => m !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export function latestCheckpointEpoch(dir: string): number | undefined {
  return listCheckpointEpochs(dir).at(-1);
}

function stripExtension(path: string): string {
  return path.replace(/\.(json|bin)$/, '');
}

/** JSON with object keys sorted at every level (what the record checksum is taken over). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** sha256 of an index record without its `recordSha256` field, as it reads back from JSON. */
function recordDigest(record: Record<string, unknown>): string {
  const { recordSha256: _omit, ...rest } = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

export interface WriteCheckpointOptions {
  /** add `recordSha256` over the whole index (resume checkpoints; changes the .json bytes) */
  sealRecord?: boolean;
}

/** Write tensors atomically as checkpoint `path` (without extension). */
export async function writeCheckpoint(
  path: string,
  model: ModelConfig,
  tensors: Map<string, ParamTensor>,
  meta: Record<string, unknown> = {},
  options: WriteCheckpointOptions = {},
): Promise<void> {
  path = stripExtension(path);
  await fs.mkdir(dirname(path), { recursive: true });
  const total = [...tensors.values()].reduce((s, t) => s + t.data.length, 0);
  const floats = new Float32Array(total);
  const entries: CheckpointIndex['tensors'] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    floats.set(t.data, offset);
    entries.push({ name, shape: [...t.shape], offset });
    offset += t.data.length;
  }
  const bytes = new Uint8Array(floats.buffer);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('checkpoints assume a little-endian machine');
  const index: CheckpointIndex = {
    format: FORMAT,
    version: 1,
    model,
    bin: `${basename(path)}.bin`,
    byteLength: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    tensors: entries,
    meta,
  };
  if (options.sealRecord) index.recordSha256 = recordDigest(index);
  // An older index for this name must not vouch for the new .bin while it is being replaced.
  await fs.rm(`${path}.json`, { force: true });
  await writeAtomically(`${path}.bin`, bytes);
  await writeAtomically(`${path}.json`, JSON.stringify(index, null, 1));
}

async function writeAtomically(file: string, content: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}

export interface ReadCheckpointOptions {
  /** refuse a checkpoint without a record checksum (the resume path: its metadata must be verifiable) */
  requireSealedRecord?: boolean;
}

/** Read and verify checkpoint `path` (with or without extension); throws UnusableCheckpointError. */
export function readCheckpoint(path: string, options: ReadCheckpointOptions = {}): Checkpoint {
  path = stripExtension(path);
  const jsonFile = `${path}.json`;
  const fail = (what: string, todo?: string) => new UnusableCheckpointError(jsonFile, what, todo);
  if (!existsSync(jsonFile)) throw fail('the file does not exist', 'check the path, or run the stage that writes it');
  let raw: Record<string, unknown>;
  let index: CheckpointIndex;
  try {
    raw = JSON.parse(readFileSync(jsonFile, 'utf8')) as Record<string, unknown>;
    index = IndexSchema.parse(raw);
  } catch (e) {
    throw fail(`its index is not a valid ${FORMAT} v1 file (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`);
  }
  if (index.recordSha256 === undefined && options.requireSealedRecord)
    throw fail(
      'its index has no record checksum (written by saveWeights or by an older version), so its metadata, history, RNG state and epoch cannot be verified',
    );
  if (index.recordSha256 !== undefined && recordDigest(raw) !== index.recordSha256)
    throw fail(
      'its index does not match its own record checksum (its metadata, history, RNG state, epoch or tensor table was edited or damaged after it was written)',
    );
  const binFile = join(dirname(path), index.bin);
  if (!existsSync(binFile)) throw fail(`its data file ${binFile} is missing`);
  const bytes = readFileSync(binFile);
  if (bytes.length !== index.byteLength)
    throw fail(`its data file ${binFile} has ${bytes.length} bytes but the index says ${index.byteLength} (truncated or overwritten)`);
  if (createHash('sha256').update(bytes).digest('hex') !== index.sha256)
    throw fail(`its data file ${binFile} does not match the checksum in the index (corrupted or from another write)`);
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const tensors = new Map<string, ParamTensor>();
  for (const t of index.tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (t.offset + size > floats.length) throw fail(`tensor ${t.name} lies outside the data file`);
    const data = floats.slice(t.offset, t.offset + size);
    const bad = nonFinite(data);
    if (bad)
      throw fail(
        `its tensor ${t.name} (in ${binFile}) holds ${bad.count} non-finite value${bad.count === 1 ? '' : 's'} (the first, ${bad.first}, at index ` +
          `${bad.index}), so these are not usable weights: they come from a diverged run or a corrupted write`,
      );
    tensors.set(t.name, { shape: t.shape, data });
  }
  return { path, model: index.model, tensors, meta: index.meta };
}

/** The NaN/±Infinity values in `data`: how many, and the first. */
function nonFinite(data: Float32Array): { count: number; index: number; first: number } | undefined {
  let count = 0;
  let index = -1;
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]!)) {
      if (count++ === 0) index = i;
    }
  return count ? { count, index, first: data[index]! } : undefined;
}

/**
 * The model parameters of checkpoint `path`, checked against `expected` architecture when
 * given (a different architecture is a clear error naming both).
 */
export function loadWeights(path: string, expected?: ModelConfig): { weights: Weights; model: ModelConfig; meta: Record<string, unknown> } {
  const ckpt = readCheckpoint(path);
  if (expected && !sameArchitecture(expected, ckpt.model))
    throw new Error(
      `Checkpoint ${ckpt.path}.json was written for a different architecture: it holds ` +
        `${describeModelConfig(ckpt.model)}, but this model is ${describeModelConfig(expected)}. To fix: load a ` +
        `checkpoint trained with the same model config, or change the config to match (if only the number ` +
        `of classes differs, load it as a P-T source, which re-initialises the head).`,
    );
  const weights: Weights = new Map([...ckpt.tensors].filter(([n]) => !n.startsWith(OPTIMIZER_PREFIX)));
  return { weights, model: ckpt.model, meta: ckpt.meta };
}

/** Write plain weights (no optimizer state) as a checkpoint. */
export function saveWeights(path: string, model: ModelConfig, weights: Weights, meta: Record<string, unknown> = {}): Promise<void> {
  return writeCheckpoint(path, model, weights, meta);
}
