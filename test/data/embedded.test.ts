import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertDatasetConsistent } from '../../data/dataset-header-schema.ts';
import { classShape } from '../../data/embedded/class-shapes.ts';
import { EMBEDDED_DOMAINS } from '../../data/embedded/domain-params.ts';
import { classNames, generateDomain } from '../../data/embedded/generate-domain.ts';
import { findSharedImages } from '../../data/image-hash.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('every domain renders at 16/24/28/32 pixels with 1 or 3 channels, exactly class-balanced', () => {
  for (const domain of EMBEDDED_DOMAINS) {
    for (const size of [16, 24, 28, 32]) {
      for (const channels of [1, 3] as const) {
        const classes = domain === 'xray' ? 5 : 4;
        const ds = generateDomain({ domain, split: 'train', count: classes * 3, size, channels, classes });
        assertDatasetConsistent(ds, `${domain} ${size} ${channels}`);
        assert.equal(ds.header.height, size);
        assert.equal(ds.header.channels, channels);
        const counts = new Array(classes).fill(0);
        for (const l of ds.labels) counts[l]++;
        assert.deepEqual(counts, new Array(classes).fill(3));
        let min = 255;
        let max = 0;
        for (const v of ds.images) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        assert.ok(max - min > 60, `${domain} ${size}x${size}x${channels} images are nearly flat (${min}..${max})`);
      }
    }
  }
});

test('generation is deterministic and depends on split, seed and domain', () => {
  const a = generateDomain({ domain: 'real', split: 'train', count: 40, seed: 3 });
  const b = generateDomain({ domain: 'real', split: 'train', count: 40, seed: 3 });
  assert.equal(sha(a.images), sha(b.images));
  assert.deepEqual(a.labels, b.labels);
  assert.notEqual(sha(generateDomain({ domain: 'real', split: 'test', count: 40, seed: 3 }).images), sha(a.images));
  assert.notEqual(sha(generateDomain({ domain: 'real', split: 'train', count: 40, seed: 4 }).images), sha(a.images));
  assert.notEqual(sha(generateDomain({ domain: 'source', split: 'train', count: 40, seed: 3 }).images), sha(a.images));
});

test('generation gives the same bytes in another process', () => {
  const here = sha(generateDomain({ domain: 'clipart', split: 'test', count: 20, size: 24, seed: 9 }).images);
  const moduleUrl = new URL('../../data/embedded/generate-domain.ts', import.meta.url).href;
  const script = `import { createHash } from 'node:crypto';
    import { generateDomain } from ${JSON.stringify(moduleUrl)};
    const ds = generateDomain({ domain: 'clipart', split: 'test', count: 20, size: 24, seed: 9 });
    process.stdout.write(createHash('sha256').update(ds.images).digest('hex'));`;
  const there = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    encoding: 'utf8',
  });
  assert.equal(there, here);
});

test('no test image equals a train image, and no image repeats within a split', () => {
  for (const domain of EMBEDDED_DOMAINS) {
    const classes = domain === 'xray' ? 5 : 20;
    const train = generateDomain({ domain, split: 'train', count: classes * 20, size: 16, channels: 1 });
    const testSet = generateDomain({ domain, split: 'test', count: classes * 10, size: 16, channels: 1 });
    const per = 16 * 16;
    assert.deepEqual(
      findSharedImages({ images: train.images, count: train.header.count }, { images: testSet.images, count: testSet.header.count }, per),
      [],
      domain,
    );
    const within = new Set<string>();
    for (let i = 0; i < train.header.count; i++) within.add(sha(train.images.subarray(i * per, (i + 1) * per)));
    assert.equal(within.size, train.header.count, `${domain}: duplicate images within train`);
  }
});

test('real, clipart and quickdraw share the target classes; source classes are different shapes', () => {
  const names = classNames('real', 20);
  assert.deepEqual(classNames('clipart', 20), names);
  assert.deepEqual(classNames('quickdraw', 20), names);
  for (const d of ['real', 'clipart', 'quickdraw'] as const)
    assert.deepEqual(generateDomain({ domain: d, split: 'test', count: 20 }).header.classes, names);
  const source = classNames('source', 40);
  assert.equal(source.filter((n) => names.includes(n)).length, 0);
  assert.deepEqual(classNames('xray', 5), ['cardiomegaly', 'edema', 'consolidation', 'atelectasis', 'pleural_effusion']);
  const signature = (s: ReturnType<typeof classShape>) =>
    JSON.stringify(s.parts.map((p) => [p.kind, p.hole, p.cx.toFixed(2), p.cy.toFixed(2), p.sx.toFixed(2)]));
  const targetShapes = new Set(Array.from({ length: 20 }, (_, k) => signature(classShape('target', k, 0))));
  assert.equal(targetShapes.size, 20, 'target classes must be distinct shapes');
  for (let k = 0; k < 40; k++) assert.ok(!targetShapes.has(signature(classShape('source', k, 0))));
});

test('bad parameters are errors naming the parameter', () => {
  assert.throws(() => generateDomain({ domain: 'real', split: 'train', count: 30 }), /count: count 30 is not a multiple of the 20 classes/);
  assert.throws(
    () => generateDomain({ domain: 'xray', split: 'train', count: 12, classes: 6 }),
    /classes: domain xray has at most 5 classes, got 6/,
  );
  assert.throws(() => generateDomain({ domain: 'real', split: 'train', count: 20, size: 4 }), /size/);
  assert.throws(() => generateDomain({ domain: 'nope' as 'real', split: 'train', count: 20 }), /domain/);
  assert.throws(() => generateDomain({ domain: 'real', split: 'train', count: 20, colour: 1 } as never), /colour: unknown key/);
});

test('the suite normalisation matches the statistics of the source domain it was measured on', async () => {
  const { channelStatistics } = await import('../../data/normalization.ts');
  const ds = generateDomain({ domain: 'source', split: 'train', count: 1200 });
  const measured = channelStatistics(ds);
  ds.header.normalization.mean.forEach((m, c) =>
    assert.ok(Math.abs(m - measured.mean[c]!) < 0.02, `mean[${c}] ${m} vs measured ${measured.mean[c]}: re-measure EMBEDDED_NORMALIZATION`),
  );
  ds.header.normalization.std.forEach((s, c) =>
    assert.ok(Math.abs(s - measured.std[c]!) < 0.02, `std[${c}] ${s} vs measured ${measured.std[c]}`),
  );
});
