// The cka stage on a tiny synthetic model (fake training entries, checkpoints written by hand): its
// replicate pairs, the three controls, and the summary's estimates and draws.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { initBackend } from '../../ml/backend.ts';
import { CKA_DRAWS, cka, CkaOutput } from '../../stages/cka.ts';
import { PAIR } from '../../stages/common/pairs.ts';
import { dataEntry, fakeRun, runStage, TEST_IMAGES } from './fake-runs.ts';

const root = mkdtempSync(join(tmpdir(), 'cka-stage-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('cka stage (3 P-T, 3 RI-T, 12 test images)', () => {
  let out: CkaOutput;
  before(async () => {
    await initBackend({ backend: 'wasm', log: () => {} });
    const source = await fakeRun(root, 'pretrain/source', { kind: 'P-T', lr: 0.4, seed: 50 });
    const pt = await Promise.all([0, 1, 2].map((s) => fakeRun(root, `finetune/real,P-T,seed=${s}`, { kind: 'P-T', lr: 0.1, seed: s })));
    const rit = await Promise.all(
      [0, 1, 2].map((s) => fakeRun(root, `finetune/real,RI-T,seed=${s}`, { kind: 'RI-T', lr: 0.2, seed: 10 + s })),
    );
    const { json } = await runStage(cka, { examples: TEST_IMAGES, unbiased: true }, { source, pt, rit, data: dataEntry(root) });
    out = CkaOutput.parse(json.get('cka.json'));
  });

  test('compares every replicate pair of each type, then the controls', () => {
    const count = (pair: string) => out.pairs.filter((p) => p.pair === pair).length;
    assert.equal(out.pairs.length, 3 + 3 + 6 + 3 + 3);
    assert.deepEqual(
      [PAIR.ptP, PAIR.ptPt, PAIR.ptRit, PAIR.ritRit, PAIR.untrained, PAIR.identical, PAIR.unrelated].map(count),
      [3, 3, 6, 3, 1, 1, 1],
    );
    assert.deepEqual(
      out.pairs.filter((p) => p.pair === PAIR.ptRit).map((p) => p.replicate),
      [0, 1, 2, 3, 4, 5],
    );
    // P-T & RI-T never share a seed
    for (const p of out.pairs.filter((q) => q.pair === PAIR.ptRit)) assert.notEqual(p.a.split('seed=')[1], p.b.split('seed=')[1]);
    assert.equal(out.examples, TEST_IMAGES);
    assert.equal(out.subsample, TEST_IMAGES / 2);
    assert.equal(out.estimator, 'debiased');
    const unrelated = out.pairs.find((p) => p.pair === PAIR.unrelated)!;
    assert.equal(unrelated.a, 'finetune/real,P-T,seed=0');
    assert.equal(unrelated.b, 'finetune/real,P-T,seed=1 (examples permuted)');
  });

  test('the identical control is 1 at every layer, in the estimate and in every draw', () => {
    const s = out.summary[PAIR.identical]!;
    assert.equal(s.pairs, 1);
    assert.equal(s.values.length, out.layers.length);
    for (const v of s.values) {
      assert.ok(Math.abs(v.estimate - 1) < 1e-9);
      assert.equal(v.draws.length, CKA_DRAWS);
      for (const d of v.draws) assert.ok(Math.abs(d - 1) < 1e-9, `${d}`);
    }
  });

  test('each summary estimate is the mean over its replicate pairs of the selected estimator, with CKA_DRAWS draws', () => {
    assert.deepEqual(Object.keys(out.summary), [
      PAIR.ptP,
      PAIR.ptPt,
      PAIR.ptRit,
      PAIR.ritRit,
      PAIR.untrained,
      PAIR.identical,
      PAIR.unrelated,
    ]);
    for (const [pair, s] of Object.entries(out.summary)) {
      const group = out.pairs.filter((p) => p.pair === pair);
      assert.equal(s.pairs, group.length);
      assert.equal(s.values.length, out.layers.length);
      s.values.forEach((v, l) => {
        const mean = group.reduce((a, p) => a + p.debiased[l]!, 0) / group.length;
        assert.ok(Math.abs(v.estimate - mean) < 1e-12, `${pair} layer ${l}: ${v.estimate} vs ${mean}`);
        assert.equal(v.draws.length, CKA_DRAWS);
        for (const d of v.draws) assert.ok(Number.isFinite(d));
      });
    }
    for (const p of out.pairs) assert.deepEqual(p.values, p.debiased);
  });
});
