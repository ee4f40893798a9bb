// What every command shares: the pipeline's definition, the runner config (read once, when a
// command first needs it), the exit code, and how options become a project, a DAG or a remote.
import { Option, type Command } from 'commander';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { defineExperiment } from '../experiment.ts';
import { Project } from '../project.ts';
import { openRemote } from '../remote/open-remote.ts';
import { RemoteSession } from '../remote/remote-session.ts';
import { openSigner } from '../remote/signing.ts';
import type { Reporter } from '../reporter.ts';
import { loadRunnerConfig, type RunnerConfig } from '../runner-config.ts';
import type { PipelineDefinition } from './definition.ts';

export interface CommonOpts {
  store?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  [k: string]: unknown;
}

export const warnOnStderr = (m: string): void => void process.stderr.write(`⚠ ${m}\n`);

export class CliContext {
  exitCode = 0;
  private runnerConfig: RunnerConfig | undefined;

  constructor(readonly def: PipelineDefinition) {}

  config(): RunnerConfig {
    this.runnerConfig ??= loadRunnerConfig(process.env.WT_CONFIG || join(this.def.root, 'what-transfers.config.json'));
    return this.runnerConfig;
  }

  storeDir(opts: CommonOpts): string {
    return resolve(opts.store || process.env.WT_STORE || join(this.def.root, 'artifacts', 'store'));
  }

  targetsOr(targets: string[]): string[] {
    return targets.length ? targets : this.def.defaultTargets;
  }

  async experimentFor(opts: CommonOpts) {
    const e = await this.def.createExperiment(opts);
    const dag = e.dag.finalize();
    const overrides = (opts.override as string[] | undefined) ?? [];
    for (const o of overrides) dag.override(o);
    // --override changes what the lock file records, so it is part of the experiment's settings
    const settings = overrides.length ? { settings: e.settings ?? null, overrides } : (e.settings ?? null);
    return {
      dag,
      experiment: defineExperiment(e.name, settings, e.nameFrom ?? 'the experiment name', !!e.definedByProject && !overrides.length),
    };
  }

  async open(opts: CommonOpts): Promise<Project> {
    const { dag, experiment } = await this.experimentFor(opts);
    return new Project({
      dag,
      root: this.def.root,
      storeDir: this.storeDir(opts),
      lockFile: join(this.def.lockFilesDir, `${experiment.name}.lock.json`),
      experiment,
      codeExclude: this.def.codeExclude ?? [],
    });
  }

  /** The remote named by --remote (or, unless `explicitOnly`, the config's default), or none. */
  sessionFor(
    project: Project,
    opts: CommonOpts,
    reporter: Pick<Reporter, 'warn'>,
    explicitOnly = false,
    signal?: AbortSignal,
  ): RemoteSession | undefined {
    const name = (opts.remote as string | undefined) ?? (explicitOnly ? undefined : this.config().defaultRemote);
    if (!name) return undefined;
    const rc = this.config().remotes[name];
    if (!rc)
      throw new UsageError(
        `No remote named "${name}" in what-transfers.config.json (remotes: ${Object.keys(this.config().remotes).join(', ') || 'none'}). See README, "CI and shared caches".`,
      );
    return new RemoteSession(openRemote(name, rc, this.def.root), project.store, {
      required: !!opts.remoteRequired,
      readOnly: !!opts.remoteReadOnly,
      warn: (m) => reporter.warn(m),
      signer: rc.signing ? openSigner(name, rc.signing, (p) => resolve(this.def.root, p)) : undefined,
      signal,
    });
  }
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/** The options every command that opens the project takes, the pipeline's own among them. */
export function withCommonOptions(cmd: Command, def: PipelineDefinition): Command {
  cmd
    .option('--store <dir>', 'the store folder (default: $WT_STORE or artifacts/store)')
    .option('--json', 'machine-readable output on stdout')
    .option('-q, --quiet', 'only errors and the final line')
    .option('-v, --verbose', "show stages' log lines and cached instances")
    .option(
      '--override <instance:key=value>',
      'change one param of one instance (or of every instance a pattern names): INSTANCE:key.path=value, e.g. train/small,seed=0:optimizer.lr=0.03 (`dag` lists the instances; repeatable)',
      collect,
    );
  for (const o of def.options ?? []) {
    const opt = new Option(o.flags, o.description);
    if (o.repeatable) opt.argParser(collect);
    if (o.defaultValue !== undefined) opt.default(o.defaultValue);
    cmd.addOption(opt);
  }
  return cmd.exitOverride();
}

export function withRemoteOptions(cmd: Command): Command {
  return cmd
    .option('--remote <name>', 'a remote cache from what-transfers.config.json: pull what it has, push what is built')
    .option('--remote-required', 'fail when the remote cannot be used (default: warn and carry on locally)')
    .option('--remote-read-only', 'pull, never push (developer machines)');
}

export function parsePositiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`"${v}" is not a whole number`);
  return n;
}

export { collect as collectRepeated };
