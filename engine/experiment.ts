// An experiment: a named set of settings. The name picks its lock file (locks/<name>.lock.json)
// and its published report, so two experiments never overwrite each other's. The settings digest
// is recorded with the name, so a second, different configuration cannot take the name over by
// accident (`--force-name` does it on purpose).
import { canonicalJson } from './canonical-json.ts';
import { sha256 } from './digest.ts';
import { UsageError } from './errors.ts';

declare const brand: unique symbol;
export type ExperimentName = string & { readonly [brand]: 'ExperimentName' };
export type SettingsDigest = string & { readonly [brand]: 'SettingsDigest' };

export interface Experiment {
  name: ExperimentName;
  /** every setting that defines the experiment (for this project: the resolved profile) */
  settings: unknown;
  settingsDigest: SettingsDigest;
  /** the settings come from the project's own code (a built-in profile used as is): a change is a new version, not another experiment */
  definedByProject?: boolean | undefined;
}

// The name becomes a file name in the lock folder, the store and the report folder.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function experimentNameProblem(name: string): string | undefined {
  if (!NAME.test(name)) return 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit';
  if (name.endsWith('.lock') || name.includes('..')) return 'must not end in ".lock" or contain ".."';
  return undefined;
}

/** `where` says which field or flag the name came from, for the error message. */
export function defineExperiment(name: string, settings: unknown, where: string, definedByProject = false): Experiment {
  const problem = experimentNameProblem(name);
  if (problem) throw new UsageError(`The experiment name ${JSON.stringify(name)} (${where}) ${problem}. Choose another with --name NAME.`);
  return { name: name as ExperimentName, settings, settingsDigest: settingsDigestOf(settings), definedByProject };
}

export function settingsDigestOf(settings: unknown): SettingsDigest {
  return sha256(canonicalJson(settings)) as unknown as SettingsDigest;
}

/** An experiment with no settings of its own (library use, tests). */
export function experimentFromName(name: string): Experiment {
  return defineExperiment(name, null, 'the experiment name');
}
