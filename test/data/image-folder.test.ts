import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { ImageFolderError, loadImageFolder, planImageFolder } from '../../data/real/image-folder.ts';
import { SuiteConfigSchema } from '../../data/suite-config.ts';
import { FileHasher } from '../../engine/file-hasher.ts';
import { hashInputs } from '../../engine/fingerprint.ts';
import { dataset } from '../../stages/dataset.ts';
import { withTempDir } from './helpers.ts';

/** A solid-colour PNG whose red value encodes (class, index) so loaded pixels can be traced back. */
async function writePng(file: string, red: number, width = 20, height = 12): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: { r: red, g: 40, b: 200 } } })
    .png()
    .toFile(file);
}

async function makeTree(root: string, classes: Record<string, number>): Promise<void> {
  for (const [cls, n] of Object.entries(classes)) {
    mkdirSync(join(root, cls), { recursive: true });
    for (let i = 0; i < n; i++) await writePng(join(root, cls, `img_${i}.png`), 10 * Object.keys(classes).indexOf(cls) + i);
  }
}

test('loads a root/<class>/*.png tree: labels from sorted folders, resized, non-images skipped', () =>
  withTempDir(async (dir) => {
    const root = join(dir, 'painting');
    await makeTree(root, { zebra: 3, apple: 4, mango: 2 });
    writeFileSync(join(root, 'apple', 'notes.txt'), 'not an image');
    const train = await loadImageFolder({ root, split: 'train', size: 8, testFraction: 0.25 });
    const test_ = await loadImageFolder({ root, split: 'test', size: 8, testFraction: 0.25 });
    assert.deepEqual(train.header.classes, ['apple', 'mango', 'zebra']);
    assert.equal(train.header.domain, 'painting');
    assert.equal(train.header.count + test_.header.count, 9);
    assert.equal(test_.header.count, 3); // ceil(9 · 0.25)
    assert.equal(train.header.provenance.skippedNonImages, 1);
    assert.equal(train.header.height, 8);
    assert.equal(train.images.length, train.header.count * 8 * 8 * 3);
    // every pixel of an image is its solid colour; red identifies the class folder
    const redsByLabel = new Map<number, Set<number>>();
    for (let i = 0; i < train.header.count; i++) {
      const red = train.images[i * 192]!;
      assert.equal(train.images[i * 192 + 2], 200);
      const cls = train.header.classes[train.labels[i]!]!;
      const folderIndex = ['zebra', 'apple', 'mango'].indexOf(cls);
      assert.ok(red >= folderIndex * 10 && red < folderIndex * 10 + 5, `image of ${cls} has red ${red}`);
      redsByLabel.set(train.labels[i]!, (redsByLabel.get(train.labels[i]!) ?? new Set()).add(red));
    }
    const allReds = [...train.images.filter((_, k) => k % 3 === 0)];
    const testReds = new Set([...test_.images.filter((_, k) => k % 3 === 0)]);
    assert.ok(
      allReds.every((r) => !testReds.has(r)),
      'a file appears in both train and test',
    );
  }));

test('a class-list file fixes the label order and selects classes; gray output works', () =>
  withTempDir(async (dir) => {
    const root = join(dir, 'dom');
    await makeTree(root, { cat: 2, dog: 2, eel: 2 });
    const list = join(dir, 'classes.txt');
    writeFileSync(list, '# my order\ndog\ncat\n');
    const ds = await loadImageFolder({ root, split: 'train', size: 4, channels: 1, classListFile: list, testFraction: 0.5 });
    assert.deepEqual(ds.header.classes, ['dog', 'cat']);
    assert.deepEqual(ds.header.provenance.ignoredFolders, ['eel']);
    assert.equal(ds.header.channels, 1);
    assert.equal(ds.header.normalization.mean.length, 1);
    writeFileSync(list, 'dog\nfox\n');
    assert.throws(() => planImageFolder({ root, split: 'train', size: 4, classListFile: list }), /Class "fox".*has no folder/);
  }));

test('DomainNet split files and the paper subsample (at most N, RandomState(2020))', () =>
  withTempDir(async (dir) => {
    const base = join(dir, 'domainnet');
    const root = join(base, 'clipart');
    await makeTree(root, { axe: 6, bee: 6 });
    const lines = (_split: string, ids: number[]) =>
      `${ids.flatMap((i) => [`clipart/axe/img_${i}.png 0`, `clipart/bee/img_${i}.png 1`]).join('\n')}\n`;
    writeFileSync(join(base, 'clipart_train.txt'), lines('train', [0, 1, 2, 3]));
    writeFileSync(join(base, 'clipart_test.txt'), lines('test', [4, 5]));
    const plan = planImageFolder({ root, split: 'train', size: 8 });
    assert.equal(plan.layout, 'split-file');
    assert.equal(plan.files.length, 8);
    const sub = planImageFolder({ root, split: 'train', size: 8, maxPerSplit: 3 });
    // np.random.RandomState(2020).choice(8, 3, replace=False) == [6, 2, 1] (NumPy 2.4), in split-file line order
    assert.deepEqual(
      sub.files.map((f) => f.path),
      [6, 2, 1].map((i) => plan.files[i]!.path),
    );
    assert.equal(sub.totalBeforeSubsample, 8);
    assert.equal(new Set(sub.files.map((f) => f.path)).size, 3);
    const testPlan = planImageFolder({ root, split: 'test', size: 8 });
    assert.deepEqual(
      testPlan.files.map((f) => f.path.split('/').slice(-2).join('/')),
      ['axe/img_4.png', 'bee/img_4.png', 'axe/img_5.png', 'bee/img_5.png'],
    );
    writeFileSync(join(base, 'clipart_test.txt'), 'clipart/axe/missing.png 0\n');
    assert.throws(
      () => planImageFolder({ root, split: 'test', size: 8 }),
      /clipart_test\.txt, line 1: image clipart\/axe\/missing\.png not found/,
    );
  }));

test('root/train and root/test split folders are used when present', () =>
  withTempDir(async (dir) => {
    const root = join(dir, 'xray');
    await makeTree(join(root, 'train'), { a: 3, b: 3 });
    await makeTree(join(root, 'test'), { a: 1, b: 2 });
    const ds = await loadImageFolder({ root, split: 'test', size: 6 });
    assert.equal(ds.header.provenance.layout, 'split-folders');
    assert.equal(ds.header.count, 3);
    assert.deepEqual(Array.from(ds.labels).sort(), [0, 1, 1]);
  }));

test('empty class folders and unreadable images are clear errors (or documented skips)', () =>
  withTempDir(async (dir) => {
    const root = join(dir, 'broken');
    await makeTree(root, { ok: 2 });
    mkdirSync(join(root, 'empty'));
    writeFileSync(join(root, 'empty', 'readme.md'), 'x');
    assert.throws(() => planImageFolder({ root, split: 'train', size: 8 }), /Class folder .*empty contains no images \(1 other files/);

    const root2 = join(dir, 'corrupt');
    await makeTree(root2, { ok: 3 });
    writeFileSync(join(root2, 'ok', 'bad.png'), 'definitely not a PNG');
    await assert.rejects(
      loadImageFolder({ root: root2, split: 'train', size: 8, testFraction: 0.01 }),
      /Cannot decode image .*bad\.png.*skipUnreadable/s,
    );
    const skipped = await loadImageFolder({ root: root2, split: 'train', size: 8, testFraction: 0.01, skipUnreadable: true });
    assert.equal(skipped.header.count, 2);
    assert.deepEqual(
      (skipped.header.provenance.skippedUnreadable as string[]).map((f) => f.split('/').pop()),
      ['bad.png'],
    );

    assert.throws(() => planImageFolder({ root: join(dir, 'nowhere'), split: 'train', size: 8 }), /does not exist or is not a folder/);
  }));

test('.Jpg, .TIF and .PNG files are read and fingerprinted alike, so editing one changes the input digest', () =>
  withTempDir(async (dir) => {
    const root = join(dir, 'mixed');
    await makeTree(root, { a: 2, b: 2 });
    await sharp({ create: { width: 6, height: 6, channels: 3, background: { r: 90, g: 40, b: 200 } } })
      .jpeg()
      .toFile(join(root, 'a', 'photo.Jpg'));
    await sharp({ create: { width: 6, height: 6, channels: 3, background: { r: 91, g: 40, b: 200 } } })
      .tiff()
      .toFile(join(root, 'b', 'scan.TIF'));
    await writePng(join(root, 'b', 'upper.PNG'), 92);
    writeFileSync(join(root, 'b', 'notes.TXT'), 'not an image');
    const suite = SuiteConfigSchema.parse({ kind: 'image-folder', size: 8, source: { root }, targets: [{ root: join(dir, 'other') }] });
    const fingerprint = async () => {
      const { record, resolved } = await hashInputs('dataset', dataset.inputs!({ suite, domain: 'mixed' } as never), dir, new FileHasher());
      return { files: resolved.images!.files, digest: JSON.stringify(record) };
    };
    const plan = planImageFolder({ root, split: 'train', size: 8, testFraction: 0.2 });
    const all = [...plan.files, ...planImageFolder({ root, split: 'test', size: 8, testFraction: 0.2 }).files]
      .map((f) => relative(root, f.path))
      .sort();
    assert.deepEqual(all, ['a/img_0.png', 'a/img_1.png', 'a/photo.Jpg', 'b/img_0.png', 'b/img_1.png', 'b/scan.TIF', 'b/upper.PNG']);
    assert.equal(plan.skippedNonImages, 1);
    const before = await fingerprint();
    assert.deepEqual(before.files, all, 'the fingerprint lists exactly the files the loader reads');
    const loaded = await loadImageFolder({ root, split: 'train', size: 8, testFraction: 0.2 });
    assert.equal(loaded.header.count + (await loadImageFolder({ root, split: 'test', size: 8, testFraction: 0.2 })).header.count, 7);
    await sharp({ create: { width: 6, height: 6, channels: 3, background: { r: 200, g: 40, b: 200 } } })
      .tiff()
      .toFile(join(root, 'b', 'scan.TIF'));
    assert.notEqual((await fingerprint()).digest, before.digest, 'editing scan.TIF changes the input digest');
  }));

test('symbolic links: a linked folder (a loop, or another class) is a clear error; a second path to one image too', () =>
  withTempDir(async (dir) => {
    const root = join(dir, 'linked');
    await makeTree(root, { a: 2, b: 2 });
    symlinkSync('..', join(root, 'a', 'loop'));
    assert.throws(
      () => planImageFolder({ root, split: 'train', size: 8 }),
      (e: Error) =>
        e instanceof ImageFolderError &&
        e.message.includes(`class folder ${join(root, 'a')} contains loop, a symbolic link to the folder`) &&
        /out of the class folder.*Replace the link with the images themselves/s.test(e.message),
    );
    rmSync(join(root, 'a', 'loop'));
    mkdirSync(join(root, 'a', 'sub'));
    symlinkSync('..', join(root, 'a', 'sub', 'up'));
    assert.throws(
      () => planImageFolder({ root, split: 'train', size: 8 }),
      /contains sub\/up, a symbolic link to the folder .* back into the class folder itself \(a symlink loop/,
    );
    rmSync(join(root, 'a', 'sub'), { recursive: true });
    symlinkSync('../b', join(root, 'a', 'more'));
    assert.throws(
      () => planImageFolder({ root, split: 'train', size: 8 }),
      /contains more, a symbolic link to the folder .*\/b, which leads out of the class folder/,
    );
    rmSync(join(root, 'a', 'more'));
    symlinkSync('../b/img_0.png', join(root, 'a', 'copy.png'));
    assert.throws(
      () => planImageFolder({ root, split: 'train', size: 8 }),
      /b\/img_0\.png and .*a\/copy\.png are the same image|a\/copy\.png and .*b\/img_0\.png are the same image/,
    );
    rmSync(join(root, 'a', 'copy.png'));
    symlinkSync(join(dir, 'elsewhere.png'), join(root, 'a', 'dangling.png'));
    await writePng(join(dir, 'outside.png'), 7);
    symlinkSync(join(dir, 'outside.png'), join(root, 'a', 'linked.png'));
    const plan = planImageFolder({ root, split: 'train', size: 8, testFraction: 0.2 });
    const test_ = planImageFolder({ root, split: 'test', size: 8, testFraction: 0.2 });
    assert.equal(plan.files.length + test_.files.length, 5, 'a linked file is read once; a dangling link is skipped');
  }));
