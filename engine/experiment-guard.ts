// A build under a name that is already recorded with other settings is refused: it would rewrite
// that experiment's lock file and make its results garbage. The lock file (this checkout) and the
// store's record (every checkout sharing the store) are both checked; a record that cannot be read
// counts as another experiment's. A dry run only warns. Settings the project itself defines (a
// built-in profile used as is) are a new version of the same experiment, never a conflict.
import { UsageError } from './errors.ts';
import { readExperimentRecord, type ExperimentRecord } from './experiment-record.ts';
import { diffValues } from './explain.ts';
import { printable } from './printable.ts';
import type { Project } from './project.ts';

const MAX_FIELDS_SHOWN = 6;

export function checkExperimentName(project: Project, opts: { force: boolean; dryRun: boolean; warn: (m: string) => void }): void {
  const experiment = project.experiment;
  if (!experiment || opts.force || experiment.definedByProject) return;
  const conflict = findConflict(project);
  if (!conflict) return;
  const message =
    `Experiment "${experiment.name}" is already recorded ${conflict.where} with other settings${changes(conflict.settings, experiment.settings)}. ` +
    `A build under its name would replace its lock file, and gc could then delete its results. ` +
    `Give this run its own name (--name NEW, or "name" in the config file), or pass --force-name to make these settings the experiment "${experiment.name}" from now on.`;
  if (opts.dryRun) opts.warn(`${message} (A dry run writes nothing, so it goes on.)`);
  else throw new UsageError(message);
}

function findConflict(project: Project): { where: string; settings: unknown } | undefined {
  const experiment = project.experiment!;
  let record: ExperimentRecord | undefined;
  try {
    record = readExperimentRecord(project.store, experiment.name);
  } catch (err) {
    return { where: `in the store, in a record that cannot be read (${(err as Error).message})`, settings: undefined };
  }
  const known = record?.settingsDigest === project.lock.experiment?.settings ? record?.settings : undefined;
  if (project.lock.experiment && project.lock.experiment.settings !== experiment.settingsDigest)
    return { where: `in the lock file ${project.lock.path}`, settings: known };
  if (!record || record.settingsDigest === experiment.settingsDigest) return undefined;
  const last = [...record.checkouts].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))[0];
  const by = last ? ` (by ${JSON.stringify(last.lockFile)} on ${JSON.stringify(last.host)}, ${JSON.stringify(last.updatedAt)})` : '';
  return { where: `in the store ${project.store.root}${printable(by)}`, settings: record.settings };
}

function changes(before: unknown, after: unknown): string {
  if (before === undefined) return '';
  const diffs = diffValues(before, after, 'settings');
  if (!diffs.length) return '';
  const shown = diffs.slice(0, MAX_FIELDS_SHOWN).map(([path, a, b]) => printable(`${path.replace(/^settings\./, '')}: ${a} → ${b}`));
  return ` (${shown.join('; ')}${diffs.length > MAX_FIELDS_SHOWN ? `; and ${diffs.length - MAX_FIELDS_SHOWN} more` : ''})`;
}
