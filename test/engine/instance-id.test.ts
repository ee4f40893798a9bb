// Instance ids use a strict charset (engine/instance-id.ts): every id the profiles make passes,
// and an id that could break out of a script, a job name or a path — a newline from a domain name
// in an image-folder suite config, above all — is refused with a message naming it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { Dag } from '../../engine/dag.ts';
import { UsageError } from '../../engine/errors.ts';
import { checkInstanceId, domainNameProblem, instanceIdProblem } from '../../engine/instance-id.ts';
import { defineStage } from '../../engine/stage.ts';
import { buildDag } from '../../experiment/dag.ts';
import { loadProfile, PROFILES } from '../../profiles/index.ts';
import { parseSuiteConfig } from '../../data/suite-config.ts';

const BAD = [
  'dataset/real\necho pwned',
  'dataset/real\r',
  'dataset/a\u0000b',
  'dataset/real world',
  "dataset/it's",
  'dataset/"x"',
  'dataset/$(id)',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${…} is the input under test
  'dataset/${HOME}',
  'dataset/`id`',
  'dataset/a;b',
  'dataset/a|b',
  'dataset/a&b',
  'dataset/a:b',
  'dataset/../../etc',
  'dataset/./x',
  '/abs',
  'dataset//x',
  'dataset/',
  '-rf',
  '',
  'dataset/réal',
  `dataset/${'x'.repeat(300)}`,
];

describe('instance ids', () => {
  test('every id of every profile passes the check', () => {
    for (const profile of Object.keys(PROFILES)) {
      const dag = buildDag(loadProfile({ profile })).finalize();
      const ids = dag.nodes().map((n) => n.id);
      assert.ok(ids.length > 10, profile);
      for (const id of ids) assert.equal(instanceIdProblem(id), undefined, `${profile}: ${id}`);
      assert.ok(ids.some((id) => id.includes('b=*')) || profile === 'tiny', `${profile} has shuffle ids with *`);
    }
    for (const id of [
      'finetune/real,P-T,seed=0',
      'finetune/real,b=*,RI-T,seed=1',
      'dataset/x~1a2b3c4d',
      'train/lr=1e+21,opt.m=∅',
      'train/blocks=[3,4,6,3]',
      'finetune/CheXpert-v1.0_small,P-T',
    ]) {
      assert.equal(instanceIdProblem(id), undefined, id);
    }
  });

  test('ids with control characters, quotes, shell syntax, spaces or .. segments are refused', () => {
    for (const id of BAD) assert.notEqual(instanceIdProblem(id), undefined, JSON.stringify(id));
  });

  test('an id with a newline is refused with a usage error naming the id and what to do', () => {
    const id = 'dataset/real\necho pwned';
    assert.throws(
      () => checkInstanceId(id, 'dataset'),
      (e: Error) =>
        e instanceof UsageError &&
        e.message.includes(JSON.stringify(id)) &&
        /newline/.test(e.message) &&
        /"domain"/.test(e.message) &&
        !e.message.includes('\n'),
    );
  });

  test('the DAG refuses an instance whose label has a newline, when ids are assigned', () => {
    const stage = defineStage(import.meta.url, {
      name: 'dataset',
      params: z.strictObject({ domain: z.string() }),
      deps: {},
      label: (p) => p.domain,
      run() {},
    });
    const dag = new Dag();
    dag.add(stage, { domain: 'real' });
    dag.add(stage, { domain: 'real\nrm -rf ~' });
    assert.throws(
      () => dag.finalize(),
      (e: Error) => e instanceof UsageError && e.message.includes(JSON.stringify('dataset/real\nrm -rf ~')),
    );
  });

  test('an image-folder suite refuses a bad domain name, or a folder name used as one, when the config is parsed', () => {
    const suite = (target: Record<string, unknown>) => ({
      kind: 'image-folder',
      source: { root: 'datasets/imagenet', domain: 'imagenet' },
      targets: [target],
    });
    assert.throws(
      () => parseSuiteConfig(suite({ root: 'datasets/x', domain: 'real\n$(touch /tmp/p)' })),
      /targets\.0\.domain: domain name "real\\n\$\(touch \/tmp\/p\)" contains a newline/,
    );
    assert.throws(
      () => parseSuiteConfig(suite({ root: 'datasets/Real World' })),
      /targets\.0\.root: the folder name .*"datasets\/Real World".* contains a space.*set "domain"/,
    );
    assert.doesNotThrow(() => parseSuiteConfig(suite({ root: 'datasets/Real World', domain: 'real-world' })));
    assert.throws(
      () => loadProfile({ profile: 'paper', set: ['suite.source.domain="image;net"'] }),
      (e: Error) => e instanceof UsageError && /suite\.source\.domain/.test(e.message) && /";"/.test(e.message),
    );
    for (const name of ['real', 'clipart', 'quickdraw', 'imagenet', 'CheXpert-v1.0-small'])
      assert.equal(domainNameProblem(name), undefined, name);
    for (const name of ['a,b', 'a=b', 'a/b', '..', 'a b', 'a\tb']) assert.notEqual(domainNameProblem(name), undefined, name);
  });
});
