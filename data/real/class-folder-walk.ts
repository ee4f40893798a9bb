// Lists the files of one ImageFolder class folder, following symbolic links the way a label can
// survive: a linked file is read (once), but a linked folder is refused, since it either leads
// back into the class folder (a loop, or a second path to the same images) or out of it (to
// images of another class or of no class, which would all get this folder's label).
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export class SymlinkedFolderError extends Error {
  override name = 'SymlinkedFolderError';
}

export interface ClassFolderFile {
  /** path relative to the class folder, `/`-separated */
  rel: string;
  /** the file's real path, to tell two paths to one image apart */
  real: string;
}

/** Every file under `dir` (dot files and folders left out), sorted by relative path. */
export function listClassFolder(dir: string): ClassFolderFile[] {
  const top = realpathSync(dir);
  const files: ClassFolderFile[] = [];
  const walk = (abs: string, rel: string) => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const path = join(abs, e.name);
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      const target = e.isSymbolicLink() ? statOrUndefined(path) : e;
      if (!target) continue; // a dangling link: nothing to read
      if (target.isDirectory() && e.isSymbolicLink()) throw symlinkedFolder(dir, relPath, top, realpathSync(path));
      if (target.isDirectory()) walk(path, relPath);
      else if (target.isFile()) files.push({ rel: relPath, real: e.isSymbolicLink() ? realpathSync(path) : join(top, relPath) });
    }
  };
  walk(top, '');
  return files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function symlinkedFolder(dir: string, rel: string, top: string, real: string): SymlinkedFolderError {
  const where =
    real === top || real.startsWith(`${top}/`)
      ? 'back into the class folder itself (a symlink loop, or a second path to the same images)'
      : 'out of the class folder';
  return new SymlinkedFolderError(
    `ImageFolder class folder ${dir} contains ${rel}, a symbolic link to the folder ${real}, which leads ${where}. ` +
      `Following it would read images more than once, or give images of another folder this class's label, so it is not followed. ` +
      `Replace the link with the images themselves (links to single image files are fine), or make the linked folder a class folder of its own.`,
  );
}
