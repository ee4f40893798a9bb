// --set, --config and --override cannot reach Object.prototype: `__proto__`, `prototype` and
// `constructor` keys are usage errors that name the key, and ordinary assignments still work.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { z } from 'zod';
import { Dag } from '../../engine/dag.ts';
import { UsageError } from '../../engine/errors.ts';
import { defineStage } from '../../engine/stage.ts';
import { applySet, loadProfile } from '../../profiles/index.ts';

const polluted = () => ({}) as Record<string, unknown>;

/** a UsageError whose message names the key */
const namesKey = (key: string) => (e: unknown) =>
  e instanceof UsageError && e.message.includes(`"${key}"`) && /not allowed/.test(e.message);

afterEach(() => {
  for (const k of ['x', 'polluted']) delete (Object.prototype as Record<string, unknown>)[k];
});

describe('--set', () => {
  for (const [assignment, key] of [
    ['__proto__.x=1', '__proto__'],
    ['finetune.__proto__.x=1', '__proto__'],
    ['constructor.prototype.x=1', 'constructor'],
    ['finetune.prototype.x=1', 'prototype'],
    ['x.constructor=1', 'constructor'],
    ['finetune={"__proto__":{"x":1}}', '__proto__'],
  ] as const) {
    test(`${assignment} is refused, naming "${key}", and Object.prototype is untouched`, () => {
      assert.throws(() => applySet({ finetune: { epochs: 1 } }, assignment), namesKey(key));
      assert.equal(polluted().x, undefined);
      assert.throws(() => loadProfile({ profile: 'tiny', set: [assignment] }), namesKey(key));
      assert.equal(polluted().x, undefined);
    });
  }

  test('a key that an object inherits (toString) is set as an own key, not looked up on the prototype', () => {
    const out = applySet({}, 'toString.x=1') as Record<string, unknown>;
    assert.deepEqual(Object.hasOwn(out, 'toString') && out.toString, { x: 1 });
    assert.equal(typeof ({} as { toString: unknown }).toString, 'function');
  });

  test('ordinary assignments still work', () => {
    assert.equal(loadProfile({ profile: 'tiny', set: ['finetune.epochs=3'] }).finetune.epochs, 3);
  });
});

describe('--config', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  test('a JSON file with a __proto__ or constructor key is refused, naming the key and where it is', () => {
    dir = mkdtempSync(join(tmpdir(), 'wt-set-'));
    const file = join(dir, 'evil.json');
    writeFileSync(file, '{"finetune": {"__proto__": {"polluted": true}}}');
    assert.throws(
      () => loadProfile({ profile: 'tiny', config: file }),
      (e: unknown) =>
        namesKey('__proto__')(e) && (e as Error).message.includes('at finetune.__proto__') && (e as Error).message.includes(file),
    );
    writeFileSync(file, '{"constructor": {"prototype": {"polluted": true}}}');
    assert.throws(() => loadProfile({ profile: 'tiny', config: file }), namesKey('constructor'));
    assert.equal(polluted().polluted, undefined);
  });
});

describe('--override', () => {
  const train = defineStage(import.meta.url, {
    name: 'train',
    params: z.strictObject({ lr: z.number(), opt: z.object({ m: z.number() }).default({ m: 0.9 }) }),
    run() {},
  });

  test('INSTANCE:__proto__.x / opt.__proto__.x / constructor.prototype.x are refused and pollute nothing', () => {
    const dag = new Dag();
    dag.add(train, { lr: 0.1 });
    dag.finalize();
    for (const [path, key] of [
      ['__proto__.x', '__proto__'],
      ['opt.__proto__.x', '__proto__'],
      ['constructor.prototype.x', 'constructor'],
    ] as const) {
      assert.throws(() => dag.override(`train:${path}=1`), namesKey(key));
      assert.equal(polluted().x, undefined);
    }
    assert.throws(() => dag.override('train:opt={"__proto__":{"x":1}}'), namesKey('__proto__'));
    assert.deepEqual(dag.override('train:opt.m=0.5')[0]!.params, { lr: 0.1, opt: { m: 0.5 } });
  });
});
