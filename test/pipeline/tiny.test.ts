// The whole experiment at toy size, through the real CLI: cold, then a no-op, then one changed
// finetune param reruns exactly what reads it. Checks the outputs' shapes and the invariants that
// tie the analyses together, not the science.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildDag } from '../../experiment/dag.ts';
import { loadProfile } from '../../profiles/index.ts';
import type { DagNode } from '../../engine/dag.ts';
import type { BuildSummary } from '../../engine/reporter.ts';
import { OUT, runPipeline } from '../support/tiny-project.ts';

const work = join(OUT, 'pipeline-tiny');
const store = join(work, 'store');
const locks = join(work, 'locks');
const args = ['figures', '--profile', 'tiny', '--store', store, '--json'];
const env = { WT_LOCK_DIR: locks };

function entry(id: string): string {
  const lock = JSON.parse(readFileSync(join(locks, 'tiny.lock.json'), 'utf8')) as { instances: Record<string, { fingerprint: string }> };
  const fp = lock.instances[id]?.fingerprint;
  assert.ok(fp, `no lock record for ${id}`);
  return join(store, 'entries', fp.slice(0, 2), fp, 'out');
}
const json = <T>(id: string, file: string): T => JSON.parse(readFileSync(join(entry(id), file), 'utf8')) as T;

describe('the tiny profile end to end', () => {
  let cold: BuildSummary;
  before(async () => {
    rmSync(work, { recursive: true, force: true });
    const r = await runPipeline(args, env);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    cold = JSON.parse(r.stdout) as BuildSummary;
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('runs every instance cold, and a second run does no work', async () => {
    assert.ok(cold.outcomes.length > 40);
    assert.ok(cold.outcomes.every((o) => o.outcome === 'built'));
    const again = JSON.parse((await runPipeline(args, env)).stdout) as BuildSummary;
    assert.deepEqual(
      again.outcomes.filter((o) => o.outcome !== 'cached'),
      [],
    );
  });

  test('training outputs have one checkpoint and history row per epoch and a prediction per test image', () => {
    const profile = loadProfile({ profile: 'tiny' });
    for (const id of ['pretrain', 'finetune/real,P-T,seed=0', 'finetune/quickdraw,RI-T,seed=1', 'finetune/real,b=*,RI-T,seed=0']) {
      const run = json<{ epochs: number; history: unknown[] }>(id, 'run.json');
      assert.equal(run.history.length, run.epochs + 1, id);
      assert.equal(readdirSync(join(entry(id), 'checkpoints')).length, 2 * (run.epochs + 1), id);
    }
    const preds = json<{ predictions: number[]; correct: number[] }>('finetune/real,P-T,seed=0', 'predictions.json');
    assert.equal(preds.predictions.length, profile.suite.kind === 'embedded' ? profile.suite.targets.test : -1);
  });

  test('the analyses agree with each other and with the runs they read', () => {
    const run = (id: string) => json<{ finalTestAccuracy: number; finalTestLoss: number }>(id, 'run.json');
    const barrier = json<{ pairs: { pair: string; a: string; b: string; path: { lambda: number; accuracy: number; loss: number }[] }[] }>(
      'barrier/real',
      'barrier.json',
    );
    assert.ok(barrier.pairs.length >= 3, `${barrier.pairs.length} barrier pairs`);
    for (const p of barrier.pairs) {
      assert.equal(p.path.length, 5);
      assert.equal(p.path[0]!.lambda, 0);
      assert.equal(p.path.at(-1)!.lambda, 1);
      assert.ok(Math.abs(p.path[0]!.accuracy - run(p.a).finalTestAccuracy) < 1e-9, `${p.pair}: λ=0 is model a`);
      assert.ok(Math.abs(p.path.at(-1)!.accuracy - run(p.b).finalTestAccuracy) < 1e-9, `${p.pair}: λ=1 is model b`);
    }
    const m = json<{ pairs: { examples: number; common: number; onlyAWrong: number; onlyBWrong: number; bothRight: number }[] }>(
      'mistakes/real',
      'mistakes.json',
    );
    assert.ok(m.pairs.length >= 2, `${m.pairs.length} mistake pairs`);
    for (const p of m.pairs) assert.equal(p.common + p.onlyAWrong + p.onlyBWrong + p.bothRight, p.examples);
    const cka = json<{ layers: string[]; pairs: { values: number[] }[] }>('cka/real', 'cka.json');
    assert.deepEqual(cka.layers, ['stem', 'layer1', 'layer2']);
    assert.ok(cka.pairs.length >= 7, `${cka.pairs.length} CKA pairs`);
    for (const p of cka.pairs) assert.equal(p.values.length, cka.layers.length);
    for (const p of cka.pairs) for (const v of p.values) assert.ok(v > -1 && v < 1 + 1e-6, `CKA ${v}`);
    const crit = json<{ runs: Record<string, { run: string; rewinding: { module: string; accuracy: number }[] }> }>(
      'criticality/real',
      'criticality.json',
    );
    assert.ok(Object.keys(crit.runs).length >= 2, `${Object.keys(crit.runs).length} criticality runs`);
    for (const r of Object.values(crit.runs)) {
      assert.ok(Math.abs(r.rewinding.find((x) => x.module === 'none')!.accuracy - run(r.run).finalTestAccuracy) < 1e-9);
      assert.deepEqual(
        r.rewinding.map((x) => x.module),
        ['none', 'stem', 'layer1.0', 'layer2.0', 'fc'],
      );
    }
    const d = json<{ pairs: { pair: string; total: number; perModule: Record<string, number> }[] }>('distance/real', 'distance.json');
    assert.ok(d.pairs.length >= 3, `${d.pairs.length} distance pairs`);
    for (const p of d.pairs) {
      const sumSq = Object.values(p.perModule).reduce((s, v) => s + v * v, 0);
      assert.ok(Math.abs(Math.sqrt(sumSq) - p.total) < 1e-6 * (1 + p.total), `${p.pair}: per-module distances add up`);
    }
    const card = json<{ claims: { id: string; held: boolean | null }[] }>('scorecard', 'scorecard.json');
    assert.ok(card.claims.length >= 12);
    const html = readFileSync(join(entry('report'), 'index.html'), 'utf8');
    for (const id of [
      'fig1-domains',
      'fig2-learning-curves',
      'fig3-block-shuffle',
      'fig4-barrier',
      'fig5-rewinding',
      'fig7-checkpoints',
      'scorecard-table',
    ])
      assert.ok(html.includes(`id="${id}`), id);
    assert.ok(existsSync(join(store, '..', 'report', 'tiny', 'index.html')), 'published copy');
  });

  test('changing one finetune param reruns only that instance and what reads it', async () => {
    const target = 'finetune/real,P-T,seed=0';
    // an override is another experiment: under its own name, it shares every unchanged entry
    const r = await runPipeline([...args, '--override', `${target}:train.lr=0.03`, '--name', 'tiny-lr'], env);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const built = (JSON.parse(r.stdout) as BuildSummary).outcomes
      .filter((o) => o.outcome === 'built')
      .map((o) => o.id)
      .sort();
    const dag = buildDag(loadProfile({ profile: 'tiny' })).finalize();
    const downstream = new Set<string>([target]);
    for (const n of dag.nodes() as DagNode[]) if (n.upstream().some((u) => downstream.has(u.id))) downstream.add(n.id);
    assert.ok(built.includes(target));
    assert.ok(built.length >= 3, `${built.length} instances rebuilt`);
    for (const id of built) assert.ok(downstream.has(id), `${id} reran but does not read ${target}`);
    assert.ok(built.includes('barrier/real') && built.includes('report'));
    assert.ok(!built.some((id) => id.includes('quickdraw')), 'nothing of the other target reran');
  });
});
