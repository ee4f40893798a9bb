// The experiments of a checkout and of a store: the lock files in the locks folder, and the
// store's record of each experiment built into it (experiment-registry.ts).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from './errors.ts';
import { recordExperiment } from './experiment-registry.ts';
import type { Project } from './project.ts';

export function lockFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.lock.json')).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** After a build: the store records what the experiment's lock file now references. */
export async function recordInStore(project: Project, warn: (message: string) => void): Promise<void> {
  if (!project.experiment) return;
  try {
    await recordExperiment(project.store, project.experiment, project.lock.path, project.lock.fingerprints());
  } catch (err) {
    warn(`Could not record experiment "${project.experiment.name}" in the store (${errorMessage(err)}); gc in another checkout sharing this store may not keep its results.`);
  }
}
