// Which files the ImageFolder loader reads, in one place: the loader selects images with
// isImageName() and the dataset stage fingerprints them with imageFolderInputs(), so a file that
// is read is always a file whose edit reruns the dataset. Extensions match in any case (.Jpg, .TIF).
import { basename, dirname, resolve } from 'node:path';
import fg from 'fast-glob';

export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'tif', 'tiff', 'avif'] as const;

export function isImageName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && (IMAGE_EXTENSIONS as readonly string[]).includes(name.slice(dot + 1).toLowerCase());
}

/** `tif` → `[tT][iI][fF]`: the engine's glob matches case-sensitively */
const anyCase = (ext: string) => [...ext].map((c) => `[${c.toLowerCase()}${c.toUpperCase()}]`).join('');

/** every image under a folder, in the same sense as isImageName() (dot files and folders excluded, as the loader does) */
export const IMAGE_GLOB = `**/*.{${IMAGE_EXTENSIONS.map(anyCase).join(',')}}`;

export interface ImageFolderFiles {
  root: string;
  /** the domain name, which names the DomainNet split files `<domain>_<split>.txt` */
  domain: string;
  classListFile?: string;
}

/** The dataset stage's input sets for one ImageFolder domain: the images, the split files (in the root or its parent) and the class list. */
export function imageFolderInputs(spec: ImageFolderFiles): Record<string, { root: string; patterns: string[] }> {
  const splitFiles = ['train', 'test'].map((split) => fg.escapePath(`${spec.domain}_${split}.txt`));
  const sets: Record<string, { root: string; patterns: string[] }> = {
    images: { root: spec.root, patterns: [IMAGE_GLOB, ...splitFiles] },
    splitFiles: { root: dirname(resolve(spec.root)), patterns: splitFiles },
  };
  if (spec.classListFile) sets.classList = { root: dirname(spec.classListFile), patterns: [fg.escapePath(basename(spec.classListFile))] };
  return sets;
}
