// A build under a name that is already recorded with other settings is refused: it would rewrite
// that experiment's lock file and make its results garbage. The lock file (this checkout) and the
// store's record (every checkout sharing the store) are both checked.
import { UsageError } from './errors.ts';
import { readExperimentRecord, type ExperimentRecord } from './experiment-registry.ts';
import { diffValues } from './explain.ts';
import type { Project } from './project.ts';

const MAX_FIELDS_SHOWN = 6;

export function checkExperimentName(project: Project, force: boolean): void {
  const experiment = project.experiment;
  if (!experiment || force) return;
  let record: ExperimentRecord | undefined;
  try {
    record = readExperimentRecord(project.store, experiment.name);
  } catch {
    record = undefined; // an unreadable record is replaced by this build's
  }
  const locked = project.lock.experiment;
  const where =
    locked && locked.settings !== experiment.settingsDigest
      ? `in the lock file ${project.lock.path}`
      : record && record.settingsDigest !== experiment.settingsDigest
        ? `in the store ${project.store.root} (by ${JSON.stringify(record.lockFile)} on ${JSON.stringify(record.host)}, ${JSON.stringify(record.updatedAt)})`
        : undefined;
  if (!where) return;
  const known = record && (!locked || locked.settings === record.settingsDigest) ? record.settings : undefined;
  throw new UsageError(
    `Experiment "${experiment.name}" is already recorded ${where} with other settings${changes(known, experiment.settings)}. ` +
      `A build under its name would replace its lock file, and gc could then delete its results. ` +
      `Give this run its own name (--name NEW, or "name" in the config file), or pass --force-name to make these settings the experiment "${experiment.name}" from now on.`,
  );
}

function changes(before: unknown, after: unknown): string {
  if (before === undefined) return '';
  const diffs = diffValues(before, after, 'settings');
  if (!diffs.length) return '';
  const shown = diffs.slice(0, MAX_FIELDS_SHOWN).map(([path, a, b]) => `${path.replace(/^settings\./, '')}: ${a} → ${b}`);
  return ` (${shown.join('; ')}${diffs.length > MAX_FIELDS_SHOWN ? `; and ${diffs.length - MAX_FIELDS_SHOWN} more` : ''})`;
}
