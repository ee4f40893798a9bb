import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initBackend, switchBackend } from '../../ml/backend.ts';
import { FixupResNet } from '../../ml/model.ts';
import { Rng } from '../../ml/rng.ts';
import { tf, type Tensor, type Tensor4D } from '../../ml/tf.ts';

before(async () => {
  await initBackend({ backend: 'wasm', log: () => {} });
});

describe('FixupResNet structure', () => {
  const m = new FixupResNet({ classes: 10 });

  it('has stable hierarchical parameter names in model order', () => {
    assert.deepEqual(
      m.params.map((p) => p.name),
      [
        'stem.conv',
        'stem.bias',
        'layer1.0.bias1a',
        'layer1.0.conv1',
        'layer1.0.bias1b',
        'layer1.0.bias2a',
        'layer1.0.conv2',
        'layer1.0.scale',
        'layer1.0.bias2b',
        'layer2.0.bias1a',
        'layer2.0.conv1',
        'layer2.0.bias1b',
        'layer2.0.bias2a',
        'layer2.0.conv2',
        'layer2.0.scale',
        'layer2.0.bias2b',
        'layer2.0.downsample',
        'layer3.0.bias1a',
        'layer3.0.conv1',
        'layer3.0.bias1b',
        'layer3.0.bias2a',
        'layer3.0.conv2',
        'layer3.0.scale',
        'layer3.0.bias2b',
        'layer3.0.downsample',
        'fc.bias_in',
        'fc.weight',
        'fc.bias',
      ],
    );
    assert.deepEqual(m.modules, ['stem', 'layer1.0', 'layer2.0', 'layer3.0', 'fc']);
    assert.deepEqual(m.stageNames, ['stem', 'layer1', 'layer2', 'layer3']);
    assert.deepEqual(m.params.find((p) => p.name === 'layer2.0.conv1')!.shape, [3, 3, 16, 32]);
    assert.deepEqual(m.params.find((p) => p.name === 'fc.weight')!.shape, [64, 10]);
  });

  it('names deeper configurations per stage and block', () => {
    const deep = new FixupResNet({ classes: 3, widths: [8, 16], blocks: [2, 3] });
    assert.deepEqual(deep.modules, ['stem', 'layer1.0', 'layer1.1', 'layer2.0', 'layer2.1', 'layer2.2', 'fc']);
    assert.ok(!deep.params.some((p) => p.name === 'layer2.1.downsample'));
  });

  it('rejects inconsistent configs', () => {
    assert.throws(() => new FixupResNet({ classes: 10, widths: [16, 32], blocks: [1] }), /one entry per stage/);
    assert.throws(() => new FixupResNet({ classes: 10, foo: 1 } as never));
  });

  it('initialises the Fixup way, reproducibly per seed', () => {
    const deep = new FixupResNet({ classes: 10, widths: [32, 64], blocks: [2, 2] });
    const w = deep.init(3);
    for (const [n, t] of w) {
      if (/conv2$|bias/.test(n) && n !== 'fc.bias')
        assert.ok(
          t.data.every((v) => v === 0),
          `${n} should be zero`,
        );
      if (n.endsWith('scale')) assert.deepEqual([...t.data], [1]);
    }
    // conv1: He std × L^(−1/2) with L = 4 blocks
    const c1 = w.get('layer1.1.conv1')!.data;
    const std = Math.sqrt(c1.reduce((s, v) => s + v * v, 0) / c1.length);
    const expected = Math.sqrt(2 / (32 * 9)) * 4 ** -0.5;
    assert.ok(Math.abs(std / expected - 1) < 0.05, `conv1 std ${std} vs ${expected}`);
    const bound = 1 / Math.sqrt(64);
    assert.ok(w.get('fc.weight')!.data.every((v) => Math.abs(v) <= bound) && w.get('fc.weight')!.data.some((v) => v !== 0));
    assert.deepEqual(deep.init(3), w);
    assert.notDeepEqual(deep.init(4).get('layer1.0.conv1'), w.get('layer1.0.conv1'));
  });

  it('re-initialises only the requested modules', () => {
    const w = m.init(1);
    const r = m.reinitModules(w, ['fc'], 2);
    assert.deepEqual(r.get('stem.conv'), w.get('stem.conv'));
    assert.notDeepEqual(r.get('fc.weight'), w.get('fc.weight'));
    assert.deepEqual(r.get('fc.weight'), m.init(2).get('fc.weight'));
  });

  it('counts FLOPs', () => {
    const f = m.flopsPerSample();
    // stem 3→16 at 32² + layer1 2×(16→16 at 32²) + layer2 (16→32, 32→32 at 16², 1×1) + layer3 (…at 8²) + fc
    const conv = (hw: number, k: number, ci: number, co: number) => 2 * hw * hw * k * k * ci * co;
    const expected =
      conv(32, 3, 3, 16) +
      2 * conv(32, 3, 16, 16) +
      conv(16, 3, 16, 32) +
      conv(16, 3, 32, 32) +
      conv(16, 1, 16, 32) +
      conv(8, 3, 32, 64) +
      conv(8, 3, 64, 64) +
      conv(8, 1, 32, 64) +
      2 * 64 * 10;
    assert.equal(f.forward, expected);
    assert.equal(f.train, 3 * expected - conv(32, 3, 3, 16));
  });
});

describe('FixupResNet forward', () => {
  for (const [size, channels] of [
    [16, 1],
    [24, 3],
    [28, 1],
    [32, 3],
  ] as const) {
    it(`runs at ${size}×${size}×${channels} and returns stem/stage/pool outputs`, () => {
      const m = new FixupResNet({ height: size, width: size, channels, classes: 5 });
      const p = m.toTensors(m.init(0));
      const before = tf.memory().numTensors;
      const shapes = tf.tidy(() => {
        const r = m.forward(p, tf.randomNormal([2, size, size, channels]) as Tensor4D, [
          'stem',
          'layer1',
          'layer2',
          'layer3',
          'pool',
          'layer2.0',
        ]);
        return { logits: r.logits.shape, ...Object.fromEntries([...r.outputs].map(([k, t]) => [k, t.shape])) };
      });
      assert.equal(tf.memory().numTensors, before);
      const h2 = Math.ceil(size / 2);
      const h3 = Math.ceil(h2 / 2);
      assert.deepEqual(shapes, {
        logits: [2, 5],
        stem: [2, size, size, 16],
        layer1: [2, size, size, 16],
        layer2: [2, h2, h2, 32],
        'layer2.0': [2, h2, h2, 32],
        layer3: [2, h3, h3, 64],
        pool: [2, 64],
      });
      for (const t of p.values()) t.dispose();
    });
  }

  it('rejects unknown output names', () => {
    const m = new FixupResNet({ height: 16, width: 16, classes: 2 });
    const p = m.toTensors(m.init(0));
    assert.throws(() => tf.tidy(() => m.forward(p, tf.zeros([1, 16, 16, 3]) as Tensor4D, ['layer9']).logits), /unknown output 'layer9'/);
    for (const t of p.values()) t.dispose();
  });

  it('reads weights back unchanged and checks shapes', () => {
    const m = new FixupResNet({ height: 16, width: 16, classes: 2 });
    const w = m.init(5);
    const p = m.toTensors(w);
    assert.deepEqual(m.fromTensors(p), w);
    for (const t of p.values()) t.dispose();
    const bad = new Map(w);
    bad.set('fc.weight', { shape: [64, 3], data: new Float32Array(192) });
    assert.throws(() => m.toTensors(bad), /fc\.weight is \[64,3\], model needs \[64,2\]/);
  });

  it('gives the same logits and gradients on wasm and cpu (non-trivial weights)', async () => {
    const m = new FixupResNet({ height: 12, width: 12, channels: 3, classes: 4, widths: [4, 8], blocks: [1, 2] });
    // perturb every parameter so the zero-initialised conv2s and biases matter too
    const w = m.init(1);
    const rng = Rng.from(9);
    for (const t of w.values()) for (let i = 0; i < t.data.length; i++) t.data[i] = t.data[i]! + 0.1 * rng.normal();
    const x = Float32Array.from({ length: 3 * 12 * 12 * 3 }, () => rng.normal());
    const results: Record<string, Float32Array[]> = {};
    for (const b of ['cpu', 'wasm'] as const) {
      await switchBackend(b);
      const p = m.toTensors(w);
      const names = [...p.keys()];
      const out = tf.tidy(() => {
        const input = tf.tensor4d(x, [3, 12, 12, 3]);
        const f = (...ps: Tensor[]) =>
          m
            .forward(new Map(names.map((n, i) => [n, ps[i]!])), input)
            .logits.square()
            .sum() as tf.Scalar;
        const { value, grads } = tf.valueAndGrads(f)(names.map((n) => p.get(n)!));
        return [m.forward(p, input).logits, value, ...grads].map((t) => t.dataSync() as Float32Array);
      });
      results[b] = out;
      for (const t of p.values()) t.dispose();
    }
    results.cpu!.forEach((ref, i) => {
      const got = results.wasm![i]!;
      let num = 0;
      let den = 1e-12;
      for (let j = 0; j < ref.length; j++) {
        num = Math.max(num, Math.abs(got[j]! - ref[j]!));
        den = Math.max(den, Math.abs(ref[j]!));
      }
      assert.ok(num / den < 1e-4, `output ${i}: relative error ${num / den}`);
    });
  });
});
