// profiles/index.ts: --set assignments (applySet), --config files merged into the profile
// (deepMerge: key by key, but another suite `kind` replaces the object), and the rules that span
// fields (checkConsistency), each with the message a user sees.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { UsageError } from '../../engine/errors.ts';
import { applySet, loadProfile } from '../../profiles/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'wt-profiles-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function configFile(body: unknown): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(body));
  return path;
}

const refused = (pattern: RegExp) => (e: unknown) => e instanceof UsageError && pattern.test(e.message);

describe('applySet', () => {
  test('sets numbers, arrays and booleans as JSON and anything else as a string, creating objects on the way', () => {
    const out = applySet({ a: { b: 1 } }, 'a.c.d=[1,2]') as Record<string, Record<string, unknown>>;
    assert.deepEqual(out, { a: { b: 1, c: { d: [1, 2] } } });
    assert.deepEqual(applySet({}, 'x=true'), { x: true });
    assert.deepEqual(applySet({}, 'x=hello world'), { x: 'hello world' });
    assert.deepEqual(applySet({}, 'x=0.5'), { x: 0.5 });
  });

  test('refuses a path through a value that is not an object, and an assignment without a key', () => {
    assert.throws(() => applySet({ a: 3 }, 'a.b=1'), refused(/--set a\.b=1: "a" is not an object in the profile/));
    assert.throws(() => applySet({ a: [1] }, 'a.b=1'), refused(/"a" is not an object/));
    assert.throws(() => applySet({}, '=1'), refused(/must look like key\.path=value/));
    assert.throws(() => applySet({}, 'novalue'), refused(/must look like key\.path=value/));
  });
});

describe('loadProfile', () => {
  test('a config merges key by key into the profile, and --set applies after it', () => {
    const p = loadProfile({ profile: 'tiny', config: configFile({ finetune: { epochs: 3 } }), set: ['finetune.batchSize=16'] });
    assert.equal(p.finetune.epochs, 3);
    assert.equal(p.finetune.batchSize, 16);
    assert.equal(p.finetune.lrPT, 0.01, 'a field the config does not name keeps the profile value');
    assert.equal(p.pretrain.epochs, 2);
  });

  test('a suite of another kind replaces the suite object instead of merging into it', () => {
    // merged, the embedded suite's `targets` object and `xray` would still be there; replaced, they are gone
    const error = (() => {
      try {
        loadProfile({ profile: 'tiny', config: configFile({ suite: { kind: 'image-folder', size: 16 } }) });
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    assert.match(error, /profile\.suite\.targets: Invalid input: expected array, received undefined/);
    assert.doesNotMatch(error, /xray|received object/);
  });

  test('cross-field rules name the field and what to do', () => {
    const cases: [string[], RegExp][] = [
      [['shuffle.targets=["clipart"]'], /shuffle\.targets: "clipart" is not a target of the suite \(targets: real, quickdraw\)/],
      [['shuffle.blockSizes=[3]'], /shuffle\.blockSizes: 3 does not divide the image side 16/],
      [['checkpoints.epochs=[5]'], /checkpoints\.epochs: 5 is after the last pre-training epoch \(2\)/],
      [['seeds=[0,0]'], /seeds: \[0,0\] repeats a seed/],
      [['shuffle.replicates=3'], /shuffle\.replicates: 3 replicates need at least 3 seeds/],
    ];
    assert.equal(cases.length, 5);
    for (const [set, message] of cases) assert.throws(() => loadProfile({ profile: 'tiny', set }), refused(message), set.join(' '));
  });

  test('an unknown profile and a malformed config file are usage errors naming them', () => {
    assert.throws(() => loadProfile({ profile: 'huge' }), refused(/Unknown profile "huge"; choose one of: .*tiny/));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    assert.throws(() => loadProfile({ profile: 'tiny', config: bad }), refused(new RegExp(`config file ${bad.replace(/[.]/g, '\\.')}`)));
  });
});
