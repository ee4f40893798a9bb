// A user's own data beside a built-in profile, in one store: a tiny ImageFolder tree (PNGs this
// test writes, class folders under train/ and test/) runs the tiny recipe end to end as experiment
// "my-photos", beside a `tiny` build. Neither overwrites the other's lock file or report, gc loses
// nothing of either, and a second configuration cannot take the name over by accident.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { BuildSummary } from '../../engine/reporter.ts';
import { copyStore, OUT, runPipeline, tinyStore } from '../support/tiny-project.ts';

const work = join(OUT, `experiments-${process.pid}`);
const locks = join(work, 'locks');
const reports = join(work, 'reports');
const env = { WT_LOCK_DIR: locks, WT_REPORT_DIR: reports };
let store = '';
const TINY = ['--profile', 'tiny'];
const MINE = [...TINY, '--config', join(work, 'my-photos.json')];
const at = (...args: string[]) => [...args, '--store', store];

/** A 16×16 PNG: stripes whose direction and colour say the class, with per-image jitter. */
async function png(file: string, cls: number, i: number): Promise<void> {
  const px = Buffer.alloc(16 * 16 * 3);
  for (let y = 0; y < 16; y++)
    for (let x = 0; x < 16; x++) {
      const on = ((cls % 2 ? x : y) + i) % (2 + cls) === 0;
      px.set(on ? [40 + 50 * cls, 200 - 40 * cls, (i * 37) % 255] : [(x * i) % 60, 30, 20], (y * 16 + x) * 3);
    }
  await sharp(px, { raw: { width: 16, height: 16, channels: 3 } })
    .png()
    .toFile(file);
}

async function imageTree(root: string, classes: number, perSplit: { train: number; test: number }): Promise<void> {
  for (const split of ['train', 'test'] as const)
    for (let c = 0; c < classes; c++) {
      const dir = join(root, split, `class-${c}`);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < perSplit[split]; i++) await png(join(dir, `img-${i}.png`), c, i + (split === 'test' ? 100 : 0));
    }
}

const lockText = (name: string) => readFileSync(join(locks, `${name}.lock.json`), 'utf8');
const json = <T>(text: string) => JSON.parse(text) as T;

describe('two experiments in one store', () => {
  let tinyLockBefore = '';
  let mine: BuildSummary;
  before(async () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(locks, { recursive: true });
    store = copyStore(await tinyStore(), join(`experiments-${process.pid}`, 'store'));
    writeFileSync(join(locks, 'tiny.lock.json'), readFileSync(join(OUT, 'locks', 'tiny.lock.json')));
    const tiny = await runPipeline(at('figures', ...TINY, '--quiet'), env);
    assert.equal(tiny.code, 0, tiny.stderr.slice(-2000));
    tinyLockBefore = lockText('tiny');
    await imageTree(join(work, 'photos', 'studio'), 4, { train: 6, test: 3 });
    await imageTree(join(work, 'photos', 'real'), 3, { train: 5, test: 3 });
    await imageTree(join(work, 'photos', 'sketch'), 3, { train: 5, test: 3 });
    const photos = (d: string) => ({ root: join(work, 'photos', d) });
    const config = {
      name: 'my-photos',
      suite: { kind: 'image-folder', size: 16, source: photos('studio'), targets: [photos('real'), photos('sketch')] },
    };
    writeFileSync(join(work, 'my-photos.json'), JSON.stringify(config));
    const r = await runPipeline(at('figures', ...MINE, '--json'), env);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    assert.doesNotMatch(r.stderr, /Could not|⚠/, 'no warning');
    mine = json<BuildSummary>(r.stdout);
  });
  after(() => process.env.WT_KEEP_TEST_OUT || rmSync(work, { recursive: true, force: true }));

  test('the ImageFolder experiment runs the tiny recipe end to end under its own name', () => {
    assert.ok(mine.outcomes.length > 40, `${mine.outcomes.length} instances`);
    const built = mine.outcomes.filter((o) => o.outcome === 'built').map((o) => o.id);
    for (const id of [
      'dataset/real',
      'dataset/sketch',
      'pretrain',
      'finetune/sketch,P-T,seed=0',
      'criticality/real',
      'scorecard',
      'report',
    ])
      assert.ok(built.includes(id), id);
    const lock = json<{ experiment: { name: string }; instances: Record<string, { record: { inputs: Record<string, string> } }> }>(
      lockText('my-photos'),
    );
    assert.equal(lock.experiment.name, 'my-photos');
    assert.match(lock.instances['dataset/real']!.record.inputs.images ?? '', /^[0-9a-f]{64}$/, 'the folder is one digest');
  });

  test("the other experiment's lock file and report are untouched", () => {
    assert.equal(lockText('tiny'), tinyLockBefore);
    const tinyPage = readFileSync(join(reports, 'tiny', 'index.html'), 'utf8');
    assert.match(tinyPage, /profile <b>tiny<\/b>/);
    const page = readFileSync(join(reports, 'my-photos', 'index.html'), 'utf8');
    assert.match(page, /profile <b>my-photos<\/b>/);
    assert.match(page, /the domains of this image-folder suite: the source, studio, and the targets: real, sketch;/);
    const captions = [...page.matchAll(/<figcaption>(.*?)<\/figcaption>/gs)].map((m) => m[1]!);
    assert.ok(captions.length >= 7, `${captions.length} captions`);
    for (const c of captions)
      assert.doesNotMatch(c, /DomainNet|CheXpert|ImageNet|quickdraw|xray/, 'no caption borrowed from the embedded suite');
    assert.match(page, /--config /, 'regenerate commands repeat the config');
    assert.match(
      tinyPage,
      /the source, source \(natural images, like ImageNet\), and the targets, in order of decreasing similarity to the source: real \(like DomainNet real\)/,
    );
  });

  test('gc keeps both experiments, and prints what each keeps', async () => {
    const dry = await runPipeline(at('gc', '-n'), env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /keep {2}my-photos +\d+ entries/);
    assert.match(dry.stdout, /keep {2}tiny +\d+ entries/);
    const gc = await runPipeline(at('gc', '--json'), env);
    assert.equal(gc.code, 0, gc.stderr);
    const report = json<{ removed: unknown[]; experiments: { name: string; entries: number }[] }>(gc.stdout);
    assert.deepEqual(
      report.experiments.map((e) => e.name),
      ['my-photos', 'tiny'],
    );
    for (const [args, name] of [
      [TINY, 'tiny'],
      [MINE, 'my-photos'],
    ] as const) {
      const status = await runPipeline(at('status', ...args), env);
      assert.match(
        status.stdout,
        new RegExp(`experiment ${name}: (\\d+) instances: \\1 fresh, 0 stale, 0 missing`),
        status.stdout.slice(-500),
      );
    }
  });

  test("the store's record keeps an experiment built by another checkout whose lock file is not here", async () => {
    const other = join(work, 'other-checkout-locks');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'my-photos.lock.json'), lockText('my-photos'));
    const there = await runPipeline(at('figures', ...MINE, '-q'), { ...env, WT_LOCK_DIR: other });
    assert.equal(there.code, 0, there.stderr);
    const saved = lockText('my-photos');
    rmSync(join(locks, 'my-photos.lock.json'));
    try {
      const gc = json<{ removed: unknown[]; experiments: { name: string; sources: string[]; entries: number }[] }>(
        (await runPipeline(at('gc', '-n', '--json'), env)).stdout,
      );
      assert.equal(gc.removed.length, 0);
      const mineKept = gc.experiments.find((e) => e.name === 'my-photos');
      assert.deepEqual(
        mineKept?.sources,
        ['store record (1 checkout)'],
        "this checkout's deleted lock file no longer counts; the other one does",
      );
      assert.ok(mineKept.entries > 40);
    } finally {
      writeFileSync(join(locks, 'my-photos.lock.json'), saved);
      rmSync(other, { recursive: true, force: true }); // that checkout is gone: its slot no longer counts
    }
  });

  test('another configuration under the same name is refused (a dry run only warns), and so is an unreadable record', async () => {
    const before = lockText('my-photos');
    const r = await runPipeline(at('figures', ...MINE, '--set', 'finetune.epochs=3'), env);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /Experiment "my-photos" is already recorded in the lock file .*my-photos\.lock\.json with other settings \(finetune\.epochs: 2 → 3\)/,
    );
    assert.match(r.stderr, /--name NEW/);
    const dry = await runPipeline(at('figures', ...MINE, '--set', 'finetune.epochs=3', '-n'), env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /already recorded .*\(A dry run writes nothing, so it goes on\.\)/);
    assert.equal(lockText('my-photos'), before);
    const record = join(store, 'experiments', 'my-photos.json');
    const saved = readFileSync(record);
    writeFileSync(record, '{"version": 2, "name": "my-photos"');
    try {
      const broken = await runPipeline(at('figures', ...MINE), env);
      assert.equal(broken.code, 2, broken.stderr);
      assert.match(broken.stderr, /in a record that cannot be read \(.*my-photos\.json is not JSON/);
    } finally {
      writeFileSync(record, saved);
    }
    const renamed = await runPipeline(at('status', ...MINE, '--set', 'finetune.epochs=3', '--name', 'my-photos-3'), env);
    assert.match(renamed.stdout, /experiment my-photos-3: /);
    assert.equal(existsSync(join(locks, 'my-photos-3.lock.json')), false);
    const bad = await runPipeline(at('gc', '-n', '--keep-experiment', 'nope'), env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--keep-experiment nope: no lock file or store record names that experiment \(known: my-photos, tiny\)/);
  });

  test('an experiment name that is not a safe file name is refused', async () => {
    const r = await runPipeline(at('status', ...TINY, '--name', '../../escape'), env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /The experiment name "\.\.\/\.\.\/escape" \(--name\) must be 1 to 64 letters/);
  });

  test('--force-name makes new settings the experiment: its lock file and record follow, and gc says what it no longer uses', async () => {
    const forced = await runPipeline(at('figures', ...MINE, '--set', 'analyses.barrier.points=3', '--force-name', '--json'), env);
    assert.equal(forced.code, 0, forced.stderr.slice(-2000));
    const built = json<BuildSummary>(forced.stdout)
      .outcomes.filter((o) => o.outcome === 'built')
      .map((o) => o.id);
    assert.ok(built.includes('barrier/real') && !built.some((id) => id.startsWith('finetune/')), built.join(' '));
    const record = json<{ settingsDigest: string }>(readFileSync(join(store, 'experiments', 'my-photos.json'), 'utf8'));
    assert.equal(json<{ experiment: { settings: string } }>(lockText('my-photos')).experiment.settings, record.settingsDigest);
    const dry = await runPipeline(at('gc', '-n'), env);
    assert.match(dry.stdout, /would remove \d+ entries \([^)]*\) experiment my-photos no longer uses\n(.*\n)*.*barrier\/real/);
    assert.equal(lockText('tiny'), tinyLockBefore, 'the other experiment is untouched');
  });
});
