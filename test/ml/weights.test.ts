import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FixupResNet } from '../../ml/model.ts';
import { Rng } from '../../ml/rng.ts';
import {
  addGaussianNoise,
  cloneWeights,
  flatten,
  interpolate,
  l2Distance,
  l2Norm,
  moduleOf,
  modulesOf,
  parameterCount,
  paramsOfModule,
  replaceModule,
  subtract,
  type Weights,
} from '../../ml/weights.ts';

const model = new FixupResNet({ height: 16, width: 16, classes: 3, widths: [4, 8], blocks: [1, 1] });
const a = model.init(1);
const b = model.init(2);
const tiny: Weights = new Map([
  ['stem.conv', { shape: [2], data: Float32Array.from([1, 2]) }],
  ['layer1.0.conv1', { shape: [1], data: Float32Array.from([3]) }],
  ['fc.weight', { shape: [2], data: Float32Array.from([4, 0]) }],
]);

describe('weights', () => {
  it('maps parameters to modules', () => {
    assert.equal(moduleOf('layer2.0.conv1'), 'layer2.0');
    assert.equal(moduleOf('stem.bias'), 'stem');
    assert.equal(moduleOf('fc.weight'), 'fc');
    assert.deepEqual(modulesOf(a), [...model.modules]);
    assert.deepEqual(paramsOfModule(a, 'stem'), ['stem.conv', 'stem.bias']);
    assert.throws(() => paramsOfModule(a, 'layer9.0'), /no module 'layer9.0'/);
  });

  it('flattens in model order, optionally without modules', () => {
    assert.deepEqual([...flatten(tiny)], [1, 2, 3, 4, 0]);
    assert.deepEqual([...flatten(tiny, { excludeModules: ['fc'] })], [1, 2, 3]);
    assert.deepEqual([...flatten(tiny, { modules: ['layer1.0'] })], [3]);
    assert.equal(flatten(a).length, parameterCount(a));
    assert.throws(() => flatten(tiny, { excludeModules: ['head'] }), /no module 'head'/);
  });

  it('subtracts, measures norms and distances', () => {
    const d = subtract(a, b);
    assert.ok(Math.abs(l2Norm(d) / l2Distance(a, b) - 1) < 1e-6);
    assert.ok(Math.abs(l2Norm(tiny) - Math.sqrt(1 + 4 + 9 + 16)) < 1e-12);
    assert.ok(Math.abs(l2Norm(tiny, { excludeModules: ['fc'] }) - Math.sqrt(14)) < 1e-12);
    const fa = flatten(a, { excludeModules: ['fc'] });
    const fb = flatten(b, { excludeModules: ['fc'] });
    const direct = Math.sqrt(fa.reduce((s, v, i) => s + (v - fb[i]!) ** 2, 0));
    assert.ok(Math.abs(l2Distance(a, b, { excludeModules: ['fc'] }) - direct) < 1e-9);
  });

  it('interpolates every tensor', () => {
    assert.deepEqual(interpolate(a, b, 0), a);
    assert.deepEqual(interpolate(a, b, 1), b);
    const mid = interpolate(a, b, 0.25);
    for (const [n, t] of mid) t.data.forEach((v, i) => assert.equal(v, Math.fround(0.75 * a.get(n)!.data[i]! + 0.25 * b.get(n)!.data[i]!)));
  });

  it('rejects weight sets of different layouts', () => {
    const other = new FixupResNet({ height: 16, width: 16, classes: 5, widths: [4, 8], blocks: [1, 1] }).init(0);
    assert.throws(() => interpolate(a, other, 0.5), /fc\.weight has shape/);
  });

  it('replaces one module without touching the rest or the inputs', () => {
    const before = cloneWeights(a);
    const r = replaceModule(a, b, 'layer1.0');
    for (const [n, t] of r) assert.deepEqual(t, (moduleOf(n) === 'layer1.0' ? b : a).get(n));
    assert.deepEqual(a, before);
    r.get('layer1.0.conv1')!.data[0] = 99;
    assert.notEqual(b.get('layer1.0.conv1')!.data[0], 99);
  });

  it('adds seeded Gaussian noise to one module only', () => {
    const n1 = addGaussianNoise(a, 'layer2.0', 0.1, 7);
    assert.deepEqual(n1, addGaussianNoise(a, 'layer2.0', 0.1, 7));
    assert.notDeepEqual(n1, addGaussianNoise(a, 'layer2.0', 0.1, 8));
    for (const [n, t] of n1) if (moduleOf(n) !== 'layer2.0') assert.deepEqual(t, a.get(n));
    const diff = flatten(subtract(n1, a), { modules: ['layer2.0'] });
    const std = Math.sqrt(diff.reduce((s, v) => s + v * v, 0) / diff.length);
    assert.ok(Math.abs(std - 0.1) < 0.01, `noise std ${std}`);
  });
});

describe('rng', () => {
  it('is reproducible, resumable and has the right moments', () => {
    const r = Rng.from(1, 'x');
    const first = [r.float(), r.float()];
    const state = r.state();
    const next = [r.float(), r.normal(), r.beta(0.7, 0.7)];
    const resumed = Rng.fromState(state);
    assert.deepEqual([resumed.float(), resumed.normal(), resumed.beta(0.7, 0.7)], next);
    assert.deepEqual([Rng.from(1, 'x').float(), Rng.from(1, 'x').float()], [first[0], first[0]]);
    assert.notEqual(Rng.from(1, 'y').float(), first[0]);
    const g = Rng.from(2);
    let s = 0;
    let s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const v = g.beta(0.7, 0.7);
      assert.ok(v >= 0 && v <= 1);
      s += v;
      s2 += v * v;
    }
    // Beta(a, a): mean 1/2, variance 1/(4(2a+1)) = 0.1042 for a = 0.7
    assert.ok(Math.abs(s / n - 0.5) < 0.01);
    assert.ok(Math.abs(s2 / n - 0.25 - 1 / (4 * 2.4)) < 0.01);
    const p = g.permutation(50);
    assert.deepEqual(
      [...p].sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });
});
