// The default experiment measures what its figures say: independent inits where the paper has
// them, shuffles that shuffle, replicates behind every plotted point, the lr-matched RI-T in the
// criticality analysis, and no augmentation on block-shuffled arms. Checked on the planned DAG
// (and, for inits, on the trainer's real epoch-0 weights), so no training is needed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { shuffledUnits, drawnPermutation } from '../../data/shuffle/permutations.ts';
import { isStrongShuffle, shuffleStrength } from '../../data/shuffle/shuffle-strength.ts';
import type { DagNode } from '../../engine/dag.ts';
import { buildDag } from '../../experiment/dag.ts';
import { checkpointPath } from '../../ml/checkpoint.ts';
import { loadWeights } from '../../ml/checkpoint.ts';
import { train, type TrainConfigInput } from '../../ml/train.ts';
import type { Weights } from '../../ml/weights.ts';
import { loadProfile } from '../../profiles/index.ts';
import { stripesDataset } from '../ml/synthetic.ts';

const profile = loadProfile({ profile: 'default' });
const dag = buildDag(profile).finalize();
const nodes = dag.nodes() as DagNode[];
type FinetuneParams = {
  init: 'P-T' | 'RI-T';
  sourceEpoch: number | null;
  train: TrainConfigInput & { augment: { flip: boolean; pad: number } };
};
const finetunes = nodes.filter((n) => n.stage.name === 'finetune');
const paramsOf = (n: DagNode) => n.params as FinetuneParams;
const node = (id: string) => {
  const n = nodes.find((x) => x.id === id);
  assert.ok(n, `no instance ${id}`);
  return n;
};
const dataOf = (n: DagNode) => n.deps.data as DagNode;

async function epochZero(config: TrainConfigInput, init: Parameters<typeof train>[0]['init'] = { kind: 'fresh' }): Promise<Weights> {
  const dir = mkdtempSync(join(tmpdir(), 'wt-init-'));
  try {
    const { trainEvalSize: _, ...rest } = config;
    await train({
      model: { height: 16, width: 16, channels: 3, classes: 4, ...profile.arch },
      train: stripesDataset({ count: 32, size: 16 }),
      test: stripesDataset({ count: 16, size: 16, split: 'test' }),
      config: { ...rest, epochs: 0 },
      init,
      checkpointDir: dir,
    });
    return loadWeights(checkpointPath(dir, 0)).weights;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Elements equal in both, over the randomly initialised trunk tensors (biases start at 0, scales at 1). */
function sharedRandomElements(a: Weights, b: Weights): { compared: number; equal: number } {
  let compared = 0;
  let equal = 0;
  for (const [name, t] of a) {
    if (name.startsWith('fc.') || t.data.length === 1) continue;
    const u = b.get(name)!;
    if (t.data.every((v) => v === 0)) continue;
    for (let i = 0; i < t.data.length; i++) {
      compared++;
      if (t.data[i] === u.data[i]) equal++;
    }
  }
  return { compared, equal };
}

describe('initialisations: every role draws its own stream', () => {
  test("pre-training's epoch-0 weights differ from every RI-T replicate's init, and the same-init pair is identical", async () => {
    const p = await epochZero((node('pretrain').params as FinetuneParams).train);
    const rit = ['finetune/real,RI-T,seed=0', 'finetune/real,RI-T,seed=1', 'finetune/real,RI-T,seed=2'].map(node);
    assert.equal(rit.length, 3);
    const inits = await Promise.all(rit.map((n) => epochZero(paramsOf(n).train)));
    for (const [i, w] of inits.entries()) {
      const s = sharedRandomElements(p, w);
      assert.ok(s.compared > 20_000, `compared only ${s.compared} randomly initialised trunk values`);
      assert.equal(s.equal, 0, `RI-T seed ${i} shares ${s.equal} of ${s.compared} initial trunk values with pre-training`);
    }
    assert.equal(sharedRandomElements(inits[0]!, inits[1]!).equal, 0, 'two RI-T replicates share initial values');
    const sameInit = await epochZero(paramsOf(node('finetune/real,RI-T,seed=1,init=0')).train);
    assert.deepEqual(sameInit, inits[0], 'the same-init RI-T pair must start from identical weights');
  });

  test("a P-T run's fresh head is drawn from its own stream, not RI-T's", async () => {
    const ptParams = paramsOf(node('finetune/real,P-T,seed=0')).train;
    const source = await epochZero((node('pretrain').params as FinetuneParams).train);
    const pt = await epochZero(ptParams, { kind: 'pretrained', weights: source });
    const rit = await epochZero(paramsOf(node('finetune/real,RI-T,seed=0')).train);
    assert.notDeepEqual(pt.get('fc.weight')!.data, rit.get('fc.weight')!.data);
    assert.deepEqual(pt.get('stem.conv')!.data, source.get('stem.conv')!.data, 'P-T starts from the pre-trained trunk');
  });

  test('no two training runs share an init key unless the DAG says so', () => {
    const keys = new Map<string, string[]>();
    for (const n of [node('pretrain'), ...finetunes.filter((f) => paramsOf(f).init === 'RI-T')]) {
      const key = String(paramsOf(n).train.initSeed);
      keys.set(key, [...(keys.get(key) ?? []), n.id]);
    }
    assert.equal(keys.get('pretrain/seed=0')?.length, 1, 'pre-training shares its init');
    assert.equal(keys.size, 1 + profile.seeds.length, [...keys.keys()].join(', '));
    for (const [key, ids] of keys) {
      if (key === 'pretrain/seed=0') continue;
      // RI-T seed s's stream: its runs on every target and block size, and, on purpose, the
      // same-init partner (init=s) and the other-lr run; never another replicate's
      const own = /^RI-T\/seed=(\d+)$/.exec(key)?.[1];
      assert.ok(own !== undefined, `unexpected key ${key}`);
      for (const id of ids) {
        const m = /RI-T,seed=(\d+)(,init=(\d+))?/.exec(id);
        assert.ok(m, id);
        assert.equal(m[3] ?? m[1], own, `${id} draws RI-T seed ${own}'s init`);
      }
    }
    const sameInit = keys.get('RI-T/seed=0')!.filter((id) => id.includes('init=0'));
    assert.equal(sameInit.length, 4, 'one same-init partner per target');
  });
});

describe('block shuffles: every shuffled arm shuffles', () => {
  const shape = { height: 16, width: 16, channels: 3 };

  test("NumPy's RandomState(1234) leaves 4 blocks of 8 pixels in place, and the profile refuses that arm unless told to redraw", () => {
    assert.equal(shuffleStrength(shape, 8, 1234).moved, 0);
    assert.throws(
      () => loadProfile({ profile: 'default', set: ['shuffle.weakPermutations=refuse'] }),
      (err: Error) =>
        /block size 8/.test(err.message) &&
        /seed 1234/.test(err.message) &&
        /weakPermutations/.test(err.message) &&
        err.name === 'UsageError',
    );
  });

  test('every planned shuffle moves most of its blocks, and replicates never share a permutation', () => {
    const shuffles = nodes.filter((n) => n.stage.name === 'shuffle');
    assert.equal(shuffles.length, profile.shuffle.targets.length * profile.shuffle.blockSizes.length * profile.shuffle.replicates);
    const seen = new Map<string, Set<string>>();
    for (const n of shuffles) {
      const p = n.params as { blockSize: number | '*'; seed: number; draw: number };
      assert.ok(isStrongShuffle(shuffleStrength(shape, p.blockSize, p.seed, p.draw)), `${n.id} is a weak shuffle`);
      const group = `${dataOf(n).id}|${p.blockSize}`;
      const perm = drawnPermutation(shuffledUnits(shape, p.blockSize), p.seed, p.draw).join();
      assert.ok(!seen.get(group)?.has(perm), `${n.id} repeats another replicate's permutation`);
      seen.set(group, (seen.get(group) ?? new Set()).add(perm));
    }
  });
});

describe('replicates behind every plotted point', () => {
  test('the main matrix has at least 3 replicates per target and init', () => {
    for (const target of ['real', 'clipart', 'quickdraw', 'xray'])
      for (const init of ['P-T', 'RI-T'] as const) {
        const runs = finetunes.filter(
          (n) =>
            dataOf(n).id === `dataset/${target}` &&
            paramsOf(n).init === init &&
            paramsOf(n).sourceEpoch === null &&
            n.label === `${target},${init},seed=${paramsOf(n).train.seed}`,
        );
        assert.ok(runs.length >= 3, `${target} ${init}: ${runs.length} replicates`);
      }
  });

  test('every shuffle arm and every checkpoint arm has at least 2 replicates, each shuffled with its own seed', () => {
    const shuffled = finetunes.filter((n) => dataOf(n).stage.name === 'shuffle');
    assert.equal(shuffled.length, 2 * profile.shuffle.targets.length * profile.shuffle.blockSizes.length * profile.shuffle.replicates);
    const arms = new Map<string, Set<number>>();
    for (const n of shuffled) {
      const key = `${dataOf(n).deps.data && (dataOf(n).deps.data as DagNode).id}|${(dataOf(n).params as { blockSize: unknown }).blockSize}|${paramsOf(n).init}`;
      arms.set(key, (arms.get(key) ?? new Set()).add((dataOf(n).params as { seed: number }).seed));
    }
    assert.equal(arms.size, 2 * profile.shuffle.targets.length * profile.shuffle.blockSizes.length);
    for (const [key, seeds] of arms) assert.ok(seeds.size >= 2, `${key}: permutation seeds ${[...seeds]}`);
    const checkpointTransfer = node('checkpoint-transfer');
    const byPoint = new Map<string, number>();
    for (const n of checkpointTransfer.deps.runs as DagNode[]) {
      const key = `${dataOf(n).id}|${paramsOf(n).sourceEpoch ?? profile.pretrain.epochs}`;
      byPoint.set(key, (byPoint.get(key) ?? 0) + 1);
    }
    assert.equal(byPoint.size, profile.checkpoints.targets.length * (profile.checkpoints.epochs?.length ?? 0));
    for (const [key, n] of byPoint) assert.ok(n >= 2, `${key}: ${n} replicates`);
  });
});

describe('the learning-rate control and augmentation', () => {
  test('criticality analyses RI-T at the P-T learning rate too', () => {
    const crit = nodes.filter((n) => n.stage.name === 'criticality');
    assert.equal(crit.length, 2);
    for (const c of crit) {
      const lowLr = c.deps.ritAtPtLr as DagNode | undefined;
      assert.ok(lowLr, `${c.id} has no RI-T run at the P-T lr`);
      assert.equal(paramsOf(lowLr).init, 'RI-T');
      assert.equal(paramsOf(lowLr).train.lr, profile.finetune.lrPT);
    }
  });

  test('with augmentation on, main runs augment and every block-shuffle run (baseline included) does not', () => {
    const p = loadProfile({ profile: 'default', set: ['finetune.augment={"flip":true,"pad":2}'] });
    const all = buildDag(p).finalize().nodes() as DagNode[];
    const aug = (n: DagNode) => paramsOf(n).train.augment.flip;
    assert.equal(aug(all.find((n) => n.id === 'finetune/real,P-T,seed=0')!), true);
    const fig3 = all.find((n) => n.stage.name === 'block-shuffle')!.deps.runs as DagNode[];
    assert.equal(fig3.length, 2 * p.shuffle.targets.length * (p.shuffle.blockSizes.length + 1) * p.shuffle.replicates);
    for (const n of fig3) assert.equal(aug(n), false, `${n.id} augments`);
  });
});
