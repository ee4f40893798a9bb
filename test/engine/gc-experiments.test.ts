// gc by experiment: what an experiment no longer uses is removed and attributed to it, what it
// ever used is kept with --keep-experiment, and gc stops rather than guess when a lock file or a
// store record cannot be read. The ETA helpers never claim more than 100% or a time nobody knows.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fractionDone, runningRemaining, stageRemaining } from '../../engine/eta.ts';
import { collectGarbage } from '../../engine/gc.ts';
import { runnerFor } from '../../engine/runner.ts';
import { buildFolderProject, openFolderProject, writeFolderProject } from '../support/folder-input-project.ts';
import type { Fingerprint } from '../../engine/digest.ts';

const OUT = join(import.meta.dirname, '..', 'out');
const root = join(OUT, `gc-experiments-${process.pid}`);
const lock = join(root, 'folder.lock.json');

/** A build: the scheduler records the experiment in the store as it writes the lock file. */
async function buildAndRecord(): Promise<Fingerprint> {
  const summary = await buildFolderProject(await openFolderProject(root));
  return summary.outcomes[0]!.fingerprint!;
}

describe('gc by experiment', () => {
  let first = '' as Fingerprint;
  let second = '' as Fingerprint;
  let store: Parameters<typeof collectGarbage>[0];
  before(async () => {
    writeFolderProject(root, 3);
    first = await buildAndRecord();
    writeFileSync(join(root, 'data', 'class-1', 'img-1.png'), 'edited');
    second = await buildAndRecord();
    store = (await openFolderProject(root)).store;
    // the builds ran in this process, whose runner pins what it built until it exits: as if it had
    runnerFor(store.root).close();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('an entry the experiment no longer uses is removed, and said to be its', () => {
    assert.notEqual(first, second);
    const report = collectGarbage(store, { lockFiles: [lock], dryRun: true, keep: 0 });
    assert.deepEqual(
      report.experiments.map((e) => [e.name, e.entries, e.sources]),
      [['folder', 1, [lock, 'store record (1 checkout)']]],
    );
    assert.deepEqual(
      report.removed.map((r) => [r.fingerprint, r.experiment, r.instanceId]),
      [[first, 'folder', 'count']],
    );
  });

  test('--keep-experiment keeps everything it ever used; an unknown name is refused', () => {
    assert.equal(collectGarbage(store, { lockFiles: [lock], keepExperiments: ['folder'], dryRun: true, keep: 0 }).removed.length, 0);
    assert.throws(
      () => collectGarbage(store, { lockFiles: [lock], keepExperiments: ['nope'], dryRun: true, keep: 0 }),
      /--keep-experiment nope: no lock file or store record names that experiment \(known: folder\)/,
    );
  });

  test('an unreadable lock file or store record stops gc, naming the file', () => {
    const record = join(store.root, 'experiments', 'folder.json');
    const good = readFileSync(record);
    writeFileSync(record, JSON.stringify({ ...JSON.parse(good.toString()), name: 'other' }));
    assert.throws(
      () => collectGarbage(store, { lockFiles: [lock], dryRun: false, keep: 0 }),
      (e: Error) => e.message.includes(record) && /names experiment "other"/.test(e.message),
    );
    writeFileSync(record, good);
    const lockBytes = readFileSync(lock);
    writeFileSync(lock, '{"lockVersion": 2, "instances": ');
    assert.throws(
      () => collectGarbage(store, { lockFiles: [lock], dryRun: false, keep: 0 }),
      (e: Error) => e.message.includes(lock) && /cannot be read/.test(e.message),
    );
    writeFileSync(lock, lockBytes);
    assert.ok(store.has(first) && store.has(second), 'nothing was removed');
  });

  test('gc removes the unused entry for real, keeps the used one, and drops it from the history', () => {
    const report = collectGarbage(store, { lockFiles: [lock], dryRun: false, keep: 0 });
    assert.deepEqual(
      report.removed.map((r) => r.fingerprint),
      [first],
    );
    assert.ok(!store.has(first) && store.has(second));
    const record = JSON.parse(readFileSync(join(store.root, 'experiments', 'folder.json'), 'utf8')) as { history: Record<string, string> };
    assert.deepEqual(Object.keys(record.history), [second]);
  });

  test('a deleted lock file on this machine lets gc forget its slot, and then its entries', () => {
    const saved = readFileSync(lock);
    rmSync(lock);
    try {
      const report = collectGarbage(store, { lockFiles: [], dryRun: false, keep: 0 });
      assert.deepEqual(report.forgottenLockFiles, [lock]);
      assert.deepEqual(
        report.removed.map((r) => r.fingerprint),
        [second],
      );
    } finally {
      writeFileSync(lock, saved);
    }
  });
});

describe('progress and ETA', () => {
  test('a count past its total is 100%, not more', () => {
    assert.equal(fractionDone({ done: 181, total: 100 }), 1);
    assert.equal(fractionDone({ done: 5, total: 20 }), 0.25);
    assert.equal(fractionDone({ message: 'no count' }), undefined);
  });

  test("the remaining time comes from the stage's own rate once it has moved", () => {
    const now = 100_000;
    assert.equal(stageRemaining({ since: now - 30_000, update: { done: 25, total: 100 } }, now), 90);
    const resumed = { since: now - 30_000, update: { done: 95, total: 100 }, firstCount: { at: now - 20_000, fraction: 0.9 } };
    assert.equal(Math.round(stageRemaining(resumed, now)!), 20, 'resumed at 90%: the rate counts from there');
    assert.equal(fractionDone({ done: Number.NaN, total: 10 }), undefined);
    assert.equal(stageRemaining({ since: now - 30_000, expected: 50 }, now), 20);
    assert.equal(stageRemaining({ since: now - 60_000, expected: 50 }, now), undefined, 'past its last time, with no count: unknown');
    assert.equal(
      runningRemaining(
        [
          { since: now - 10_000, expected: 50 },
          { since: now - 60_000, expected: 50 },
        ],
        now,
        2,
      ),
      undefined,
      'one unknown: no ETA',
    );
    assert.equal(
      runningRemaining(
        [
          { since: now, expected: 40 },
          { since: now, expected: 10 },
        ],
        now,
        2,
      ),
      40,
      'never less than the longest',
    );
  });
});
