// What the lock file records: one digest per folder of inputs (a 60,000-file folder is one line),
// no times (a rebuild with identical outputs leaves it byte-identical), and enough for `why` to
// name the one input file that changed. Lock files of version 1 are still read.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inputSetDigest } from '../../engine/input-set-digest.ts';
import { LockFile } from '../../engine/lock-file.ts';
import { computeStatus } from '../../engine/status.ts';
import { buildFolderProject, openFolderProject, writeFolderProject } from '../support/folder-input-project.ts';

const OUT = join(import.meta.dirname, '..', 'out');
const big = join(OUT, `lock-format-big-${process.pid}`);
const small = join(OUT, `lock-format-small-${process.pid}`);
const FILES = 60_000;
const lockOf = (root: string) => join(root, 'folder.lock.json');

describe('lock files', () => {
  before(async () => {
    writeFolderProject(big, FILES);
    writeFolderProject(small, 2);
    await buildFolderProject(await openFolderProject(big));
    await buildFolderProject(await openFolderProject(small));
  });
  after(() => {
    rmSync(big, { recursive: true, force: true });
    rmSync(small, { recursive: true, force: true });
  });

  test('a 60,000-file input folder is one line of the lock file, the same lines as a 2-file one', () => {
    const [bigText, smallText] = [readFileSync(lockOf(big), 'utf8'), readFileSync(lockOf(small), 'utf8')];
    assert.equal(bigText.split('\n').length, smallText.split('\n').length);
    assert.ok(bigText.length < 8_000, `${bigText.length} bytes`);
    const locked = JSON.parse(bigText) as {
      lockVersion: number;
      instances: Record<string, { record: { inputs: Record<string, string> } }>;
    };
    assert.equal(locked.lockVersion, 2);
    const inputs = Object.values(locked.instances)[0]!.record.inputs;
    assert.deepEqual(Object.keys(inputs), ['images']);
    assert.match(inputs.images!, /^[0-9a-f]{64}$/);
    assert.equal(bigText.split('\n').filter((l) => l.includes('"images"')).length, 1);
  });

  test('rebuilding with identical outputs leaves the lock file byte-identical', async () => {
    const before = readFileSync(lockOf(small));
    const summary = await buildFolderProject(await openFolderProject(small), true);
    assert.deepEqual(
      summary.outcomes.map((o) => o.outcome),
      ['built'],
    );
    assert.ok(readFileSync(lockOf(small)).equals(before));
    const timings = JSON.parse(readFileSync(join(small, 'store', 'cache', 'timings.json'), 'utf8')) as {
      runs: Record<string, [string, number]>;
    };
    assert.equal(Object.values(timings.runs).length, 1, 'the run time is in the store memo instead');
  });

  test('`why` names the input file that changed, from the locked entry in the store', async () => {
    writeFileSync(join(big, 'data', 'class-3', 'img-123.png'), 'edited');
    const [status] = await computeStatus(await openFolderProject(big), ['all']);
    assert.equal(status!.state, 'stale');
    assert.deepEqual(status!.reasons, ['input images: class-3/img-123.png changed']);
    assert.equal(typeof status!.lastTookSeconds, 'number');
  });

  test('without the locked entry, `why` still says which input set changed', async () => {
    writeFileSync(join(small, 'data', 'class-0', 'img-0.png'), 'edited');
    rmSync(join(small, 'store', 'entries'), { recursive: true, force: true });
    const [status] = await computeStatus(await openFolderProject(small), ['all']);
    assert.equal(status!.reasons.length, 1);
    assert.match(status!.reasons[0]!, /^input set images changed \(now 2 files; the locked run's file list is not in this store/);
  });

  test('a version-1 lock file (every input file, wall times) is read as one digest per set', () => {
    const files = { 'a/1.png': 'ab'.repeat(32), 'b/2.png': 'cd'.repeat(32) };
    const record = {
      format: 1,
      stage: { name: 'count', version: 1 },
      params: {},
      code: 'ef'.repeat(32),
      inputs: { images: files },
      env: {},
      upstream: {},
    };
    const v1 = {
      lockVersion: 1,
      instances: {
        count: { stage: 'count', fingerprint: '12'.repeat(32), record, outputs: { digest: '34'.repeat(32), files: {} }, wallSeconds: 3.2 },
      },
      code: {},
    };
    const path = join(OUT, `lock-v1-${process.pid}.json`);
    writeFileSync(path, JSON.stringify(v1));
    try {
      const lock = new LockFile(path);
      assert.equal(lock.problem, undefined);
      assert.deepEqual(lock.fingerprints(), ['12'.repeat(32)]);
      assert.deepEqual(lock.get('count')!.locked.record.inputs, { images: inputSetDigest(files) });
      assert.equal('wallSeconds' in lock.get('count')!.locked, false);
    } finally {
      rmSync(path, { force: true });
    }
  });
});
