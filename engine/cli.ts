// The command line: `npx tsx pipeline.ts [command] …`. The pipeline file supplies its DAG (and
// options such as --profile); everything else is generic.
//   exit 0 success · 1 a stage failed (or verify found corruption) · 2 bad usage/config/params · 130 interrupted
import { Command, CommanderError, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { Dag } from './dag.ts';
import { formatDag, type DagFormat } from './dag-format.ts';
import { errorMessage, UsageError } from './errors.ts';
import { LocalExecutor } from './executor-local.ts';
import type { Executor } from './executor.ts';
import { collectGarbage, parseSize, touchEntries } from './gc.ts';
import { defineExperiment } from './experiment.ts';
import { checkExperimentName } from './experiment-guard.ts';
import { lockFilesIn } from './experiment-store.ts';
import { formatBytes, formatGcReport, formatStatus } from './cli-format.ts';
import { Project } from './project.ts';
import { createProgressView, formatSeconds } from './progress-view.ts';
import type { BuildSummary, Reporter } from './reporter.ts';
import { build } from './scheduler.ts';
import { computeStatus } from './status.ts';
import { Store } from './store.ts';
import { verifyStore } from './verify.ts';
import { cacheKey } from './remote/cache-key.ts';
import { openRemote } from './remote/open-remote.ts';
import { RemoteSession } from './remote/remote-session.ts';
import { openSigner } from './remote/signing.ts';
import { stopOnSignal } from './interrupt.ts';
import { loadRunnerConfig, type RunnerConfig } from './runner-config.ts';
import { pullTargets, pushTargets } from './cache-commands.ts';

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
  locksDir: string;
  codeExclude?: string[];
  /** called after a build (not a dry run), e.g. to print where the report is */
  afterBuild?(summary: BuildSummary, project: Project, options: Record<string, unknown>): void;
}

interface CommonOpts {
  store?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  [k: string]: unknown;
}

export async function runCli(def: PipelineDefinition, argv = process.argv.slice(2)): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name(def.name)
    .description(def.description)
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const common = (cmd: Command) => {
    cmd
      .option('--store <dir>', 'the store folder (default: $WT_STORE or artifacts/store)')
      .option('--json', 'machine-readable output on stdout')
      .option('-q, --quiet', 'only errors and the final line')
      .option('-v, --verbose', "show stages' log lines and cached instances")
      .option(
        '--override <instance:key=value>',
        "change one param of one instance (or of every instance a pattern names), e.g. 'finetune/real,P-T,seed=0:train.lr=0.03' (repeatable)",
        (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
      );
    for (const o of def.options ?? []) {
      const opt = new Option(o.flags, o.description);
      if (o.repeatable) opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
      if (o.defaultValue !== undefined) opt.default(o.defaultValue);
      cmd.addOption(opt);
    }
    return cmd.exitOverride();
  };

  let runnerConfig: RunnerConfig | undefined;
  const config = () => (runnerConfig ??= loadRunnerConfig(process.env.WT_CONFIG || join(def.root, 'what-transfers.config.json')));
  const remoteOptions = (cmd: Command) =>
    cmd
      .option('--remote <name>', 'a remote cache from what-transfers.config.json: pull what it has, push what is built')
      .option('--remote-required', 'fail when the remote cannot be used (default: warn and carry on locally)')
      .option('--remote-read-only', 'pull, never push (developer machines)');
  const sessionFor = (
    project: Project,
    opts: CommonOpts,
    reporter: Pick<Reporter, 'warn'>,
    explicitOnly = false,
    signal?: AbortSignal,
  ): RemoteSession | undefined => {
    const name = (opts.remote as string | undefined) ?? (explicitOnly ? undefined : config().defaultRemote);
    if (!name) return undefined;
    const rc = config().remotes[name];
    if (!rc)
      throw new UsageError(
        `No remote named "${name}" in what-transfers.config.json (remotes: ${Object.keys(config().remotes).join(', ') || 'none'}). See README, "CI and shared caches".`,
      );
    return new RemoteSession(openRemote(name, rc, def.root), project.store, {
      required: !!opts.remoteRequired,
      readOnly: !!opts.remoteReadOnly,
      warn: (m) => reporter.warn(m),
      signer: rc.signing ? openSigner(name, rc.signing, (p) => resolve(def.root, p)) : undefined,
      signal,
    });
  };

  const experimentFor = async (opts: CommonOpts) => {
    const e = await def.createExperiment(opts);
    const dag = e.dag.finalize();
    for (const o of (opts.override as string[] | undefined) ?? []) dag.override(o);
    // --override changes what the lock file records, so it is part of the experiment's settings
    const overrides = (opts.override as string[] | undefined) ?? [];
    const settings = overrides.length ? { settings: e.settings ?? null, overrides } : (e.settings ?? null);
    return {
      dag,
      experiment: defineExperiment(e.name, settings, e.nameFrom ?? 'the experiment name', !!e.definedByProject && !overrides.length),
    };
  };
  const dagFor = async (opts: CommonOpts) => (await experimentFor(opts)).dag;
  const open = async (opts: CommonOpts) => {
    const { dag, experiment } = await experimentFor(opts);
    return new Project({
      dag,
      root: def.root,
      storeDir: resolveStore(def, opts),
      lockFile: join(def.locksDir, `${experiment.name}.lock.json`),
      experiment,
      codeExclude: def.codeExclude ?? [],
    });
  };

  remoteOptions(
    common(
      program
        .command('build [targets...]', { isDefault: true })
        .description(`build targets and what they need (default: ${def.defaultTargets.join(' ')})`),
    ),
  )
    .option(
      '-j, --jobs <n>',
      'cores the running stages may use (default: all of them); a stage running N threads counts N',
      parsePositiveInt,
    )
    .option('--force [targets...]', 'rebuild: everything the targets need, or just the named instances/stages/groups')
    .option('-n, --dry-run', 'show what would run, and why, without running it')
    .option('-k, --keep-going', 'after a failure, still build everything that does not depend on it')
    .option('--force-name', 'build even though the experiment name is recorded with other settings (that experiment is replaced)')
    .addOption(
      new Option('--executor <kind>', "where stages run (default: the config file's executor, else local)").choices(['local', 'slurm']),
    )
    .action(
      async (
        targets: string[],
        opts: CommonOpts & {
          jobs?: number;
          force?: true | string[];
          dryRun?: boolean;
          keepGoing?: boolean;
          forceName?: boolean;
          executor?: 'local' | 'slurm';
        },
      ) => {
        const project = await open(opts);
        checkExperimentName(project, { force: !!opts.forceName, dryRun: !!opts.dryRun, warn: (m) => process.stderr.write(`⚠ ${m}\n`) });
        const kind = opts.executor ?? config().executor.kind;
        // --json keeps stdout for the summary; warnings and failures still go to stderr.
        const reporter: Reporter = await createProgressView({
          live: !opts.json,
          quiet: !!opts.quiet || !!opts.json,
          verbose: !!opts.verbose && !opts.json,
          slots: opts.jobs ?? availableParallelism(),
        });
        const executor: Executor =
          kind === 'slurm'
            ? new (await import('./executor-slurm.ts')).SlurmExecutor(
                config().executor.kind === 'slurm'
                  ? (config().executor as Extract<RunnerConfig['executor'], { kind: 'slurm' }>)
                  : { kind: 'slurm', extraArgs: [], resources: {}, pollSeconds: 5 },
                project.store.root,
                (m) => reporter.warn(m),
                opts.jobs,
              )
            : new LocalExecutor(opts.jobs ?? availableParallelism());
        const controller = new AbortController();
        let signals = 0;
        const onSignal = (sig: NodeJS.Signals) => {
          if (++signals === 1) {
            reporter.warn(`${sig}: stopping. Running stages get a moment to checkpoint; send it again to kill them.`);
            controller.abort();
          } else {
            executor.interrupt(true);
            if (signals >= 3) process.exit(130);
          }
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          const summary = await build(project, {
            targets: targets.length ? targets : def.defaultTargets,
            force: opts.force,
            forceName: !!opts.forceName,
            dryRun: opts.dryRun,
            keepGoing: opts.keepGoing,
            executor,
            reporter,
            signal: controller.signal,
            remote: sessionFor(project, opts, reporter, false, controller.signal),
          });
          touchEntries(
            project.store,
            summary.outcomes.flatMap((o) => (o.fingerprint && (o.outcome === 'cached' || o.outcome === 'built') ? [o.fingerprint] : [])),
          );
          if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 1)}\n`);
          if (!opts.dryRun) def.afterBuild?.(summary, project, opts);
          exitCode = summary.exitCode;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      },
    );

  remoteOptions(common(program.command('status [targets...]').description('fresh / stale / missing for each instance, and why'))).action(
    async (targets: string[], opts: CommonOpts) => {
      const project = await open(opts);
      const list = await computeStatus(
        project,
        targets.length ? targets : def.defaultTargets,
        sessionFor(project, opts, { warn: (m) => process.stderr.write(`⚠ ${m}\n`) }, true),
      );
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(list, null, 1)}\n`);
        return;
      }
      process.stdout.write(formatStatus(list, project.experiment?.name, !!opts.quiet));
      const locked = project.lock.experiment;
      if (locked && project.experiment && !project.experiment.definedByProject && locked.settings !== project.experiment.settingsDigest) {
        process.stderr.write(
          `⚠ ${project.lock.path} was made with other settings for experiment "${locked.name}": the reasons above compare against those; a build under this name is refused without --force-name (or pick another with --name).\n`,
        );
      }
    },
  );

  common(program.command('why <targets...>').description('every reason each named instance (and what it needs) is not fresh')).action(
    async (targets: string[], opts: CommonOpts) => {
      const project = await open(opts);
      const list = await computeStatus(project, targets);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(list, null, 1)}\n`);
        return;
      }
      for (const s of list) {
        process.stdout.write(`${s.id}: ${s.state}\n`);
        for (const r of s.reasons) process.stdout.write(`    ${r}\n`);
      }
    },
  );

  common(program.command('dag [targets...]').description('print the instance graph'))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'mermaid', 'dot']).default('text'))
    .action(async (targets: string[], opts: CommonOpts & { format: DagFormat }) => {
      const dag = await dagFor(opts);
      const nodes = targets.length ? dag.closure(targets) : dag.nodes();
      process.stdout.write(`${formatDag(nodes, opts.format)}\n`);
    });

  common(program.command('log <instance>').description("print the log of an instance's last run")).action(
    async (id: string, opts: CommonOpts) => {
      const project = await open(opts);
      const [status] = (await computeStatus(project, [id])).filter((s) => s.id === id);
      if (!status) throw new UsageError(`"${id}" is not one instance id; \`dag\` lists them.`);
      const lockedFp = project.lock.get(id)?.locked.fingerprint;
      const candidates: [string | undefined, string][] = [
        [status.state === 'fresh' ? status.fingerprint : undefined, ''],
        [status.fingerprint && join(project.store.failedDir, `${status.fingerprint}.log`), `(log of the last FAILED run of ${id})`],
        [lockedFp, `(log of the last successful run of ${id}, made with older inputs: ${status.reasons[0] ?? ''})`],
      ];
      const found = candidates
        .map(([p, note]): [string | undefined, string] => [p && !p.endsWith('.log') ? join(project.store.entryDir(p), 'log.txt') : p, note])
        .find((c): c is [string, string] => !!c[0] && existsSync(c[0]));
      if (!found)
        throw new UsageError(`No log for ${id}: it has not run with the current inputs, and the lock file records no earlier run.`);
      if (found[1] && !opts.quiet) process.stderr.write(`${found[1]}\n`);
      process.stdout.write(readFileSync(found[0], 'utf8'));
    },
  );

  common(program.command('gc').description("delete store entries no experiment references, and dead processes' debris"))
    .option('-n, --dry-run', 'only list what would be removed')
    .option('--keep <n>', 'also keep the N most recently used unreferenced entries', parsePositiveInt, 0)
    .option('--max-size <size>', 'remove unreferenced entries, least recently used first, only until the store fits (e.g. 20G)')
    .option(
      '--keep-experiment <name>',
      'also keep every entry experiment NAME has ever used, not only what it references now (repeatable)',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .action(async (opts: CommonOpts & { dryRun?: boolean; keep: number; maxSize?: string; keepExperiment?: string[] }) => {
      const store = new Store(resolveStore(def, opts)).init();
      const report = await stopOnSignal('gc', async () =>
        collectGarbage(store, {
          lockFiles: lockFilesIn(def.locksDir),
          keepExperiments: opts.keepExperiment ?? [],
          dryRun: !!opts.dryRun,
          keep: opts.keep,
          maxSizeBytes: opts.maxSize ? parseSize(opts.maxSize) : undefined,
        }),
      );
      if (opts.json) return void process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
      process.stdout.write(formatGcReport(report, !!opts.dryRun, !!opts.verbose));
    });

  common(program.command('verify').description('re-hash every store entry; quarantine corrupt ones (exit 1 if any)')).action(
    async (opts: CommonOpts) => {
      const store = new Store(resolveStore(def, opts)).init();
      const t0 = performance.now();
      const report = await stopOnSignal('verify', () => verifyStore(store));
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
      else {
        for (const c of report.corrupt)
          process.stdout.write(`CORRUPT ${c.fingerprint.slice(0, 16)} ${c.instanceId ?? ''}: ${c.problem} → quarantined\n`);
        process.stdout.write(
          `Checked ${report.entries} entries (${report.files} files, ${formatBytes(report.bytes)}) in ${formatSeconds((performance.now() - t0) / 1000)}: ` +
            `${report.corrupt.length ? `${report.corrupt.length} corrupt, quarantined; the next build recomputes them` : 'all intact'}.\n`,
        );
      }
      if (report.corrupt.length) exitCode = 1;
    },
  );

  const cache = program.command('cache').description('move entries to and from a remote cache (see README, "CI and shared caches")');
  for (const direction of ['push', 'pull'] as const) {
    remoteOptions(
      common(
        cache
          .command(`${direction} [targets...]`)
          .description(`${direction} every entry the targets need (default: ${def.defaultTargets.join(' ')})`),
      ),
    ).action(async (targets: string[], opts: CommonOpts) => {
      const project = await open(opts);
      const warn = (m: string) => process.stderr.write(`⚠ ${m}\n`);
      const session = sessionFor(project, opts, { warn });
      if (!session) throw new UsageError(`cache ${direction} needs --remote NAME (or defaultRemote in what-transfers.config.json).`);
      if (direction === 'push' && (session.remote.readOnly || opts.remoteReadOnly))
        throw new UsageError(`Remote "${session.remote.name}" is read-only here.`);
      const t = targets.length ? targets : def.defaultTargets;
      const r = await stopOnSignal(`cache ${direction}`, () =>
        direction === 'push' ? pushTargets(project, session, t, !!opts.quiet) : pullTargets(project, session, t, !!opts.quiet),
      );
      if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 1)}\n`);
      else
        process.stdout.write(
          `${direction === 'push' ? 'Pushed' : 'Pulled'} ${r.transferred} entries (${formatBytes(r.bytes)}) ${direction === 'push' ? 'to' : 'from'} ${session.remote.where}; ` +
            `${r.local} ${direction === 'push' ? 'local' : 'already local'}; ${r.unavailable.length} ${direction === 'push' ? 'not built here' : 'not on the remote'}${r.unavailable.length ? ` (${r.unavailable.slice(0, 3).join(', ')}${r.unavailable.length > 3 ? ', …' : ''})` : ''}.\n`,
        );
      if (session.stats.refused.length || (direction === 'pull' && !session.available)) exitCode = 1;
    });
  }
  common(
    program
      .command('cache-key [targets...]')
      .description('a digest of everything the targets depend on, stable across machines (e.g. for actions/cache)'),
  ).action(async (targets: string[], opts: CommonOpts) => {
    const project = await open(opts);
    process.stdout.write(`${await cacheKey(project, targets.length ? targets : def.defaultTargets)}\n`);
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : errorMessage(err)}\n`);
    return 1;
  }
}

function resolveStore(def: PipelineDefinition, opts: CommonOpts): string {
  return resolve(opts.store || process.env.WT_STORE || join(def.root, 'artifacts', 'store'));
}

function parsePositiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`"${v}" is not a whole number`);
  return n;
}

export { formatBytes } from './cli-format.ts';
