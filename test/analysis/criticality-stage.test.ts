// The criticality stage on a tiny synthetic model (fake training entries: checkpoints written by
// hand, no training), and what the figure and the scorecard make of its criticality.json: the
// lr-matched run 'RI-T (P-T lr)' is analysed like the others when its dep is given, and the
// lr-matched claims are "not measured" when it is not.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { z } from 'zod';
import type { Upstream } from '../../engine/stage.ts';
import { initBackend } from '../../ml/backend.ts';
import { criticality } from '../../stages/criticality.ts';
import { CriticalityView, figureCriticality, heatRows, muSummary, rewindingRows, runLabel } from '../../stages/figure-criticality.ts';
import { scorecard } from '../../stages/scorecard.ts';
import { dataEntry as dataEntryIn, EPOCHS, fakeRun as fakeRunIn, model, runStage as runStageWith } from './fake-runs.ts';
import { ScorecardOutput } from '../../stages/scorecard/output.ts';

const root = mkdtempSync(join(tmpdir(), 'criticality-stage-'));
const params = { modules: ['stem'], alphas: 3, sigmas: [0.05, 0.1], draws: 2, tolerance: 1.01, examples: 16 };

const fakeRun = (id: string, kind: 'P-T' | 'RI-T', lr: number, seed: number) => fakeRunIn(root, id, { kind, lr, seed });
const dataEntry = () => dataEntryIn(root);

/** every progress update the stages under test sent, in order */
const progressSeen: { done?: number; total?: number }[] = [];
const runStage = (stage: { run: (ctx: never) => unknown }, p: unknown, deps: unknown) =>
  runStageWith(stage, p, deps, (u) => progressSeen.push(u));

interface ModuleOut {
  module: string;
  status: string;
  mu: number | null;
  log10Mu: number | null;
  alpha: number | null;
  sigma: number | null;
}
interface RunOut {
  run: string;
  lr: number;
  init: string;
  threshold: number;
  finalTrain: { loss: number };
  rewinding: { module: string }[];
  heatmaps: { module: string; path: string; sigmas: number[] }[];
  criticality: { modules: ModuleOut[]; network: { mu: number | null; lowerBound: number; missing: string[] } };
  evaluations: number;
}
interface Out {
  domain: string;
  lrMatched: boolean | null;
  sigmas: number[];
  alphas: number[];
  runs: Record<string, RunOut>;
}

describe('the criticality stage with RI-T at the P-T lr', () => {
  let deps: Record<string, Upstream>;
  let out: Out;
  let withoutMatched: Out;
  before(async () => {
    await initBackend({ backend: 'cpu', log: () => {} });
    deps = {
      pt: await fakeRun('finetune/real,P-T,seed=0', 'P-T', 0.02, 1),
      rit: await fakeRun('finetune/real,RI-T,seed=0', 'RI-T', 0.1, 2),
      ritAtPtLr: await fakeRun('finetune/real,RI-T,seed=0,lr=0.02', 'RI-T', 0.02, 3),
      data: dataEntry(),
    };
    out = (await runStage(criticality, params, deps)).json.get('criticality.json') as Out;
    const { ritAtPtLr: _, ...rest } = deps;
    withoutMatched = (await runStage(criticality, params, { ...rest, ritAtPtLr: undefined })).json.get('criticality.json') as Out;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('progress counts up to its total and never past it', () => {
    const counted = progressSeen.filter((u) => u.total !== undefined);
    assert.ok(counted.length > 10, `${counted.length} progress updates`);
    for (const u of counted) assert.ok(u.done! <= u.total!, `progress ${u.done}/${u.total}`);
    for (let i = 1; i < counted.length; i++)
      assert.ok(counted[i]!.done! >= counted[i - 1]!.done! || counted[i]!.total !== counted[i - 1]!.total, 'progress never goes back');
    const last = counted.at(-1)!;
    assert.equal(last.done, last.total, 'the last update is 100%');
  });

  test('writes every run under its key, with its lr', () => {
    assert.deepEqual(Object.keys(out.runs), ['P-T', 'RI-T', 'RI-T (P-T lr)']);
    assert.deepEqual(Object.keys(withoutMatched.runs), ['P-T', 'RI-T']);
    assert.deepEqual(
      Object.values(out.runs).map((r) => [r.run, r.init, r.lr]),
      [
        ['finetune/real,P-T,seed=0', 'P-T', 0.02],
        ['finetune/real,RI-T,seed=0', 'RI-T', 0.1],
        ['finetune/real,RI-T,seed=0,lr=0.02', 'RI-T', 0.02],
      ],
    );
    assert.deepEqual(out.sigmas, [0.05, 0.1]);
    assert.deepEqual(out.alphas, [0, 0.5, 1]);
  });

  test('analyses the lr-matched run exactly like the others', () => {
    for (const [key, r] of Object.entries(out.runs)) {
      assert.deepEqual(
        r.rewinding.map((x) => x.module),
        ['none', ...model.modules],
        key,
      );
      assert.deepEqual(
        r.heatmaps.map((h) => `${h.module} ${h.path}`),
        ['stem direct', 'stem optimization'],
        key,
      );
      assert.equal(r.criticality.modules.length, model.modules.length, key);
      assert.deepEqual(
        r.criticality.modules.map((m) => m.module),
        [...model.modules],
        key,
      );
      assert.ok(Math.abs(r.threshold - 1.01 * r.finalTrain.loss) < 1e-12, key);
      const perPoint = params.sigmas.length * params.draws;
      const bound = 1 + (params.alphas + EPOCHS + 1) * perPoint + (model.modules.length - 1) * params.alphas * perPoint;
      assert.ok(
        r.evaluations >= 1 + (params.alphas + EPOCHS + 1) * perPoint && r.evaluations <= bound,
        `${key}: ${r.evaluations} evaluations, bound ${bound}`,
      );
    }
    // the same run analysed twice gives the same numbers
    assert.deepEqual(withoutMatched.runs['RI-T'], out.runs['RI-T']);
  });

  test('each module reports μ with its minimiser and status, and the network sums them', () => {
    for (const [key, r] of Object.entries(out.runs)) {
      for (const m of r.criticality.modules) {
        if (m.status === 'no feasible point on the grid')
          assert.deepEqual([m.mu, m.log10Mu, m.alpha, m.sigma], [null, null, null, null], `${key} ${m.module}`);
        else {
          assert.ok(m.mu !== null && m.mu >= 0 && params.sigmas.includes(m.sigma!) && out.alphas.includes(m.alpha!), `${key} ${m.module}`);
          assert.ok(m.mu < 1e12, `${key} ${m.module}: μ ${m.mu} must not come from a σ≈0 point`);
          if (m.mu > 0) assert.ok(Math.abs(m.log10Mu! - Math.log10(m.mu)) < 1e-12);
        }
      }
      const feasible = r.criticality.modules.filter((m) => m.mu !== null);
      const sum = feasible.reduce((s, m) => s + m.mu!, 0);
      assert.ok(Math.abs(r.criticality.network.lowerBound - sum) < 1e-9 * (1 + sum), key);
      assert.equal(r.criticality.network.mu, feasible.length === model.modules.length ? r.criticality.network.lowerBound : null, key);
      assert.deepEqual(
        r.criticality.network.missing,
        r.criticality.modules.filter((m) => m.mu === null).map((m) => m.module),
        key,
      );
    }
  });

  test('flags an lr-matched run that is not at the P-T lr, and the scorecard then does not use it', async () => {
    assert.equal(out.lrMatched, true);
    assert.equal(withoutMatched.lrMatched, null);
    const off = (await runStage(criticality, params, { ...deps, ritAtPtLr: deps.rit })).json.get('criticality.json') as Out;
    assert.equal(off.lrMatched, false);
    assert.equal(off.runs['RI-T (P-T lr)']!.lr, 0.1);
    const claims = await claimsOf(off);
    assert.equal(claims.get('rewinding-hurts-rit-same-lr')!.verdict, 'not measured');
    assert.match(claims.get('rewinding-hurts-rit-same-lr')!.ours, /not measured \(no RI-T run at the P-T lr\)/);
  });

  test('the figure plots all runs with the lr in the legend', async () => {
    const view = CriticalityView.parse(out);
    const rows = rewindingRows([view]);
    assert.equal(rows.length, 3 * (model.modules.length + 1));
    assert.deepEqual([...new Set(rows.map((r) => r.run))], ['P-T, lr 0.02', 'RI-T, lr 0.1', 'RI-T, lr 0.02 (P-T lr)']);
    const heat = heatRows(view);
    assert.equal(heat.length, 3 * params.sigmas.length * (params.alphas + EPOCHS + 1));
    assert.deepEqual([...new Set(heat.map((h) => h.run))], ['P-T, lr 0.02', 'RI-T, lr 0.1', 'RI-T, lr 0.02 (P-T lr)']);
    for (const [key, r] of Object.entries(out.runs)) {
      const stem = r.criticality.modules.find((m) => m.module === 'stem')!;
      const marked = heat.filter((h) => h.minimiser && h.run === runLabel(key, r.lr));
      assert.equal(marked.length, stem.mu === null ? 0 : 1, key);
    }
    const summary = muSummary(view, 'stem');
    assert.equal(summary.length, 3);
    assert.match(summary[2]!, /^RI-T, lr 0\.02 \(P-T lr\): /);
    const { files } = await runStage(figureCriticality, {}, { criticality: [upstreamOf(out)] });
    assert.deepEqual(
      files.sort(),
      ['fig5-rewinding', 'fig6-criticality-real-stem'].flatMap((f) => [`${f}.png`, `${f}.svg`, `${f}.vl.json`]).sort(),
    );
  });

  test('the scorecard adds the lr-matched claims, and says "not measured" without that run', async () => {
    const ids = [
      'rewinding-hurts-rit',
      'rewinding-hurts-rit-same-lr',
      'rewinding-mean',
      'rewinding-mean-same-lr',
      'stem-not-critical-for-pt',
      'stem-not-critical-for-pt-same-lr',
    ];
    const withRun = await claimsOf(out);
    const without = await claimsOf(withoutMatched);
    for (const id of ids) assert.ok(withRun.has(id) && without.has(id), id);
    for (const id of ids.filter((x) => x.endsWith('same-lr'))) {
      assert.equal(withRun.get(id)!.robust, false, id);
      assert.equal(without.get(id)!.verdict, 'not measured', id);
      assert.notEqual(withRun.get(id)!.verdict, 'not measured', id);
      assert.match(withRun.get(id)!.ours, /^real /, id);
    }
    for (const id of ids.filter((x) => !x.endsWith('same-lr')))
      assert.equal(withRun.get(id)!.verdict, without.get(id)!.verdict, `${id} does not depend on the lr-matched run`);
    const pt = out.runs['P-T']!;
    const matched = out.runs['RI-T (P-T lr)']!;
    const drop = (r: RunOut, module: string) => {
      const acc = (m: string) => (r.rewinding as unknown as { module: string; accuracy: number }[]).find((x) => x.module === m)!.accuracy;
      return acc('none') - acc(module);
    };
    const estimate = withRun.get('rewinding-hurts-rit-same-lr')!.measurements[0]!.estimate!;
    assert.ok(Math.abs(estimate - (drop(matched, 'stem') - drop(pt, 'stem'))) < 1e-9, `estimate ${estimate}`);
  });
});

/** The scorecard's claims, by id, from one criticality.json (every other analysis absent). */
async function claimsOf(c: Out) {
  const source = {
    kind: 'pretrain',
    domain: 'source',
    blockSize: null,
    shuffleDraw: null,
    seed: 0,
    initSeed: 0,
    initKey: 'fresh-0',
    lr: 0.1,
    sourceEpoch: null,
    epochs: 1,
    completedEpochs: 1,
    diverged: null,
    history: [],
    optimizationSpeed: 0.5,
    finalTestAccuracy: 0.5,
    finalTestLoss: 1,
  };
  const deps = {
    source: jsonUpstream('run.json', source),
    curves: jsonUpstream('learning-curves.json', { curves: [] }),
    mistakes: [],
    cka: [],
    distance: [],
    barrier: [],
    criticality: [upstreamOf(c)],
    blocks: undefined,
    checkpoints: undefined,
  };
  const card = ScorecardOutput.parse((await runStage(scorecard, { strict: false }, deps)).json.get('scorecard.json'));
  return new Map(card.claims.map((x) => [x.id, x]));
}

function jsonUpstream(name: string, value: unknown): Upstream {
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
const upstreamOf = (c: Out) => jsonUpstream('criticality.json', c);
