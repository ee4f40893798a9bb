import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadSuiteDataset, suiteDomains } from '../../data/load-suite.ts';
import { loadSuiteConfigFile, parseSuiteConfig, SuiteConfigError } from '../../data/suite-config.ts';
import { withTempDir } from './helpers.ts';

test('an embedded suite gets defaults and lists its domains', () => {
  const c = parseSuiteConfig({ kind: 'embedded' });
  assert.equal(c.kind, 'embedded');
  if (c.kind !== 'embedded') return;
  assert.equal(c.size, 32);
  assert.deepEqual(c.source, { classes: 40, train: 8000, test: 2000 });
  assert.deepEqual(
    suiteDomains(c).map((d) => `${d.role}:${d.domain}`),
    ['source:source', 'target:real', 'target:clipart', 'target:quickdraw', 'target:xray'],
  );
});

test('unknown keys and bad values are errors naming the key', () => {
  const check = (input: unknown, ...patterns: RegExp[]) =>
    assert.throws(
      () => parseSuiteConfig(input, 'suite config test.json'),
      (err: Error) =>
        err instanceof SuiteConfigError &&
        err.message.startsWith('suite config test.json is invalid') &&
        patterns.every((p) => p.test(err.message)),
    );
  check(
    { kind: 'embedded', colour: true },
    /^ {2}colour: unknown key \(allowed: kind, size, channels, seed, worldSeed, source, targets, xray, domains\)$/m,
  );
  check(
    { kind: 'embedded', targets: { train: 2001, extra: 1 } },
    /targets\.train: 2001 images is not a multiple of the 20 classes/,
    /targets\.extra: unknown key \(allowed: classes, train, test\)/,
  );
  check(
    { kind: 'embedded', size: 'big', domains: ['real', 'sketch'] },
    /size: Invalid input: expected number/,
    /domains\.1: Invalid option/,
  );
  check({ kind: 'embedded', channels: 2 }, /channels:/);
  check({ kind: 'imagenet' }, /kind: Invalid discriminator value/);
  check({ kind: 'image-folder', source: { root: '/a', rooot: 1 }, targets: [] }, /source\.rooot: unknown key/, /targets: Too small/);
  check({ kind: 'cifar', source: 'cifar10' }, /dataDir: Invalid input/);
  check({ kind: 'mnist-family', targets: ['kmnist'] }, /targets\.0: Invalid option/);
});

test('a config file that is not JSON names the file', () =>
  withTempDir((dir) => {
    const file = join(dir, 'suite.json');
    writeFileSync(file, '{ kind: embedded }');
    assert.throws(
      () => loadSuiteConfigFile(file),
      (e: Error) => e.message.includes(file) && /cannot be read as JSON/.test(e.message),
    );
    writeFileSync(file, JSON.stringify({ kind: 'embedded', size: 16 }));
    assert.equal(loadSuiteConfigFile(file).kind, 'embedded');
  }));

test('loadSuiteDataset builds one split of one domain from the config', async () => {
  const c = parseSuiteConfig({
    kind: 'embedded',
    size: 16,
    source: { classes: 4, train: 8, test: 4 },
    targets: { classes: 2, train: 4, test: 2 },
    xray: { train: 5, test: 5 },
  });
  const xray = await loadSuiteDataset(c, 'xray', 'train');
  assert.equal(xray.header.count, 5);
  assert.equal(xray.header.classes.length, 5);
  const real = await loadSuiteDataset(c, 'real', 'test');
  assert.deepEqual([real.header.count, real.header.height, real.header.classes.length], [2, 16, 2]);
  await assert.rejects(loadSuiteDataset(c, 'painting', 'test'), /domain "painting" is not part of this embedded suite/);
});
