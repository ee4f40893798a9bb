import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  checkpointPath, latestCheckpointEpoch, listCheckpointEpochs, loadWeights, readCheckpoint, saveWeights, writeCheckpoint,
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
    const c = readCheckpoint(path + '.json');
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
    truncateSync(path + '.bin', 100);
    assert.throws(() => readCheckpoint(path), (e: Error) => {
      assert.match(e.message, /truncated\.json is unusable/);
      assert.match(e.message, /has 100 bytes but the index says \d+/);
      assert.match(e.message, /To fix: delete this checkpoint/);
      return true;
    });
  });

  it('explains a corrupted data file and a broken index', async () => {
    const path = join(dir, 'corrupt');
    await saveWeights(path, model.config, weights);
    const bytes = readFileSync(path + '.bin');
    bytes[5] = bytes[5]! ^ 0xff;
    writeFileSync(path + '.bin', bytes);
    assert.throws(() => readCheckpoint(path), /does not match the checksum/);
    writeFileSync(path + '.json', '{"format": "something else"}');
    assert.throws(() => readCheckpoint(path), /corrupt\.json is unusable: its index is not a valid/);
    assert.throws(() => readCheckpoint(join(dir, 'nope')), /nope\.json is unusable: the file does not exist/);
  });

  it('explains an architecture mismatch, naming both architectures', async () => {
    const path = join(dir, 'other-arch');
    await saveWeights(path, model.config, weights);
    const other = new FixupResNet({ height: 16, width: 16, classes: 3, widths: [4, 16], blocks: [1, 1] });
    assert.throws(() => loadWeights(path, other.config), (e: Error) => {
      assert.match(e.message, /other-arch\.json was written for a different architecture/);
      assert.match(e.message, /widths \[4,8\]/);
      assert.match(e.message, /widths \[4,16\]/);
      return true;
    });
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
