import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  checkpointPath,
  latestCheckpointEpoch,
  listCheckpointEpochs,
  loadWeights,
  readCheckpoint,
  saveWeights,
  writeCheckpoint,
} from '../../ml/checkpoint.ts';
import { FixupResNet } from '../../ml/model.ts';

const dir = mkdtempSync(join(tmpdir(), 'wt-ckpt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const model = new FixupResNet({ height: 16, width: 16, classes: 3, widths: [4, 8], blocks: [1, 1] });
const weights = model.init(1);

describe('checkpoints', () => {
  it('round-trip weights, extra tensors and metadata exactly', async () => {
    const path = checkpointPath(dir, 3);
    assert.match(path, /epoch-0003$/);
    const extra = new Map([...weights, ['optimizer.momentum.fc.bias', { shape: [3], data: Float32Array.from([1, -2, 3.5]) }]]);
    await writeCheckpoint(path, model.config, extra, { epoch: 3, note: 'x' });
    const c = readCheckpoint(`${path}.json`);
    assert.deepEqual(c.tensors, extra);
    assert.deepEqual(c.meta, { epoch: 3, note: 'x' });
    assert.deepEqual(c.model, model.config);
    const loaded = loadWeights(path, model.config);
    assert.deepEqual(loaded.weights, weights);
    assert.deepEqual(readdirSync(dir).sort(), ['epoch-0003.bin', 'epoch-0003.json']);
  });

  it('lists epochs and finds the latest', async () => {
    await saveWeights(checkpointPath(dir, 10), model.config, weights);
    await saveWeights(checkpointPath(dir, 2), model.config, weights);
    writeFileSync(join(dir, 'epoch-0099.bin'), 'orphan data without an index');
    assert.deepEqual(listCheckpointEpochs(dir), [2, 3, 10]);
    assert.equal(latestCheckpointEpoch(dir), 10);
    assert.equal(latestCheckpointEpoch(join(dir, 'missing')), undefined);
  });

  it('explains a truncated data file', async () => {
    const path = join(dir, 'truncated');
    await saveWeights(path, model.config, weights);
    truncateSync(`${path}.bin`, 100);
    assert.throws(
      () => readCheckpoint(path),
      (e: Error) => {
        assert.match(e.message, /truncated\.json is unusable/);
        assert.match(e.message, /has 100 bytes but the index says \d+/);
        assert.match(e.message, /To fix: delete this checkpoint/);
        return true;
      },
    );
  });

  it('explains a corrupted data file and a broken index', async () => {
    const path = join(dir, 'corrupt');
    await saveWeights(path, model.config, weights);
    const bytes = readFileSync(`${path}.bin`);
    bytes[5] = bytes[5]! ^ 0xff;
    writeFileSync(`${path}.bin`, bytes);
    assert.throws(() => readCheckpoint(path), /does not match the checksum/);
    writeFileSync(`${path}.json`, '{"format": "something else"}');
    assert.throws(() => readCheckpoint(path), /corrupt\.json is unusable: its index is not a valid/);
    assert.throws(() => readCheckpoint(join(dir, 'nope')), /nope\.json is unusable: the file does not exist/);
  });

  it('explains an architecture mismatch, naming both architectures', async () => {
    const path = join(dir, 'other-arch');
    await saveWeights(path, model.config, weights);
    const other = new FixupResNet({ height: 16, width: 16, classes: 3, widths: [4, 16], blocks: [1, 1] });
    assert.throws(
      () => loadWeights(path, other.config),
      (e: Error) => {
        assert.match(e.message, /other-arch\.json was written for a different architecture/);
        assert.match(e.message, /widths \[4,8\]/);
        assert.match(e.message, /widths \[4,16\]/);
        return true;
      },
    );
  });

  it('a sealed checkpoint verifies its whole record: any edit of the index is refused, a reformatting is not', async () => {
    const path = join(dir, 'sealed');
    const meta = {
      epoch: 2,
      rng: [1, 2, 3, 4],
      history: [
        { epoch: 0, testAccuracy: 0.25 },
        { epoch: 1, testAccuracy: 0.5 },
      ],
    };
    await writeCheckpoint(path, model.config, weights, meta, { sealRecord: true });
    const text = readFileSync(`${path}.json`, 'utf8');
    const index = JSON.parse(text) as { recordSha256?: string; meta: typeof meta; tensors: { offset: number }[] };
    assert.match(index.recordSha256 ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(readCheckpoint(path, { requireSealedRecord: true }).meta, meta);
    // same record, other key order and whitespace: still verifies
    const { meta: m, ...rest } = index;
    writeFileSync(`${path}.json`, JSON.stringify({ meta: m, ...rest }));
    assert.deepEqual(readCheckpoint(path, { requireSealedRecord: true }).meta, meta);
    const edits: ((i: typeof index) => void)[] = [
      (i) => (i.meta.history[1]!.testAccuracy = 0.75),
      (i) => (i.meta.epoch = 3),
      (i) => (i.meta.rng[2] = 5),
      (i) => (i.tensors[1]!.offset += 1),
    ];
    assert.equal(edits.length, 4);
    for (const edit of edits) {
      const edited = JSON.parse(text) as typeof index;
      edit(edited);
      writeFileSync(`${path}.json`, JSON.stringify(edited, null, 1));
      assert.throws(() => readCheckpoint(path), /sealed\.json is unusable: its index does not match its own record checksum/);
    }
  });

  it('plain checkpoints (store entries) keep the old index format; the resume path refuses them as unverifiable', async () => {
    const path = join(dir, 'plain');
    await saveWeights(path, model.config, weights, { epoch: 1 });
    const index = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(index), ['format', 'version', 'model', 'bin', 'byteLength', 'sha256', 'tensors', 'meta']);
    assert.deepEqual(loadWeights(path, model.config).weights, weights);
    assert.throws(() => readCheckpoint(path, { requireSealedRecord: true }), /plain\.json is unusable: its index has no record checksum/);
  });

  it('refuses NaN and Infinity weights with one paragraph naming the file and the tensor', async () => {
    const cases: [string, number[], RegExp][] = [
      ['nan', [NaN], /holds 1 non-finite value \(the first, NaN, at index 5\)/],
      ['inf', [Infinity, -Infinity], /holds 2 non-finite values \(the first, Infinity, at index 5\)/],
    ];
    assert.equal(cases.length, 2);
    for (const [name, values, count] of cases) {
      const bad = new Map([...weights].map(([n, t]) => [n, { shape: t.shape, data: t.data.slice() }]));
      values.forEach((v, i) => (bad.get('layer1.0.conv1')!.data[5 + i] = v));
      const path = join(dir, name);
      await saveWeights(path, model.config, bad);
      assert.throws(
        () => loadWeights(path, model.config),
        (e: Error) => {
          assert.match(
            e.message,
            new RegExp(`^Checkpoint .*${name}\\.json is unusable: its tensor layer1\\.0\\.conv1 \\(in .*${name}\\.bin\\)`),
          );
          assert.match(e.message, count);
          assert.match(e.message, /a diverged run or a corrupted write\. To fix: delete this checkpoint/);
          assert.ok(!e.message.includes('\n'), 'one paragraph');
          return true;
        },
      );
    }
  });

  it('replaces an existing checkpoint atomically, leaving no temp files', async () => {
    const path = join(dir, 'rewrite');
    await saveWeights(path, model.config, weights, { v: 1 });
    await saveWeights(path, model.config, model.init(2), { v: 2 });
    assert.deepEqual(readCheckpoint(path).meta, { v: 2 });
    assert.deepEqual(loadWeights(path).weights, model.init(2));
    assert.ok(!readdirSync(dir).some((f) => f.includes('.tmp')));
  });
});
