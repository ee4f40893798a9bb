// Fake upstream entries for running analysis stages in a test, without training: training runs
// whose checkpoints are written by hand (epoch e on the straight line from a random init to
// another random point), a dataset entry of small synthetic images, and a minimal stage context
// that records what the stage writes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { writeDatasetFile } from '../../data/storage/dataset-file.ts';
import type { Upstream } from '../../engine/stage.ts';
import { saveWeights } from '../../ml/checkpoint.ts';
import { FixupResNet } from '../../ml/model.ts';
import { parseModelConfig } from '../../ml/model-config.ts';
import { interpolate } from '../../ml/weights.ts';
import { stripesDataset } from '../ml/synthetic.ts';

export const config = parseModelConfig({ height: 8, width: 8, channels: 3, classes: 4, widths: [2, 4], blocks: [1, 1] });
export const model = new FixupResNet(config);
export const EPOCHS = 2;
export const TEST_IMAGES = 12;

const checkpoint = (e: number) => `checkpoints/epoch-${String(e).padStart(4, '0')}`;

export function upstream(id: string, dir: string, files: string[]): Upstream {
  const read = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown;
  return {
    id,
    stage: id.split('/')[0]!,
    outputDigest: {} as Upstream['outputDigest'],
    dir,
    files,
    file: (name) => join(dir, name),
    json: <T>(name: string, schema?: z.ZodType<T>) => (schema ? schema.parse(read(name)) : read(name)) as T,
  };
}

export interface FakeRun {
  kind: 'P-T' | 'RI-T';
  lr: number;
  seed: number;
  /** defaults to `fresh-<seed>` */
  initKey?: string;
  /** extra files to write into the entry (name → JSON value) */
  json?: Record<string, unknown>;
}

/** A "training run": epoch e's weights on the straight line from a random init (seed) to another random point. */
export async function fakeRun(root: string, id: string, r: FakeRun): Promise<Upstream> {
  const dir = join(root, id.replace(/[^\w]/g, '_'));
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  const start = model.init(r.seed);
  const end = interpolate(start, model.init(r.seed + 100), r.lr * 5);
  for (let e = 0; e <= EPOCHS; e++) await saveWeights(join(dir, checkpoint(e)), config, interpolate(start, end, e / EPOCHS));
  const run = {
    kind: r.kind,
    domain: 'real',
    blockSize: null,
    shuffleDraw: null,
    seed: r.seed,
    initKey: r.initKey ?? `fresh-${r.seed}`,
    lr: r.lr,
    sourceEpoch: null,
    epochs: EPOCHS,
    completedEpochs: EPOCHS,
    diverged: null,
    history: [],
    optimizationSpeed: 0.5,
    finalTestAccuracy: 0.5,
    finalTestLoss: 1,
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
  for (const [name, value] of Object.entries(r.json ?? {})) writeFileSync(join(dir, name), JSON.stringify(value));
  const files = [...Array(EPOCHS + 1).keys()].flatMap((e) => [`${checkpoint(e)}.json`, `${checkpoint(e)}.bin`]);
  return upstream(id, dir, ['run.json', ...files, ...Object.keys(r.json ?? {})]);
}

/** A dataset entry: 24 training and TEST_IMAGES test images of 4 stripe classes, with info.json. */
export function dataEntry(root: string): Upstream {
  const dir = join(root, 'data');
  mkdirSync(dir, { recursive: true });
  writeDatasetFile(join(dir, 'train.wtds'), stripesDataset({ count: 24, size: 8, seed: 3 }));
  writeDatasetFile(join(dir, 'test.wtds'), stripesDataset({ count: TEST_IMAGES, size: 8, seed: 3, split: 'test' }));
  const info = {
    domain: 'real',
    classes: ['q0', 'q1', 'q2', 'q3'],
    height: 8,
    width: 8,
    channels: 3,
    train: 24,
    test: TEST_IMAGES,
    shuffle: null,
  };
  writeFileSync(join(dir, 'info.json'), JSON.stringify(info));
  return upstream('data/real', dir, ['train.wtds', 'test.wtds', 'info.json']);
}

/** An entry holding one JSON file with `value`. */
export function jsonUpstream(root: string, name: string, value: unknown): Upstream {
  return {
    id: name,
    stage: 'fake',
    outputDigest: {} as Upstream['outputDigest'],
    dir: root,
    files: [name],
    file: (n) => join(root, n),
    json: <T>(_: string, schema?: z.ZodType<T>) => (schema ? schema.parse(value) : value) as T,
  };
}

/** Runs a stage's `run` with the few context members these stages use; returns what it wrote. */
export async function runStage(
  stage: { run: (ctx: never) => unknown },
  params: unknown,
  deps: unknown,
  onProgress: (u: { done?: number; total?: number }) => void = () => {},
): Promise<{ json: Map<string, unknown>; files: string[]; outputs: Map<string, string | Uint8Array> }> {
  const json = new Map<string, unknown>();
  const files: string[] = [];
  const outputs = new Map<string, string | Uint8Array>();
  const ctx = {
    params,
    deps,
    progress: onProgress,
    log: () => {},
    setMetadata: () => {},
    writeJson: (name: string, value: unknown) => json.set(name, JSON.parse(JSON.stringify(value))),
    writeOutput: (name: string, data: string | Uint8Array) => (files.push(name), outputs.set(name, data)),
  };
  await stage.run(ctx as never);
  return { json, files, outputs };
}
