// Rewinding drops with bootstrap draws, the "μ is an upper bound" flag of a minimiser at the
// grid's largest σ, and what Fig. 6 makes of them: per-image drops paired across runs, the
// criticality stage's rewindingDrops on fake training runs, heat-map columns keyed by path point,
// and the network Σμ in the subtitle.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AT_LARGEST_SIGMA, criticalityScore, networkCriticality, rewindingDrops } from '../../ml/analysis/criticality.ts';
import { initBackend } from '../../ml/backend.ts';
import { Rng } from '../../ml/rng.ts';
import { BOOTSTRAP_DRAWS, combine, imageResamples, percentileInterval } from '../../stages/common/bootstrap.ts';
import { criticality, CriticalityOutput, RUN_KEYS } from '../../stages/criticality.ts';
import { describeMu, figureCriticality, heatRows, networkSummary } from '../../stages/figure-criticality.ts';
import { directHeatmap } from './heatmaps.ts';
import { dataEntry, EPOCHS, fakeRun, jsonUpstream, model, runStage, TEST_IMAGES } from './fake-runs.ts';

function outcomes(n: number, p: number, seed: string): Uint8Array {
  const rng = Rng.from('drops-test', seed);
  return Uint8Array.from({ length: n }, () => (rng.float() < p ? 1 : 0));
}
const and = (a: Uint8Array, b: Uint8Array) => a.map((x, i) => x & b[i]!);
const mean = (x: Uint8Array) => x.reduce((s, v) => s + v, 0) / x.length;

describe('rewindingDrops', () => {
  const n = 400;
  const final = outcomes(n, 0.8, 'final');
  const ptRewound = and(final, outcomes(n, 0.95, 'pt'));
  const ritRewound = and(ptRewound, outcomes(n, 0.9, 'rit'));
  const images = imageResamples('real', n);
  const pt = rewindingDrops(
    [
      { module: 'none', correct: final },
      { module: 'stem', correct: ptRewound },
    ],
    images,
  );
  const rit = rewindingDrops(
    [
      { module: 'none', correct: final },
      { module: 'stem', correct: ritRewound },
    ],
    images,
  );

  test('the estimate is the accuracy drop; one draw per image resample', () => {
    assert.deepEqual(Object.keys(pt), ['stem']);
    assert.ok(Math.abs(pt.stem!.estimate - (mean(final) - mean(ptRewound))) < 1e-12);
    assert.equal(pt.stem!.draws.length, BOOTSTRAP_DRAWS);
    const identity = rewindingDrops(
      [
        { module: 'none', correct: final },
        { module: 'stem', correct: ptRewound },
      ],
      [Uint32Array.from({ length: n }, (_, i) => i)],
    );
    assert.equal(identity.stem!.draws[0], pt.stem!.estimate);
  });

  test('a module rewound to the same outcomes drops exactly 0 on every draw', () => {
    const none = rewindingDrops(
      [
        { module: 'none', correct: final },
        { module: 'fc', correct: final },
      ],
      images,
    );
    assert.equal(none.fc!.estimate, 0);
    assert.ok(none.fc!.draws.every((d) => d === 0));
  });

  test('paired across runs: RI-T − P-T ≥ 0 on every draw when RI-T loses every image P-T loses', () => {
    const gap = combine([rit.stem!, pt.stem!], (r, p) => r - p);
    assert.equal(gap.draws.length, BOOTSTRAP_DRAWS);
    assert.ok(gap.estimate > 0);
    for (const d of gap.draws) assert.ok(d >= 0, `draw ${d}`);
  });

  test('the interval narrows as the test set grows', () => {
    const width = (m: number) => {
      const f = outcomes(m, 0.8, `f${m}`);
      const d = rewindingDrops(
        [
          { module: 'none', correct: f },
          { module: 'stem', correct: and(f, outcomes(m, 0.7, `r${m}`)) },
        ],
        imageResamples('real', m),
      ).stem!;
      const [lo, hi] = percentileInterval(d.draws);
      return hi - lo;
    };
    assert.ok(width(1600) < 0.5 * width(100));
  });

  test('refuses outcomes without the final model first, or of another length', () => {
    assert.throws(() => rewindingDrops([{ module: 'stem', correct: final }], images), /first entry/);
    assert.throws(
      () =>
        rewindingDrops(
          [
            { module: 'none', correct: final },
            { module: 'stem', correct: final.subarray(1) },
          ],
          images,
        ),
      /outcomes on 399/,
    );
  });
});

describe('μ with the minimiser at the largest σ', () => {
  const map = directHeatmap;
  test('is flagged as an upper bound; a minimiser inside the grid is not', () => {
    const edge = criticalityScore(
      map([
        [5, 1, 1],
        [5, 1, 1],
        [5, 1, 1],
      ]),
      1.01,
    );
    assert.deepEqual([edge.status, edge.atGridEdge, edge.sigma, edge.alpha], [AT_LARGEST_SIGMA, true, 0.4, 0.5]);
    const inside = criticalityScore(
      map([
        [5, 1, 1],
        [5, 1, 1],
        [5, 2, 2],
      ]),
      1.01,
    );
    assert.deepEqual([inside.status, inside.atGridEdge, inside.sigma], ['feasible', false, 0.2]);
    const zero = criticalityScore(
      map([
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ]),
      1.01,
    );
    assert.deepEqual([zero.status, zero.atGridEdge, zero.mu], ['feasible at alpha = 0', false, 0]);
    assert.match(describeMu(edge), /^log10 μ ≤ .*an upper bound/);
    assert.doesNotMatch(describeMu(inside), /upper bound/);
    const net = networkCriticality([edge, inside]);
    assert.deepEqual(net.atGridEdge, ['m']);
    assert.match(net.note, /upper bound/);
  });
});

describe('the criticality stage: rewinding drops and Fig. 6', () => {
  const root = mkdtempSync(join(tmpdir(), 'criticality-drops-'));
  const params = { modules: ['stem'], alphas: 3, sigmas: [0.05, 0.1], draws: 1, tolerance: 1.01, examples: 16 };
  let out: CriticalityOutput;
  before(async () => {
    await initBackend({ backend: 'cpu', log: () => {} });
    const pt = await fakeRun(root, 'finetune/real,P-T,seed=0', { kind: 'P-T', lr: 0.02, seed: 1 });
    const rit = await fakeRun(root, 'finetune/real,RI-T,seed=0', { kind: 'RI-T', lr: 0.1, seed: 2 });
    // the same run as RI-T and as "RI-T (P-T lr)": its drops must come out identical (same image resamples)
    const written = (await runStage(criticality, params, { pt, rit, ritAtPtLr: rit, data: dataEntry(root) })).json.get('criticality.json');
    out = CriticalityOutput.parse(written);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('rewindingDrops: every run key and module, the drop of the rewinding accuracies, BOOTSTRAP_DRAWS draws', () => {
    assert.deepEqual(Object.keys(out.rewindingDrops), [RUN_KEYS.pt, RUN_KEYS.rit, RUN_KEYS.ritAtPtLr]);
    for (const [key, drops] of Object.entries(out.rewindingDrops)) {
      const rew = out.runs[key]!.rewinding;
      assert.equal(rew.length, model.modules.length + 1);
      assert.deepEqual(Object.keys(drops), [...model.modules], key);
      const none = rew.find((r) => r.module === 'none')!.accuracy;
      for (const r of rew.slice(1)) {
        const d = drops[r.module]!;
        assert.ok(Math.abs(d.estimate - (none - r.accuracy)) < 1e-12, `${key} ${r.module}`);
        assert.equal(d.draws.length, BOOTSTRAP_DRAWS);
        // each draw is a difference of two accuracies on TEST_IMAGES resampled images
        for (const v of d.draws) assert.ok(Math.abs(v * TEST_IMAGES - Math.round(v * TEST_IMAGES)) < 1e-9 && v >= -1 && v <= 1);
      }
    }
    assert.deepEqual(out.rewindingDrops[RUN_KEYS.ritAtPtLr], out.rewindingDrops[RUN_KEYS.rit]);
  });

  test('every module carries the grid-edge flag, agreeing with its status and σ', () => {
    for (const r of Object.values(out.runs))
      for (const m of r.criticality.modules) {
        assert.equal(m.atGridEdge, m.status === AT_LARGEST_SIGMA, m.module);
        if (m.atGridEdge) assert.equal(m.sigma, Math.max(...params.sigmas));
      }
  });

  test('heat-map columns are keyed by path point, so equal rounded distances stay apart', () => {
    const view: CriticalityOutput = JSON.parse(JSON.stringify(out));
    const opt = view.runs[RUN_KEYS.pt]!.heatmaps.find((h) => h.path === 'optimization')!;
    assert.equal(opt.x.length, EPOCHS + 1);
    opt.x = opt.x.map(() => 0.1234);
    const rows = heatRows(view).filter(
      (h) => h.path === 'optimization path' && h.run.startsWith('P-T') && h.sigma === String(params.sigmas[0]),
    );
    assert.equal(rows.length, EPOCHS + 1);
    assert.equal(new Set(rows.map((r) => r.distance)).size, 1);
    assert.deepEqual(
      rows.map((r) => r.column),
      [0, 1, 2].map((e) => `0.123 (epoch ${e})`),
    );
    const direct = heatRows(view).filter(
      (h) => h.path === 'direct path' && h.run.startsWith('P-T') && h.sigma === String(params.sigmas[0]),
    );
    assert.deepEqual(
      direct.map((r) => r.column.replace(/^[\d.]+ /, '')),
      ['(α 0)', '(α 0.5)', '(α 1)'],
    );
  });

  test('the network Σμ of every run is summarised for the subtitle', async () => {
    const lines = networkSummary(out);
    assert.equal(lines.length, 3);
    for (const [line, r] of lines.map((l, k) => [l, Object.values(out.runs)[k]!] as const)) {
      const n = r.criticality.network;
      if (n.mu === null) assert.match(line, new RegExp(`Σμ ≥ .*no feasible point for ${n.missing.join(', ')}`));
      else assert.match(line, new RegExp(`Σμ over all ${model.modules.length} modules`));
    }
    const { outputs } = await runStage(figureCriticality, {}, { criticality: [jsonUpstream(root, 'criticality.json', out)] });
    const spec = JSON.parse(String(outputs.get('fig6-criticality-real-stem.vl.json'))) as { title: { subtitle: string[] } };
    assert.equal(spec.title.subtitle.length, 3);
    assert.equal(spec.title.subtitle[2], `network criticality Σμ over every module of the model — ${lines.join('; ')}`);
  });
});
