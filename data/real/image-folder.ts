// ImageFolder loader: DomainNet / CheXpert images or any `root/<class>/*.{jpg,png,...}` tree.
//
// Which files form a split, in this order of preference:
//   1. DomainNet split files `<domain>_train.txt` / `<domain>_test.txt` (lines "<path> <label>",
//      path relative to the DomainNet base folder), found in `root` or its parent, or given;
//   2. split folders `root/train/<class>/…` and `root/test/<class>/…`;
//   3. otherwise a seeded split of all files (`testFraction`, NumPy RandomState(seed) permutation
//      of the sorted file list; the first ⌈fraction·n⌉ go to test).
// Each split is then subsampled like the paper's DomainNet loader: at most `maxPerSplit`
// images, `np.random.RandomState(2020).choice(n, max, replace=False)`.
// Labels follow the class-list file (one name per line) if given, else sorted folder names.
// Skipped, and counted in the provenance: files whose extension is not an image format, and
// folders not named in the class list. Errors: a class without images, an unreadable image
// (unless `skipUnreadable`), a split-file line whose file does not exist, a symlinked folder
// inside a class folder or one image reached by two paths (class-folder-walk.ts). Which files
// count as images, and are fingerprinted, is image-files.ts.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { Dataset } from '../dataset.ts';
import { IMAGENET_NORMALIZATION, normalizationForChannels } from '../normalization.ts';
import { NumpyRandomState } from '../random/numpy-mt19937.ts';
import { listClassFolder, SymlinkedFolderError } from './class-folder-walk.ts';
import { decodeImageFile } from './decode-image.ts';
import { IMAGE_EXTENSIONS, isImageName } from './image-files.ts';
import { PAPER_SUBSAMPLE_SEED, subsampleIndices } from './subsample.ts';

export { IMAGE_EXTENSIONS };

export interface ImageFolderOptions {
  /** the domain folder, e.g. /data/domainnet/clipart */
  root: string;
  split: 'train' | 'test';
  /** header domain name; default: the folder name */
  domain?: string;
  /** output side in pixels */
  size: number;
  channels?: 1 | 3;
  /** file with one class name per line: fixes the label order and selects the classes used */
  classListFile?: string;
  /** at most this many images per split (paper: 50,000) */
  maxPerSplit?: number;
  /** subsample seed (paper: 2020) */
  subsampleSeed?: number;
  /** explicit split file for this split (DomainNet format); default: auto-detected */
  splitFile?: string;
  /** fraction of images held out for test when the tree has no split information */
  testFraction?: number;
  /** skip images that fail to decode (recorded in provenance) instead of failing */
  skipUnreadable?: boolean;
  /** parallel decodes */
  concurrency?: number;
}

export interface ImageFolderPlan {
  domain: string;
  classes: string[];
  files: { path: string; label: number }[];
  layout: 'split-file' | 'split-folders' | 'seeded-split';
  splitFile?: string;
  totalBeforeSubsample: number;
  skippedNonImages: number;
  ignoredFolders: string[];
}

export class ImageFolderError extends Error {
  override name = 'ImageFolderError';
}

/** Finds the files of one split, their labels and the class list, without decoding anything. */
export function planImageFolder(options: ImageFolderOptions): ImageFolderPlan {
  const root = resolve(options.root);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new ImageFolderError(
      `ImageFolder root ${root} does not exist or is not a folder. Point "root" at a folder with one sub-folder of images per class.`,
    );
  }
  const domain = options.domain ?? basename(root);
  const splitFile = options.splitFile ?? findSplitFile(root, domain, options.split);
  const hasSplitFolders = !splitFile && isDir(join(root, 'train')) && isDir(join(root, 'test'));
  const classRoot = hasSplitFolders ? join(root, options.split) : root;
  const classDirs = listClassDirs(classRoot);
  const classes = options.classListFile ? readClassList(options.classListFile) : classDirs;
  if (classes.length === 0) {
    throw new ImageFolderError(`ImageFolder ${classRoot} has no class sub-folders. Expected ${classRoot}/<class>/<image files>.`);
  }
  const labelOf = new Map(classes.map((c, i) => [c, i]));
  const ignoredFolders = classDirs.filter((d) => !labelOf.has(d));

  let files: { path: string; label: number }[];
  let skippedNonImages = 0;
  let layout: ImageFolderPlan['layout'];
  if (splitFile) {
    layout = 'split-file';
    files = readSplitFile(splitFile, root, labelOf);
  } else {
    layout = hasSplitFolders ? 'split-folders' : 'seeded-split';
    const listed = listClassImages(classRoot, classes, options.classListFile);
    skippedNonImages = listed.skippedNonImages;
    const all = listed.images.map((f) => ({ path: f.path, label: labelOf.get(f.cls)! }));
    files =
      layout === 'seeded-split'
        ? seededSplit(all, options.split, options.testFraction ?? 0.2, options.subsampleSeed ?? PAPER_SUBSAMPLE_SEED)
        : all;
  }
  const keep = subsampleIndices(files.length, options.maxPerSplit, options.subsampleSeed ?? PAPER_SUBSAMPLE_SEED);
  return {
    domain,
    classes,
    files: Array.from(keep, (i) => files[i]!),
    layout,
    ...(splitFile ? { splitFile } : {}),
    totalBeforeSubsample: files.length,
    skippedNonImages,
    ignoredFolders,
  };
}

/** Plans, then decodes and resizes every image with sharp. */
export async function loadImageFolder(options: ImageFolderOptions): Promise<Dataset> {
  const plan = planImageFolder(options);
  const channels = options.channels ?? 3;
  const size = options.size;
  const per = size * size * channels;
  const decoded: (Uint8Array | null)[] = new Array(plan.files.length).fill(null);
  const unreadable: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < plan.files.length) {
      const i = next++;
      const file = plan.files[i]!.path;
      try {
        decoded[i] = await decodeImageFile(file, size, channels);
      } catch (err) {
        if (!options.skipUnreadable) {
          throw new ImageFolderError(
            `Cannot decode image ${file}: ${(err as Error).message}. Remove or replace the file, or set skipUnreadable to skip such files.`,
          );
        }
        unreadable.push(file);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  const kept = plan.files
    .map((f, i) => ({ f, px: decoded[i] }))
    .filter((e): e is { f: (typeof plan.files)[number]; px: Uint8Array } => e.px !== null);
  const images = new Uint8Array(kept.length * per);
  const labels = new Uint16Array(kept.length);
  kept.forEach((e, i) => {
    images.set(e.px, i * per);
    labels[i] = e.f.label;
  });
  return {
    header: {
      domain: plan.domain,
      split: options.split,
      classes: plan.classes,
      count: kept.length,
      height: size,
      width: size,
      channels,
      normalization: normalizationForChannels(IMAGENET_NORMALIZATION, channels),
      provenance: {
        loader: 'image-folder',
        root: resolve(options.root),
        layout: plan.layout,
        ...(plan.splitFile ? { splitFile: plan.splitFile } : {}),
        classListFile: options.classListFile ?? null,
        imagesInSplit: plan.totalBeforeSubsample,
        maxPerSplit: options.maxPerSplit ?? null,
        subsampleSeed: options.subsampleSeed ?? PAPER_SUBSAMPLE_SEED,
        skippedNonImages: plan.skippedNonImages,
        ignoredFolders: plan.ignoredFolders,
        skippedUnreadable: unreadable,
        transform: `resize shorter side to ${Math.max(size, Math.round((size * 256) / 224))}, centre crop ${size}`,
      },
    },
    images,
    labels,
  };
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** The images of every class folder, each image once: a file reached by two paths (through file symlinks) is an error. */
function listClassImages(classRoot: string, classes: readonly string[], classListFile: string | undefined) {
  const images: { path: string; cls: string }[] = [];
  const firstPath = new Map<string, string>();
  let skippedNonImages = 0;
  for (const cls of classes) {
    const dir = join(classRoot, cls);
    if (!isDir(dir))
      throw new ImageFolderError(
        `Class "${cls}" (from ${classListFile ?? 'the folder list'}) has no folder ${dir}. Fix the class list or add the folder.`,
      );
    const entries = listFolder(dir);
    const found = entries.filter((f) => isImageName(f.rel));
    skippedNonImages += entries.length - found.length;
    if (found.length === 0) {
      throw new ImageFolderError(
        `Class folder ${dir} contains no images (${entries.length} other files; extensions read: ${IMAGE_EXTENSIONS.join(', ')}, in any case). Remove the folder, leave it out of the class list, or add images.`,
      );
    }
    for (const f of found) {
      const path = join(dir, f.rel);
      const earlier = firstPath.get(f.real);
      if (earlier)
        throw new ImageFolderError(
          `ImageFolder ${classRoot}: ${path} and ${earlier} are the same image (${f.real}), reached through a symbolic link, so it would be read twice, perhaps under two labels. Remove one of the two.`,
        );
      firstPath.set(f.real, path);
      images.push({ path, cls });
    }
  }
  return { images, skippedNonImages };
}

function listFolder(dir: string) {
  try {
    return listClassFolder(dir);
  } catch (err) {
    if (err instanceof SymlinkedFolderError) throw new ImageFolderError(err.message);
    throw err;
  }
}

function listClassDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(codepointCompare);
}

function codepointCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function readClassList(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ImageFolderError(`Cannot read class-list file ${file}: ${(err as Error).message}`);
  }
  const names = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new ImageFolderError(`Class-list file ${file} names class "${n}" twice.`);
    seen.add(n);
  }
  if (names.length === 0) throw new ImageFolderError(`Class-list file ${file} names no classes (one class per line expected).`);
  return names;
}

function findSplitFile(root: string, domain: string, split: string): string | undefined {
  for (const dir of [root, dirname(root)]) {
    const f = join(dir, `${domain}_${split}.txt`);
    if (existsSync(f)) return f;
  }
  return undefined;
}

/** DomainNet lines: "clipart/aircraft_carrier/clipart_001_000018.jpg 0"; the class is the folder. */
function readSplitFile(file: string, root: string, labelOf: Map<string, number>): { path: string; label: number }[] {
  const base = dirname(file);
  const out: { path: string; label: number }[] = [];
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  lines.forEach((line, n) => {
    const t = line.trim();
    if (!t) return;
    const rel = t.split(/\s+/)[0]!;
    const candidates = [join(base, rel), join(dirname(root), rel), join(root, rel)];
    const path = candidates.find((c) => existsSync(c));
    if (!path)
      throw new ImageFolderError(
        `Split file ${file}, line ${n + 1}: image ${rel} not found (looked in ${[...new Set(candidates.map(dirname))].join(', ')}).`,
      );
    const parts = relative(root, path).split(sep);
    const cls = parts.length >= 2 ? parts[parts.length - 2]! : '';
    const label = labelOf.get(cls);
    if (label !== undefined) out.push({ path, label });
  });
  if (out.length === 0) throw new ImageFolderError(`Split file ${file} lists no image of the selected classes.`);
  return out;
}

function seededSplit<T>(all: T[], split: 'train' | 'test', testFraction: number, seed: number): T[] {
  if (!(testFraction > 0 && testFraction < 1)) throw new ImageFolderError(`testFraction must be in (0, 1), got ${testFraction}`);
  const perm = new NumpyRandomState(seed).permutation(all.length);
  const nTest = Math.ceil(all.length * testFraction);
  const chosen = split === 'test' ? perm.slice(0, nTest) : perm.slice(nTest);
  return Array.from(chosen)
    .sort((a, b) => a - b)
    .map((i) => all[i]!);
}
