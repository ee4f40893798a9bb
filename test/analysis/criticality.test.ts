// Chatterji et al.'s module criticality on hand-built heat-maps and toy "models" (a loss that is
// a function of the weights, no network): the grid minimum, its minimiser, the statuses, the
// network sum, the pruned search against the full grid, and the σ > 0 rule of the schemas.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AT_LARGEST_SIGMA,
  criticalityScore,
  directPath,
  networkCriticality,
  searchCriticality,
  SigmaGrid,
  type Evaluator,
  type ModuleCriticality,
} from '../../ml/analysis/criticality.ts';
import { linspace } from '../../ml/analysis/barrier.ts';
import type { Weights } from '../../ml/weights.ts';
import { loadProfile } from '../../profiles/index.ts';
import { criticality } from '../../stages/criticality.ts';
import { directHeatmap } from './heatmaps.ts';

const w = (a: number[], b: number[]): Weights =>
  new Map([
    ['m.w', { shape: [a.length], data: Float32Array.from(a) }],
    ['n.w', { shape: [b.length], data: Float32Array.from(b) }],
  ]);
const final = w([1, -1, 0.5], [2]);
const initial = w([0, 0, 0], [0]);
const finalLoss = 1;

/** loss 1 at the final weights, rising with the squared distance from them (times `k`) */
function bowl(k: number): Evaluator {
  return (x) => {
    let d = 0;
    for (const [n, t] of x) t.data.forEach((v, i) => (d += (v - final.get(n)!.data[i]!) ** 2));
    return { accuracy: 1 / (1 + d), loss: finalLoss + k * d };
  };
}

describe('criticalityScore on a hand-built heat-map', () => {
  test('returns the exact grid minimum, its minimiser and log10 μ', () => {
    const r = criticalityScore(
      directHeatmap([
        [5, 1.0, 1.0], // σ 0.1: α ½ → (0.5/0.1)²·4 = 100, α 1 → 400
        [5, 1.5, 1.005], // σ 0.2: α 1 → 100
        [5, 2, 1.01], // σ 0.4: α 1 → (1/0.4)²·4 = 25, feasible at exactly the threshold
      ]),
      1.01,
    );
    // σ 0.4 is the grid's largest σ: a larger one might score lower, so μ is flagged as an upper bound
    assert.deepEqual(r, {
      module: 'm',
      status: AT_LARGEST_SIGMA,
      mu: 25,
      log10Mu: Math.log10(25),
      alpha: 1,
      sigma: 0.4,
      meanLoss: 1.01,
      deltaNorm: 2,
      from: 'heat-map',
      atGridEdge: true,
    });
  });

  test('a tie goes to the smaller α (then the larger σ)', () => {
    const r = criticalityScore(
      directHeatmap([
        [5, 1.0, 1.0],
        [5, 1.5, 1.005],
        [5, 2, 1.5],
      ]),
      1.01,
    );
    assert.equal(r.mu, 100);
    assert.equal(r.alpha, 0.5);
    assert.equal(r.sigma, 0.1);
    assert.equal(r.log10Mu, 2);
    assert.equal(r.status, 'feasible');
    assert.equal(r.atGridEdge, false);
  });

  test('α = 0 feasible gives μ = 0 (no log10), at the largest feasible σ', () => {
    const r = criticalityScore(
      directHeatmap([
        [1.0, 1.0, 1.0],
        [1.001, 1.0, 1.0],
        [3, 1.0, 1.0],
      ]),
      1.01,
    );
    assert.equal(r.status, 'feasible at alpha = 0');
    assert.equal(r.mu, 0);
    assert.equal(r.log10Mu, null);
    assert.equal(r.alpha, 0);
    assert.equal(r.sigma, 0.2);
  });

  test('no feasible grid point is reported as such, never as a number', () => {
    const r = criticalityScore(
      directHeatmap([
        [5, 2, 1.02],
        [5, 2, 1.05],
        [5, 2, 1.2],
      ]),
      1.01,
    );
    assert.equal(r.status, 'no feasible point on the grid');
    assert.equal(r.mu, null);
    assert.equal(r.log10Mu, null);
    assert.equal(r.alpha, null);
    assert.equal(r.sigma, null);
  });

  test('refuses σ = 0 and the optimization path', () => {
    assert.throws(
      () =>
        criticalityScore(
          {
            ...directHeatmap([
              [1, 1, 1],
              [1, 1, 1],
              [1, 1, 1],
            ]),
            sigmas: [0, 0.2, 0.4],
          },
          1.01,
        ),
      /every σ must be > 0/,
    );
    assert.throws(
      () =>
        criticalityScore(
          {
            ...directHeatmap([
              [1, 1, 1],
              [1, 1, 1],
              [1, 1, 1],
            ]),
            path: 'optimization',
          },
          1.01,
        ),
      /direct path/,
    );
  });
});

describe('criticality of a module only the unperturbed final model tolerates', () => {
  // Any noise on the grid raises the loss far above 1.01 × the final loss: the old σ = 0 row
  // (scored as σ = 1e-16) made this μ ≈ 1e32; now there is no feasible point.
  const opts = { module: 'm', final, initial, sigmas: [0.05, 0.1, 0.2], draws: 3, evaluate: bowl(100) };
  test('the full heat-map says "no feasible point"', () => {
    const map = directPath(opts, linspace(0, 1, 5));
    assert.equal(map.sigmas.length, 3);
    assert.equal(map.loss.length, 3);
    for (const row of map.loss) for (const l of row) assert.ok(l > 1.01 * finalLoss, `loss ${l}`);
    const r = criticalityScore(map, 1.01 * finalLoss);
    assert.equal(r.status, 'no feasible point on the grid');
    assert.equal(r.mu, null);
    assert.ok(Math.abs(r.deltaNorm - Math.hypot(1, 1, 0.5)) < 1e-6);
  });
  test('so does the pruned search', () => {
    const r = searchCriticality({ ...opts, alphas: linspace(0, 1, 5), threshold: 1.01 * finalLoss });
    assert.equal(r.status, 'no feasible point on the grid');
    assert.equal(r.mu, null);
    assert.ok(r.evaluations < 5 * 3 * 3, `${r.evaluations} evaluations: hopeless points stop after their first draw`);
  });
  test('directPath refuses σ = 0', () => {
    assert.throws(() => directPath({ ...opts, sigmas: [0, 0.1] }, [0, 1]), /every σ must be > 0/);
  });
});

describe('the pruned search finds the same minimum as the full grid', () => {
  const alphas = linspace(0, 1, 6);
  const sigmas = [0.0125, 0.025, 0.05, 0.1, 0.2];
  for (const [module, k, tolerance] of [
    ['m', 0.5, 1.01],
    ['m', 5, 1.01],
    ['m', 0.02, 1.05],
    ['n', 2, 1.01],
    ['n', 0.01, 1.5],
    ['m', 1000, 1.01],
  ] as const) {
    test(`module ${module}, loss 1 + ${k}·‖θ − θᶠ‖², tolerance ${tolerance}`, () => {
      let full = 0;
      const map = directPath({ module, final, initial, sigmas, draws: 3, evaluate: (x) => (full++, bowl(k)(x)) }, alphas);
      const fromMap = criticalityScore(map, tolerance * finalLoss);
      const { evaluations, ...searched } = searchCriticality({
        module,
        final,
        initial,
        alphas,
        sigmas,
        draws: 3,
        threshold: tolerance * finalLoss,
        evaluate: bowl(k),
      });
      assert.deepEqual({ ...searched, from: 'heat-map' }, fromMap);
      assert.equal(full, alphas.length * sigmas.length * 3);
      assert.ok(evaluations <= full, `${evaluations} ≤ ${full}`);
    });
  }
  test('the cases above cover every status', () => {
    const statuses = new Set(
      [0.02, 0.5, 1000].map(
        (k) =>
          searchCriticality({
            module: 'm',
            final,
            initial,
            alphas,
            sigmas,
            draws: 3,
            threshold: (k === 0.02 ? 1.5 : 1.01) * finalLoss,
            evaluate: bowl(k),
          }).status,
      ),
    );
    assert.deepEqual([...statuses].sort(), ['feasible', 'feasible at alpha = 0', 'no feasible point on the grid']);
  });
});

describe('network criticality', () => {
  const mod = (module: string, mu: number | null): ModuleCriticality => ({
    module,
    status: mu === null ? 'no feasible point on the grid' : mu === 0 ? 'feasible at alpha = 0' : 'feasible',
    mu,
    log10Mu: mu ? Math.log10(mu) : null,
    alpha: null,
    sigma: null,
    meanLoss: null,
    deltaNorm: 1,
    from: 'search',
    atGridEdge: false,
  });
  test('is the sum of the module criticalities', () => {
    const per = [mod('stem', 25), mod('layer1.0', 0), mod('fc', 3.5)];
    const n = networkCriticality(per);
    assert.equal(n.modules, 3);
    assert.equal(n.mu, 28.5);
    assert.equal(
      n.mu,
      per.reduce((s, m) => s + m.mu!, 0),
    );
    assert.equal(n.log10Mu, Math.log10(28.5));
    assert.equal(n.lowerBound, 28.5);
    assert.deepEqual(n.missing, []);
  });
  test('is undefined, with a lower bound, when a module has no feasible point', () => {
    const n = networkCriticality([mod('stem', 25), mod('layer1.0', null), mod('fc', 3)]);
    assert.equal(n.mu, null);
    assert.equal(n.log10Mu, null);
    assert.equal(n.lowerBound, 28);
    assert.deepEqual(n.missing, ['layer1.0']);
    assert.match(n.note, /lower bound/);
  });
});

describe('the σ grid must start above 0', () => {
  test('SigmaGrid refuses σ = 0 and says why', () => {
    const r = SigmaGrid.safeParse([0, 0.1]);
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0]!.message, /σ must be > 0.*divides by zero/);
    assert.equal(SigmaGrid.safeParse([0.1, 0.05]).success, false);
    assert.deepEqual(SigmaGrid.parse([0.0125, 0.1]), [0.0125, 0.1]);
  });
  test('the criticality stage params refuse σ = 0', () => {
    const params = { modules: ['stem'], alphas: 3, sigmas: [0, 0.1], draws: 1, tolerance: 1.01, examples: 10 };
    assert.equal(criticality.params.safeParse(params).success, false);
    assert.equal(criticality.params.safeParse({ ...params, sigmas: [0.05, 0.1] }).success, true);
  });
  test('a profile refuses σ = 0 with the reason', () => {
    assert.throws(() => loadProfile({ profile: 'tiny', set: ['analyses.criticality.sigmas=[0,0.1]'] }), /σ must be > 0/);
    for (const name of ['tiny', 'default', 'paper']) {
      const sigmas = loadProfile({ profile: name }).analyses.criticality.sigmas;
      assert.ok(sigmas.length > 0, name);
      for (const s of sigmas) assert.ok(s > 0, `${name}: σ ${s}`);
    }
  });
});
