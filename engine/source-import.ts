// Imports a module of the project's own source (a stage's .ts file) by URL. From source the
// TypeScript loader (tsx) is already there. The precompiled CLI (pipeline.mjs) runs without one,
// and as a vm script, which cannot call import() itself without an experimental vm option: it
// hands over its launcher's import(), and the first such import registers tsx. tsx must be
// registered before the import is tried: node never loads again a module that failed to load.
type Importer = (url: string) => Promise<unknown>;
let precompiledImport: Importer | undefined;
let registered: Promise<void> | undefined;

/**
 * Called by the precompiled CLI at start, with an import() that works where it runs, and whether
 * its launcher already registered tsx (it does to rebuild a stale bundle; twice would be too many).
 */
export function runningPrecompiled(importer: Importer, loaderRegistered = false): void {
  precompiledImport = importer;
  if (loaderRegistered) registered = Promise.resolve();
}

export async function importSource(url: string): Promise<Record<string, unknown>> {
  if (!precompiledImport) return (await import(url)) as Record<string, unknown>;
  const load = precompiledImport;
  registered ??= (load('tsx/esm/api') as Promise<{ register(): unknown }>).then(({ register }) => void register());
  await registered;
  return (await load(url)) as Record<string, unknown>;
}
