// `diff [rev] | diff --experiment NAME`: what changed in the results between this checkout's lock
// file and the one a git revision recorded, or another experiment's: verdicts first, then the
// headline metrics with their deltas.
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EntrySource } from '../entry-source.ts';
import { UsageError } from '../errors.ts';
import { experimentNameProblem } from '../experiment.ts';
import { lockFileAtRevision } from '../lock-at-revision.ts';
import { parseLockFileText } from '../lock-file.ts';
import { diffResults, type DiffSide } from '../results-diff.ts';
import { type CliContext, type CommonOpts, warnOnStderr, withCommonOptions, withRemoteOptions } from './context.ts';
import { formatResultsDiff } from './diff-format.ts';

export function addDiffCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('diff [rev]')
    .description("what changed in the results since a git revision's lock file (default HEAD), or against another experiment")
    .option('--experiment <name>', "compare with this experiment's lock file instead of a git revision");
  withRemoteOptions(withCommonOptions(cmd, ctx.def)).action(async (rev: string | undefined, opts: CommonOpts) => {
    const results = ctx.def.results;
    if (!results) throw new UsageError(`${ctx.def.name} defines no results to compare.`);
    const project = await ctx.open(opts);
    const lockPath = project.lock.path;
    const shown = relative(process.cwd(), lockPath) || lockPath;
    if (!existsSync(lockPath)) throw new UsageError(`${shown} does not exist: build the experiment first, then diff its results.`);
    const current: DiffSide = { label: `this checkout (${shown})`, lock: parseLockFileText(readFileSync(lockPath, 'utf8'), shown) };
    const base = baseSide(ctx, opts.experiment as string | undefined, rev, lockPath, shown);
    const source = new EntrySource(project.store, ctx.sessionFor(project, opts, { warn: warnOnStderr }));
    const diff = await diffResults(base, current, results, source);
    process.stdout.write(opts.json ? `${JSON.stringify(diff, null, 1)}\n` : formatResultsDiff(diff));
  });
}

function baseSide(ctx: CliContext, experiment: string | undefined, rev: string | undefined, lockPath: string, shown: string): DiffSide {
  if (experiment !== undefined) {
    if (rev !== undefined) throw new UsageError('diff takes a git revision or --experiment NAME, not both.');
    const problem = experimentNameProblem(experiment);
    if (problem) throw new UsageError(`--experiment ${JSON.stringify(experiment)}: ${problem}`);
    const path = join(ctx.def.lockFilesDir, `${experiment}.lock.json`);
    if (!existsSync(path)) throw new UsageError(`No lock file for experiment "${experiment}" (${path}): build it first.`);
    return { label: `experiment ${experiment}`, lock: parseLockFileText(readFileSync(path, 'utf8'), path) };
  }
  const at = rev ?? 'HEAD';
  return { label: `${at} (${shown})`, lock: lockFileAtRevision(lockPath, at) };
}
