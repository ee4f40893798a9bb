// `build [targets…]` (the default command): build what the targets need, locally or on Slurm,
// with a remote cache, stopping cleanly on the first Ctrl-C and hard on the second.
import { Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { checkExperimentName } from '../experiment-guard.ts';
import { LocalExecutor } from '../executor-local.ts';
import type { Executor } from '../executor.ts';
import { touchEntries } from '../gc.ts';
import type { Project } from '../project.ts';
import { createProgressView } from '../progress-view.ts';
import type { Reporter } from '../reporter.ts';
import type { RunnerConfig } from '../runner-config.ts';
import { build } from '../scheduler.ts';
import { type CliContext, type CommonOpts, parsePositiveInt, warnOnStderr, withCommonOptions, withRemoteOptions } from './context.ts';

interface BuildOpts extends CommonOpts {
  jobs?: number;
  force?: true | string[];
  dryRun?: boolean;
  keepGoing?: boolean;
  forceName?: boolean;
  executor?: 'local' | 'slurm';
}

export function addBuildCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('build [targets...]', { isDefault: true })
    .description(`build targets and what they need (default: ${ctx.def.defaultTargets.join(' ')})`);
  withRemoteOptions(withCommonOptions(cmd, ctx.def))
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
    .action((targets: string[], opts: BuildOpts) => runBuild(ctx, targets, opts));
}

async function runBuild(ctx: CliContext, targets: string[], opts: BuildOpts): Promise<void> {
  const project = await ctx.open(opts);
  checkExperimentName(project, { force: !!opts.forceName, dryRun: !!opts.dryRun, warn: warnOnStderr });
  // --json keeps stdout for the summary; warnings and failures still go to stderr.
  const reporter: Reporter = await createProgressView({
    live: !opts.json,
    quiet: !!opts.quiet || !!opts.json,
    verbose: !!opts.verbose && !opts.json,
    slots: opts.jobs ?? availableParallelism(),
  });
  const executor = await executorFor(ctx, project, opts, reporter);
  const controller = new AbortController();
  const onSignal = stopOnSignals(reporter, executor, controller);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await build(project, {
      targets: ctx.targetsOr(targets),
      force: opts.force,
      forceName: !!opts.forceName,
      dryRun: opts.dryRun,
      keepGoing: opts.keepGoing,
      executor,
      reporter,
      signal: controller.signal,
      remote: ctx.sessionFor(project, opts, reporter, false, controller.signal),
    });
    touchEntries(
      project.store,
      summary.outcomes.flatMap((o) => (o.fingerprint && (o.outcome === 'cached' || o.outcome === 'built') ? [o.fingerprint] : [])),
    );
    if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 1)}\n`);
    if (!opts.dryRun) ctx.def.afterBuild?.(summary, project, opts);
    ctx.exitCode = summary.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function executorFor(ctx: CliContext, project: Project, opts: BuildOpts, reporter: Reporter): Promise<Executor> {
  const kind = opts.executor ?? ctx.config().executor.kind;
  if (kind !== 'slurm') return new LocalExecutor(opts.jobs ?? availableParallelism());
  const configured = ctx.config().executor;
  const slurm: Extract<RunnerConfig['executor'], { kind: 'slurm' }> =
    configured.kind === 'slurm' ? configured : { kind: 'slurm', extraArgs: [], resources: {}, pollSeconds: 5 };
  const { SlurmExecutor } = await import('../executor-slurm.ts');
  return new SlurmExecutor(slurm, project.store.root, (m) => reporter.warn(m), opts.jobs);
}

/** First signal: stop starting stages, let running ones checkpoint. Second: kill them. Third: exit. */
function stopOnSignals(reporter: Reporter, executor: Executor, controller: AbortController): (sig: NodeJS.Signals) => void {
  let signals = 0;
  return (sig) => {
    if (++signals === 1) {
      reporter.warn(`${sig}: stopping. Running stages get a moment to checkpoint; send it again to kill them.`);
      controller.abort();
    } else {
      executor.interrupt(true);
      if (signals >= 3) process.exit(130);
    }
  };
}
