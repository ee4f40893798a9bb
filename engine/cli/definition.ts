// What a pipeline file hands the CLI: its name, its options, and how those options become an
// experiment (a DAG, a name and the settings recorded under it).
import type { Dag } from '../dag.ts';
import type { Project } from '../project.ts';
import type { BuildSummary } from '../reporter.ts';
import type { HeadlineResults } from '../results-diff.ts';

export interface ExperimentDefinition {
  dag: Dag;
  name: string;
  /** what defines the experiment; a build under the same name with other settings is refused */
  settings?: unknown;
  /** where the name came from, for messages (e.g. '"name" in my-data.json') */
  nameFrom?: string;
  /** the settings are the project's own (e.g. a built-in profile, unchanged): editing them is a new version of the experiment, not a conflict */
  definedByProject?: boolean;
}

export interface PipelineOption {
  flags: string;
  description: string;
  defaultValue?: string;
  /** repeatable option collected into a list (e.g. --set a=1 --set b=2) */
  repeatable?: boolean;
}

export interface PipelineDefinition {
  /** how --help names the command, e.g. "npx tsx pipeline.ts" */
  name: string;
  description: string;
  /** folder with package.json; recorded paths are relative to it */
  root: string;
  defaultTargets: string[];
  options?: PipelineOption[];
  /** the DAG these options select, and the experiment name (and settings) it is recorded under */
  createExperiment(options: Record<string, unknown>): ExperimentDefinition | Promise<ExperimentDefinition>;
  /** the folder of lock files, one per experiment (<name>.lock.json); gc keeps what any of them references */
  lockFilesDir: string;
  codeExclude?: string[];
  /** what `diff` compares between two lock files' results */
  results?: HeadlineResults;
  /** called after a build (not a dry run), e.g. to print where the report is */
  afterBuild?(summary: BuildSummary, project: Project, options: Record<string, unknown>): void;
}
