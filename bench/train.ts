// Training and inference throughput of the default Fixup ResNet at batch 128 on every available
// backend, one process and two processes at once, against the same model in PyTorch
// (bench/torch_reference.py, 2 threads) when /usr/bin/python3 has torch.
//
//   npx tsx bench/train.ts [--seconds 20] [--backends wasm,cpu] [--batch 128] [--e2e-count 5000]
//
// Each measurement runs in its own worker process (this file with --worker); the two workers
// of the "2 processes" rows warm up, wait for each other, then measure over the same window.
// A last row runs the real train() (1 epoch on --e2e-count synthetic 32×32×3 images, plus its
// per-epoch evaluation and checkpoints) on the first available backend and reports its peak RSS.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Dataset } from '../data/dataset.ts';
import { BACKEND_NAMES, initBackend, type BackendName } from '../ml/backend.ts';
import { FixupResNet } from '../ml/model.ts';
import { Sgd } from '../ml/optimizer.ts';
import { Rng } from '../ml/rng.ts';
import { tf, type Tensor4D } from '../ml/tf.ts';
import { train, TrainStep } from '../ml/train.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MODEL = { height: 32, width: 32, channels: 3, classes: 10 } as const;
const SELF = fileURLToPath(import.meta.url);

interface WorkerResult {
  /** CPU seconds this worker used while measuring */
  cpuSeconds: number;
  backend: string;
  version: string;
  threads: number;
  trainSamplesPerSecond: number;
  inferSamplesPerSecond: number;
  maxRssMB: number;
}

const { values: args } = parseArgs({
  options: {
    worker: { type: 'boolean', default: false },
    e2e: { type: 'boolean', default: false },
    'e2e-count': { type: 'string', default: '5000' },
    backend: { type: 'string' },
    backends: { type: 'string' },
    batch: { type: 'string', default: '128' },
    seconds: { type: 'string', default: '20' },
  },
});
const batch = Number(args.batch);
const seconds = Number(args.seconds);

if (args.worker) {
  try {
    if (args.e2e) await endToEndWorker(args.backend as BackendName);
    else await worker(args.backend as BackendName);
  } catch (e) {
    process.stdout.write(`ERROR ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}\n`);
    process.exit(1);
  }
} else await main();

async function main(): Promise<void> {
  const model = new FixupResNet(MODEL);
  const flops = model.flopsPerSample();
  const backends = (args.backends?.split(',') ?? [...BACKEND_NAMES]) as BackendName[];
  console.log(
    `Fixup ResNet ${JSON.stringify(model.config.widths)}×${JSON.stringify(model.config.blocks)} on ${MODEL.height}×${MODEL.width}×${MODEL.channels}, ` +
      `batch ${batch}, ${(flops.forward / 1e6).toFixed(1)} MFLOP/sample forward, ${(flops.train / 1e6).toFixed(1)} MFLOP/sample train step, ` +
      `${seconds}s per measurement`,
  );
  const torch = torchReference(2);
  const torch1 = torchReference(1);
  const rows: string[][] = [];
  const note = (name: string, procs: string, text: string) => rows.push([name, procs, text, '', '', '', '', '', '', '']);
  const row = (name: string, procs: number, train: number, infer: number | undefined, rss: string, other: number | null | undefined) =>
    rows.push([
      name, String(procs), train.toFixed(1), ((train * flops.train) / 1e9).toFixed(2),
      infer === undefined ? '' : infer.toFixed(1), infer === undefined ? '' : ((infer * flops.forward) / 1e9).toFixed(2),
      torch ? (train / torch.train_samples_per_s).toFixed(3) + '×' : '-',
      torch && infer !== undefined ? (infer / torch.infer_samples_per_s).toFixed(3) + '×' : '-',
      rss, other == null ? '?' : other.toFixed(2),
    ]);

  for (const b of backends) {
    const one = await runWorkers(b, 1);
    if (typeof one === 'string') {
      note(b, '-', `not available: ${one}`);
      continue;
    }
    const label = `${b} ${one[0]!.version} (${one[0]!.threads} thr)`;
    row(label, 1, one[0]!.trainSamplesPerSecond, one[0]!.inferSamplesPerSecond, one[0]!.maxRssMB.toFixed(0), one.otherCores);
    if (one[0]!.trainSamplesPerSecond * 60 < batch) {
      note(label, '2', `skipped: one training step takes ${(batch / one[0]!.trainSamplesPerSecond).toFixed(0)} s`);
      continue;
    }
    const two = await runWorkers(b, 2);
    if (typeof two === 'string') note(label, '2', `failed: ${two}`);
    else row(label, 2, sum(two, 'trainSamplesPerSecond'), sum(two, 'inferSamplesPerSecond'), two.map((r) => r.maxRssMB.toFixed(0)).join('+'), two.otherCores);
  }
  const firstAvailable = rows.find((r) => r[1] === '1')?.[0]?.split(' ')[0] as BackendName | undefined;
  if (firstAvailable) {
    const e2e = await runWorkers(firstAvailable, 1, ['--e2e', '--e2e-count', String(args['e2e-count'])]);
    const name = `train() 1 epoch, ${args['e2e-count']} imgs, ${firstAvailable}`;
    if (typeof e2e === 'string') note(name, '1', `failed: ${e2e}`);
    else row(name, 1, e2e[0]!.trainSamplesPerSecond, e2e[0]!.inferSamplesPerSecond, e2e[0]!.maxRssMB.toFixed(0), e2e.otherCores);
  }
  for (const t of [torch, torch1])
    if (t) row(`pytorch ${t.torch} (${t.threads} thr)`, 1, t.train_samples_per_s, t.infer_samples_per_s, '-', t.other_cores);
  if (!torch) note('pytorch', '-', 'not available (needs /usr/bin/python3 with torch: apt-get install python3-torch)');
  console.log('');
  printTable(
    ['backend', 'procs', 'train samples/s', 'train GFLOP/s', 'infer samples/s', 'infer GFLOP/s', 'train vs torch 2thr', 'infer vs torch 2thr', 'max RSS MB', 'other load'],
    rows,
  );
  console.log(
    '\nGFLOP/s = samples/s × model FLOPs (convs + fc, multiply-add = 2); "2" rows sum both processes; the train() row\n' +
      'is the real loop with mixup, its infer column the per-epoch evaluation. other load = CPU cores used by other\n' +
      'processes during the measurement (from /proc/stat): anything above ~0.1 makes that row (PyTorch 2 threads most) unreliable.',
  );
}

function sum(rs: WorkerResult[], k: 'trainSamplesPerSecond' | 'inferSamplesPerSecond'): number {
  return rs.reduce((s, r) => s + r[k], 0);
}

/** Run `n` workers of `backend`, releasing them together after warm-up. */
type WorkerResults = WorkerResult[] & { otherCores?: number };

async function runWorkers(backend: BackendName, n: number, extra: string[] = []): Promise<WorkerResults | string> {
  const children = Array.from({ length: n }, () =>
    spawn(process.execPath, ['--import', 'tsx', SELF, '--worker', '--backend', backend, '--batch', String(batch), '--seconds', String(seconds), ...extra], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, WT_BACKEND: backend },
    }),
  );
  const outputs = children.map(() => ({ out: '', err: '' }));
  let ready = 0;
  let start: { wall: number; busy: number | undefined } | undefined;
  const done = children.map(
    (c, i) =>
      new Promise<number>((resolve) => {
        c.stdout.on('data', (d: Buffer) => {
          outputs[i]!.out += d.toString();
          if (d.toString().includes('READY') && ++ready === n) {
            start = { wall: performance.now(), busy: busySeconds() };
            for (const o of children) o.stdin.write('GO\n');
          }
        });
        c.stderr.on('data', (d: Buffer) => (outputs[i]!.err += d.toString()));
        c.on('close', (code) => {
          // a worker that failed before READY would leave the others waiting for GO
          if (code !== 0 && ready < n) for (const o of children) if (o !== c && o.exitCode === null) o.kill();
          resolve(code ?? 1);
        });
      }),
  );
  const codes = await Promise.all(done);
  const end = { wall: performance.now(), busy: busySeconds() };
  const results: WorkerResults = [];
  for (let i = 0; i < n; i++) {
    const lines = outputs[i]!.out.split('\n');
    const line = lines.find((l) => l.startsWith('RESULT '));
    if (codes[i] !== 0 || !line)
      return (
        lines.find((l) => l.startsWith('ERROR '))?.slice(6).replace(/^.*cannot be used: (.*?)\. Install it.*$/, '$1') ??
        outputs[i]!.err.trim().split('\n').at(-1) ??
        `exit ${codes[i]}`
      ).slice(0, 100);
    results.push(JSON.parse(line.slice(7)) as WorkerResult);
  }
  if (start?.busy !== undefined && end.busy !== undefined)
    results.otherCores = Math.max(0, (end.busy - start.busy - results.reduce((s, r) => s + r.cpuSeconds, 0)) / ((end.wall - start.wall) / 1000));
  return results;
}

async function worker(backend: BackendName): Promise<void> {
  const info = await initBackend({ backend, log: () => {} });
  const model = new FixupResNet(MODEL);
  const data = randomDataset(batch * 4);
  const weights = model.init(0);
  const sgd = new Sgd({ momentum: 0.9, weightDecay: 1e-4, smallParamLrFactor: 0.1 }, weights);
  const step = new TrainStep(model, data, batch);
  const ids = model.params.map((p) => p.name);
  const rng = Rng.from(0, 'bench');
  const trainStep = () => {
    const idx = rng.permutation(data.header.count).subarray(0, batch);
    const { grads } = step.run(weights, ids, idx, 1, undefined);
    sgd.step(weights, grads, 0.01);
  };
  const x = tf.randomNormal([batch, MODEL.height, MODEL.width, MODEL.channels]) as Tensor4D;
  const inferStep = () => {
    const params = model.toTensors(weights);
    tf.tidy(() => model.forward(params, x).logits.dataSync());
    for (const t of params.values()) t.dispose();
  };
  trainStep();
  inferStep();
  process.stdout.write('READY\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const cpu0 = process.cpuUsage();
  const trainRate = measure(trainStep, seconds / 2);
  const inferRate = measure(inferStep, seconds / 2);
  const cpu = process.cpuUsage(cpu0);
  const result: WorkerResult = {
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    backend: info.name, version: info.version, threads: info.threads,
    trainSamplesPerSecond: trainRate, inferSamplesPerSecond: inferRate,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

/** The real training loop: 1 epoch incl. epoch-0 and epoch-1 evaluation of train and test sets. */
async function endToEndWorker(backend: BackendName): Promise<void> {
  const info = await initBackend({ backend, log: () => {} });
  const count = Number(args['e2e-count']);
  const trainSet = randomDataset(count);
  const testSet = randomDataset(Math.ceil(count / 5));
  const dir = mkdtempSync(join(tmpdir(), 'wt-bench-'));
  process.stdout.write('READY\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const cpu0 = process.cpuUsage();
  let evalSeconds = 0;
  try {
    const r = await train({
      model: MODEL, train: trainSet, test: testSet, checkpointDir: dir, init: { kind: 'fresh' },
      config: { epochs: 1, batchSize: batch, lr: 0.01, seed: 0, mixupAlpha: 0.7 },
    });
    const e1 = r.history[1]!;
    evalSeconds = e1.seconds - count / e1.samplesPerSecond;
    const cpu = process.cpuUsage(cpu0);
    const result: WorkerResult = {
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      backend: info.name, version: info.version, threads: info.threads,
      trainSamplesPerSecond: e1.samplesPerSecond,
      inferSamplesPerSecond: (count + testSet.header.count) / evalSeconds,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    };
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

/** samples/s of `step` over at least `budget` seconds (and at least 1 step). */
function measure(step: () => void, budget: number): number {
  let steps = 0;
  const t0 = performance.now();
  while (steps < 1 || performance.now() - t0 < budget * 1000) {
    step();
    steps++;
  }
  return (steps * batch) / ((performance.now() - t0) / 1000);
}

function randomDataset(count: number): Dataset {
  const rng = Rng.from(0, 'bench-data');
  const size = MODEL.height * MODEL.width * MODEL.channels;
  const images = new Uint8Array(count * size);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  return {
    header: {
      domain: 'bench', split: 'train', classes: Array.from({ length: MODEL.classes }, (_, i) => String(i)), count,
      height: MODEL.height, width: MODEL.width, channels: MODEL.channels,
      normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }, provenance: {},
    },
    images,
    labels: Uint16Array.from({ length: count }, () => rng.int(MODEL.classes)),
  };
}

/** CPU seconds all processes have used since boot (Linux /proc/stat; USER_HZ = 100). */
function busySeconds(): number | undefined {
  try {
    const v = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (v.reduce((a, b) => a + b, 0) - v[3]! - v[4]!) / 100;
  } catch {
    return undefined;
  }
}

interface TorchResult {
  other_cores: number | null;
  torch: string;
  threads: number;
  train_samples_per_s: number;
  infer_samples_per_s: number;
}

function torchReference(threads: number): TorchResult | undefined {
  const python = '/usr/bin/python3';
  if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) return undefined;
  const script = fileURLToPath(new URL('./torch_reference.py', import.meta.url));
  const r = spawnSync(python, [script, '--batch', String(batch), '--threads', String(threads), '--seconds', String(seconds / 2),
    '--height', String(MODEL.height), '--width', String(MODEL.width), '--channels', String(MODEL.channels), '--classes', String(MODEL.classes)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    console.log(`torch reference failed: ${r.stderr.trim().split('\n').at(-1)}`);
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchResult;
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (c ?? '').padEnd(widths[i]!)).join(' | ') + ' |';
  console.log(line(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
}
