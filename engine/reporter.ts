// What the scheduler tells the person running it. Implementations: progress-view.ts (a live
// view on a terminal, plain lines elsewhere) and a silent one for --json / tests.
import type { ProgressUpdate } from './stage.ts';
import type { Fingerprint } from './digest.ts';

export type Outcome = 'built' | 'cached' | 'failed' | 'skipped' | 'would-run' | 'interrupted';

export interface InstanceOutcome {
  id: string;
  stage: string;
  outcome: Outcome;
  fingerprint?: Fingerprint | undefined;
  seconds?: number | undefined;
  /** why it ran (or would run) */
  reasons?: string[] | undefined;
  error?: string | undefined;
  logTail?: string[] | undefined;
  /** true when another process built it and this run reused the result */
  builtElsewhere?: boolean | undefined;
  /** found in the remote cache (pulled only if something needed its files) */
  fromRemote?: boolean | undefined;
}

export interface BuildSummary {
  exitCode: number;
  wallSeconds: number;
  interrupted: boolean;
  outcomes: InstanceOutcome[];
}

export interface Reporter {
  start(total: number): void;
  running(id: string, expectedSeconds: number | undefined): void;
  progress(id: string, update: ProgressUpdate): void;
  log(id: string, line: string): void;
  waiting(id: string, holder: string): void;
  resolved(outcome: InstanceOutcome): void;
  warn(message: string): void;
  finish(summary: BuildSummary): void;
}

export const silentReporter: Reporter = {
  start() {},
  running() {},
  progress() {},
  log() {},
  waiting() {},
  resolved() {},
  warn() {},
  finish() {},
};
