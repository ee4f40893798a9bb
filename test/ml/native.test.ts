// The native kernels addon (native/wt-kernels): every kernel against the cpu backend on random
// shapes, bit-identical results across instruction sets and thread counts, in-place work on a
// growing wasm heap, the loader's fallback when the addon is disabled or missing, and
// trainingThreads(). Kernel tests are skipped (with the reason) when the addon is not built.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { backendInfo, initBackend, switchBackend } from '../../ml/backend.ts';
import { NATIVE_KERNEL_NAMES, selectedNativeKernels } from '../../ml/kernels/native.ts';
import { asWasmBackend } from '../../ml/kernels/wasm-heap.ts';
import { loadNative, nativeStatus, nativeThreadSetting, type NativeStatus } from '../../ml/native.ts';
import { Rng } from '../../ml/rng.ts';
import { tf, type Tensor, type Tensor2D, type Tensor4D } from '../../ml/tf.ts';
import { trainingThreads } from '../../ml/threads.ts';
import {
  assertConvMatchesCpu,
  CONV_KERNELS,
  convOp,
  convOutShape,
  onBoth,
  randomConvCases,
  randomData,
  relativeError,
  type ConvCase,
} from './kernel-check.ts';

const PACKAGE = fileURLToPath(new URL('../../native/wt-kernels/', import.meta.url));
const native = nativeStatus();
const skip = native.available ? false : `SKIPPED: native kernels unavailable: ${native.reason}`;
if (skip) process.stderr.write(`\n*** ${skip} ***\n\n`);

/** random convolutions with channel counts across vector widths (1–40), plus the model's own shapes */
function randomCases(count: number, seed: number): ConvCase[] {
  const cases = randomConvCases(count, seed, {
    stream: 'native-cases',
    maxBatch: 4,
    channels: (int, rng) => (rng.float() < 0.5 ? int(1, 8) : int(9, 40)),
  });
  // the model's own shapes: 3×3 'same', stride-2 with explicit symmetric padding, 1×1 stride-2
  cases.push(
    { x: [3, 16, 16, 16], filter: [3, 3, 16, 16], strides: [1, 1], pad: 'same' },
    {
      x: [3, 16, 16, 16],
      filter: [3, 3, 16, 32],
      strides: [2, 2],
      pad: [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
    },
    { x: [3, 8, 8, 32], filter: [1, 1, 32, 64], strides: [2, 2], pad: 'valid' },
    { x: [2, 4, 4, 64], filter: [3, 3, 64, 64], strides: [1, 1], pad: 'same' },
    { x: [2, 9, 9, 3], filter: [3, 3, 3, 16], strides: [1, 1], pad: 'same' },
  );
  return cases;
}

const cases = randomCases(60, 17);

describe('native kernels match the cpu backend', { skip }, () => {
  before(async () => {
    await initBackend({ backend: 'wasm', log: () => {} });
  });

  it('are installed over the wasm backend, and backendInfo says so', () => {
    const info = backendInfo();
    assert.deepEqual(info.native, { active: true, isa: (native as { isa: string }).isa, threads: nativeThreadSetting() });
    assert.equal(info.threads, nativeThreadSetting());
    for (const name of NATIVE_KERNEL_NAMES) assert.equal(info.kernels[name], `native-${info.native.active && info.native.isa}`, name);
  });

  for (const kernel of CONV_KERNELS) {
    it(`${kernel}: relative error < 1e-5 on ${cases.length} shapes (strides 1/2, same/valid/explicit, odd sizes, batch 1, 1–40 channels)`, async () => {
      await assertConvMatchesCpu(kernel, cases, Rng.from(23, kernel));
    });
  }

  it('FusedConv2D with a per-channel or scalar bias and relu/linear', async () => {
    const rng = Rng.from(5, 'fused-conv');
    for (const c of cases.slice(0, 20)) {
      const x = randomData(c.x, rng);
      const filter = randomData(c.filter, rng);
      const co = c.filter[3];
      for (const [biasShape, activation] of [
        [[co], 'relu'],
        [[1], 'linear'],
        [[co], 'linear'],
      ] as const) {
        const bias = randomData([...biasShape], rng);
        const { wasm, cpu } = await onBoth(() =>
          tf.fused.conv2d({
            x: tf.tensor4d(x, c.x),
            filter: tf.tensor4d(filter, c.filter),
            strides: c.strides,
            pad: c.pad,
            bias: tf.tensor(bias, [...biasShape]),
            activation,
          }),
        );
        assert.ok(relativeError(wasm, cpu) < 1e-5, `${JSON.stringify(c)} ${activation}`);
      }
    }
  });

  it('BatchMatMul and _FusedMatMul with transposes, batches and broadcasting', async () => {
    const rng = Rng.from(9, 'matmul');
    const shapes: [number[], number[], boolean, boolean][] = [
      [[32, 64], [64, 10], false, false],
      [[32, 10], [64, 10], false, true],
      [[32, 64], [32, 10], true, false],
      [[7, 33], [19, 7], true, true],
      [[3, 5, 17], [3, 17, 40], false, false],
      [[1, 5, 17], [4, 17, 9], false, false],
      [[4, 17, 5], [17, 9], true, false],
      [[1, 1], [1, 1], false, false],
      [[200, 3], [3, 70], false, false],
    ];
    for (const [sa, sb, ta, tb] of shapes) {
      const a = randomData(sa, rng);
      const b = randomData(sb, rng);
      const r = await onBoth(() => tf.matMul(tf.tensor(a, sa), tf.tensor(b, sb), ta, tb));
      assert.ok(relativeError(r.wasm, r.cpu) < 1e-5, `matMul ${sa} ${sb} ${ta} ${tb}`);
      const n = tb ? sb.at(-2)! : sb.at(-1)!;
      const bias = randomData([n], rng);
      const f = await onBoth(() =>
        tf.fused.matMul({
          a: tf.tensor(a, sa),
          b: tf.tensor(b, sb),
          transposeA: ta,
          transposeB: tb,
          bias: tf.tensor1d(bias),
          activation: 'relu',
        }),
      );
      assert.ok(relativeError(f.wasm, f.cpu) < 1e-5, `fused matMul ${sa} ${sb} ${ta} ${tb}`);
    }
  });

  it('Add, Sub, Multiply (same shape, scalar either side), Relu and Step (NaN kept), small and parallel sizes', async () => {
    const rng = Rng.from(13, 'elementwise');
    for (const shape of [[5, 7, 3], [70001], [2, 300, 257]]) {
      const a = randomData(shape, rng);
      a[3] = NaN;
      a[4] = 0;
      a[5] = -0;
      const b = randomData(shape, rng);
      const s = randomData([1], rng);
      const ops: [string, () => Tensor][] = [
        ['add', () => tf.add(tf.tensor(a, shape), tf.tensor(b, shape))],
        ['add scalar', () => tf.add(tf.tensor(a, shape), tf.tensor(s, [1]))],
        ['scalar sub', () => tf.sub(tf.scalar(s[0]!), tf.tensor(a, shape))],
        ['mul', () => tf.mul(tf.tensor(a, shape), tf.tensor(b, shape))],
        ['mul scalar', () => tf.mul(tf.tensor(s, [1]), tf.tensor(a, shape))],
        ['relu', () => tf.relu(tf.tensor(a, shape))],
        ['step', () => tf.step(tf.tensor(a, shape), 0.25)],
      ];
      for (const [name, f] of ops) {
        const { wasm, cpu } = await onBoth(f);
        assert.ok(Number.isNaN(wasm[3]!) && Number.isNaN(cpu[3]!), `${name}: NaN`);
        wasm[3] = cpu[3] = 0;
        assert.deepEqual(wasm, cpu, `${name} ${shape}: element-wise ops are exact`);
      }
    }
  });

  it('Sum over any contiguous run of axes (and other axes through the fallback) matches an exact sum', async () => {
    const rng = Rng.from(19, 'sum');
    const check = async (shape: number[], axis: number[] | null, keepDims: boolean) => {
      const x = randomData(shape, rng);
      const { wasm, cpu, shape: got } = await onBoth(() => tf.sum(tf.tensor(x, shape), axis ?? undefined, keepDims));
      const axes = axis ?? shape.map((_, i) => i);
      const exact = new Float64Array(wasm.length);
      const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, q) => p * q, 1));
      const outDims = shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const outStrides = outDims.map((_, i) => outDims.slice(i + 1).reduce((p, q) => p * q, 1));
      for (let i = 0; i < x.length; i++) {
        let o = 0;
        for (let d = 0; d < shape.length; d++) if (!axes.includes(d)) o += (Math.floor(i / strides[d]!) % shape[d]!) * outStrides[d]!;
        exact[o]! += x[i]!;
      }
      assert.deepEqual(
        got,
        tf.tidy(() => tf.sum(tf.zeros(shape), axis ?? undefined, keepDims).shape),
      );
      assert.ok(
        relativeError(wasm, exact) < 1e-5,
        `sum ${shape} ${axis} ${keepDims}: ${relativeError(wasm, exact)} (cpu ${relativeError(cpu, exact)})`,
      );
    };
    await check([4, 5, 6, 7], null, false);
    await check([4, 5, 6, 7], [0], false);
    await check([4, 5, 6, 7], [0, 1, 2], true);
    await check([4, 5, 6, 7], [3], false);
    await check([4, 5, 6, 7], [1, 2], true);
    await check([4, 5, 6, 7], [0, 2], false);
    await check([300001], null, false);
    await check([3, 40000], [1], false);
    await check([40000, 3], [0], false);
    await check([32, 10], [1], true);
  });

  it('gradients of a whole Fixup-style block (tf.grads through every native kernel) match cpu', async () => {
    const rng = Rng.from(29, 'block');
    const x = randomData([4, 8, 8, 16], rng);
    const w1 = randomData([3, 3, 16, 32], rng);
    const w2 = randomData([3, 3, 32, 32], rng);
    const wd = randomData([1, 1, 16, 32], rng);
    const fc = randomData([32, 10], rng);
    const f = (a: Tensor, b: Tensor, c: Tensor, d: Tensor, e: Tensor) => {
      const xin = tf.add(a, tf.scalar(0.1)) as Tensor4D;
      let r = tf.relu(
        tf.add(
          tf.conv2d(xin, b as Tensor4D, 2, [
            [0, 0],
            [1, 1],
            [1, 1],
            [0, 0],
          ]),
          tf.scalar(-0.05),
        ),
      ) as Tensor4D;
      r = tf.mul(tf.conv2d(r, c as Tensor4D, 1, 'same'), tf.scalar(1.5));
      const h = tf.relu(tf.add(r, tf.conv2d(xin, d as Tensor4D, 2, 'valid')));
      return tf.sum(tf.square(tf.matMul(tf.mean(h, [1, 2]) as Tensor2D, e as Tensor2D)));
    };
    const inputs = [
      [x, [4, 8, 8, 16]],
      [w1, [3, 3, 16, 32]],
      [w2, [3, 3, 32, 32]],
      [wd, [1, 1, 16, 32]],
      [fc, [32, 10]],
    ] as const;
    for (let which = 0; which < inputs.length; which++) {
      const { wasm, cpu } = await onBoth(() => tf.grads(f)(inputs.map(([d, s]) => tf.tensor(d, [...s])))[which]!);
      assert.ok(relativeError(wasm, cpu) < 1e-5, `gradient ${which}: ${relativeError(wasm, cpu)}`);
    }
  });

  it('give the same bits on every instruction set and thread count', async () => {
    assert.ok(native.available, 'the suite is skipped without the addon');
    await switchBackend('wasm');
    const rng = Rng.from(31, 'bits');
    const chosen = [...cases.slice(0, 12), ...cases.slice(-5)];
    const data = chosen.map((c) => ({ c, x: randomData(c.x, rng), f: randomData(c.filter, rng), dy: randomData(convOutShape(c), rng) }));
    const big = randomData([3, 40000], rng);
    const runAll = () => {
      const outs: Float32Array[] = [];
      for (const { c, x, f, dy } of data)
        for (const k of CONV_KERNELS) {
          const t = tf.tidy(() => convOp(k, c, x, f, dy));
          outs.push(t.dataSync() as Float32Array);
          t.dispose();
        }
      for (const axis of [undefined, 0, 1]) {
        const t = tf.tidy(() => tf.sum(tf.tensor(big, [3, 40000]), axis));
        outs.push(t.dataSync() as Float32Array);
        t.dispose();
      }
      const m = tf.tidy(() => tf.matMul(tf.tensor(big.subarray(0, 600 * 33), [600, 33]), tf.tensor(big.subarray(0, 33 * 21), [33, 21])));
      outs.push(m.dataSync() as Float32Array);
      m.dispose();
      return outs;
    };
    const { addon, isa } = native;
    const threads = nativeThreadSetting();
    const reference = runAll();
    try {
      for (const other of addon.info().isas)
        for (const t of [1, 3]) {
          addon.configure(other, t);
          const got = runAll();
          got.forEach((g, i) =>
            assert.ok(
              Buffer.from(g.buffer, g.byteOffset, g.byteLength).equals(
                Buffer.from(reference[i]!.buffer, reference[i]!.byteOffset, reference[i]!.byteLength),
              ),
              `${other} × ${t} threads, output ${i}`,
            ),
          );
        }
    } finally {
      addon.configure(isa, threads);
    }
  });

  it('work in place when allocating the output grows the wasm heap', async () => {
    await switchBackend('wasm');
    const backend = asWasmBackend(tf.backend());
    const heap0 = backend.wasm.HEAPU8.buffer;
    const n = Math.ceil(heap0.byteLength / 4 / 2) + 1024; // two tensors of this size cannot both fit
    const x = tf.fill([n], 1.5);
    const y = tf.add(x, tf.scalar(2).reshape([1]));
    const z = tf.relu(y);
    assert.notEqual(backend.wasm.HEAPU8.buffer, heap0, 'the heap did not grow: the test proves nothing');
    const v = z.dataSync();
    assert.equal(v[0], 3.5);
    assert.equal(v[n - 1], 3.5);
    tf.dispose([x, y, z]);
  });
});

const CHILD = fileURLToPath(new URL('./backend-child.ts', import.meta.url));

function child(env: Record<string, string>): { info: ReturnType<typeof backendInfo>; log: string[] } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD], {
    encoding: 'utf8',
    env: { ...process.env, WT_BACKEND: 'wasm', ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return { info: JSON.parse(r.stdout.trim()), log: r.stderr.trim().split('\n').filter(Boolean) };
}

describe('native kernels fall back to the wasm kernels cleanly', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'wt-native-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('WT_NATIVE=0 disables the addon', () => {
    const s = loadNative({ env: { WT_NATIVE: '0' } });
    assert.deepEqual(s, { available: false, reason: 'disabled by WT_NATIVE=0', disabled: true });
  });

  it('a missing .node file (no compiler at install) is reported as unavailable, with the recorded reason', () => {
    const s = loadNative({ env: {}, file: join(dir, 'build', 'Release', 'wt_kernels.node') });
    assert.equal(s.available, false);
    assert.match((s as { reason: string }).reason, /^not built/);
    // install.js writes build/install-error.txt when it skips the build
    const built = join(dir, 'pkg', 'build', 'Release');
    mkdirSync(built, { recursive: true });
    writeFileSync(join(dir, 'pkg', 'build', 'install-error.txt'), 'no C++ compiler (g++, c++ or clang++) on PATH\n');
    const r = loadNative({ env: {}, file: join(built, 'wt_kernels.node') });
    assert.deepEqual(r, {
      available: false,
      reason: 'not built at install: no C++ compiler (g++, c++ or clang++) on PATH',
      disabled: false,
    });
  });

  it('install.js on a machine without a C++ compiler exits 0, says why once, and the loader reports it', () => {
    // a copy of the package (the real build stays) and a PATH holding node, make and python3 only
    const pkg = join(dir, 'no-compiler');
    mkdirSync(pkg);
    for (const f of ['package.json', 'index.js', 'install.js', 'binding.gyp']) cpSync(join(PACKAGE, f), join(pkg, f));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const tool of ['make', 'python3']) {
      const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (found) symlinkSync(found, join(bin, tool));
    }
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: bin };
    delete env.CXX;
    const r = spawnSync(process.execPath, ['install.js'], { cwd: pkg, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stderr.trim(),
      'wt-kernels: native kernels not built (no C++ compiler (g++, c++ or clang++) on PATH); training will use the wasm kernels',
    );
    const loaded = (createRequire(import.meta.url)(join(pkg, 'index.js')) as { load(): { addon: unknown; reason: string } }).load();
    assert.deepEqual(loaded, { addon: null, reason: 'not built at install: no C++ compiler (g++, c++ or clang++) on PATH' });
  });

  it('a .node file that cannot load is reported as unavailable', () => {
    const file = join(dir, 'broken.node');
    writeFileSync(file, 'not a shared object');
    const s = loadNative({ env: {}, file });
    assert.equal(s.available, false);
    assert.match((s as { reason: string }).reason, /^cannot load broken\.node: /);
  });

  it('an instruction set the CPU lacks is refused', { skip }, () => {
    const s = loadNative({ env: { WT_NATIVE_ISA: 'sve2' } });
    assert.equal(s.available, false);
    assert.match((s as { reason: string }).reason, /WT_NATIVE_ISA=sve2 is not available here/);
  });

  it('a training process without the addon logs one line and uses the wasm kernels', () => {
    const missing = child({ WT_NATIVE_ADDON: join(dir, 'nothing', 'build', 'Release', 'wt_kernels.node') });
    assert.deepEqual(missing.log, [
      `[ml] backend wasm 4.22.0, 1 thread (native kernels unavailable: not built (${join(dir, 'nothing', 'build', 'Release', 'wt_kernels.node')} is missing); using the wasm kernels)`,
    ]);
    assert.equal(missing.info.threads, 1);
    assert.equal(missing.info.kernels.Conv2DBackpropFilter, 'xnnpack-conv-transposed');
    assert.equal(missing.info.kernels.Add, undefined);
    const disabled = child({ WT_NATIVE: '0' });
    assert.deepEqual(disabled.log, ['[ml] backend wasm 4.22.0, 1 thread (native kernels disabled by WT_NATIVE=0)']);
    assert.deepEqual(disabled.info.native, { active: false, reason: 'disabled by WT_NATIVE=0' });
  });

  it('WT_NATIVE_KERNELS installs only the named kernels; WT_THREADS sets the threads', { skip }, () => {
    const some = child({ WT_NATIVE_KERNELS: 'Conv2D,Sum', WT_THREADS: '3' });
    assert.equal(some.info.threads, 3);
    assert.match(some.info.kernels.Conv2D!, /^native-/);
    assert.match(some.info.kernels.Sum!, /^native-/);
    assert.equal(some.info.kernels.Conv2DBackpropFilter, 'xnnpack-conv-transposed');
    assert.equal(some.info.kernels.Add, undefined);
    assert.throws(() => selectedNativeKernels({ WT_NATIVE_KERNELS: 'Conv2D,Conv3D' }), /unknown kernel\(s\) Conv3D; choose from Conv2D, /);
    assert.throws(() => nativeThreadSetting({ WT_THREADS: 'two' }), /WT_THREADS='two' is not a whole number/);
  });
});

describe('trainingThreads', () => {
  const on: NativeStatus = { available: true, addon: {} as never, isa: 'avx2' };
  const off: NativeStatus = { available: false, reason: 'disabled by WT_NATIVE=0', disabled: true };

  it('is 1 without the native kernels or on the cpu backend', () => {
    assert.equal(trainingThreads({ env: {}, native: off }), 1);
    assert.equal(trainingThreads({ env: { WT_BACKEND: 'cpu' }, native: on }), 1);
    assert.equal(trainingThreads({ env: { WT_BACKEND: 'wasm', WT_THREADS: '4' }, native: off }), 1);
  });

  it('is WT_THREADS or the core count with them', () => {
    assert.equal(trainingThreads({ env: { WT_BACKEND: 'wasm' }, native: on }), availableParallelism());
    assert.equal(trainingThreads({ env: { WT_THREADS: '3' }, native: on }), 3);
    assert.equal(trainingThreads({ env: { WT_BACKEND: 'tfjs-node', TF_NUM_INTRAOP_THREADS: '5' }, native: off }), 5);
  });

  it("stays within the cores the stage was granted (its context's cpus), and refuses nonsense", () => {
    assert.equal(nativeThreadSetting({}, 1), 1);
    assert.equal(nativeThreadSetting({ WT_THREADS: '4' }, 2), 2);
    assert.equal(nativeThreadSetting({ WT_THREADS: '1' }, 2), 1);
    assert.equal(nativeThreadSetting({ WT_THREADS: '3' }), 3);
    assert.throws(() => nativeThreadSetting({ WT_THREADS: '0' }), /WT_THREADS='0' is not a whole number/);
    assert.throws(() => nativeThreadSetting({ WT_THREADS: 'many' }), /WT_THREADS='many'/);
  });

  it('agrees with what initBackend then reports, for this process', async () => {
    const expected = trainingThreads();
    const info = await initBackend({ log: () => {} });
    assert.equal(info.threads, expected);
  });
});
