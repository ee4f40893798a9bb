// The experiments of a checkout and of a store: the lock files in the locks folder, and the
// store's record of each experiment built into it (experiment-registry.ts).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from './errors.ts';
import { recordExperiment } from './experiment-registry.ts';
import type { Project } from './project.ts';

export function lockFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.lock.json'))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** The store's record follows the lock file: called under the lock file's mutex with what it now references. */
export function recordFollowingLock(
  project: Project,
  force: boolean,
  warn: (message: string) => void,
): ((fingerprints: string[]) => Promise<void>) | undefined {
  const experiment = project.experiment;
  if (!experiment) return undefined;
  return async (fingerprints) => {
    try {
      await recordExperiment(project.store, {
        experiment,
        lockFile: project.lock.path,
        fingerprints,
        force: force || !!experiment.definedByProject,
      });
    } catch (err) {
      warn(
        `Could not record experiment "${experiment.name}" in the store (${errorMessage(err)}); its lock file ${project.lock.path} still keeps its results from gc in this checkout, but not from gc in another checkout sharing the store.`,
      );
    }
  };
}
