// `status [targets…]`: fresh, stale or missing for each instance, with the first reason; and
// `why <targets…>`: every reason.
import type { Command } from 'commander';
import { formatStatus } from '../cli-format.ts';
import { computeStatus } from '../status.ts';
import { type CliContext, type CommonOpts, warnOnStderr, withCommonOptions, withRemoteOptions } from './context.ts';

export function addStatusCommands(program: Command, ctx: CliContext): void {
  const status = program.command('status [targets...]').description('fresh / stale / missing for each instance, and why');
  withRemoteOptions(withCommonOptions(status, ctx.def)).action(async (targets: string[], opts: CommonOpts) => {
    const project = await ctx.open(opts);
    const list = await computeStatus(project, ctx.targetsOr(targets), ctx.sessionFor(project, opts, { warn: warnOnStderr }, true));
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
  });

  const why = program.command('why <targets...>').description('every reason each named instance (and what it needs) is not fresh');
  withCommonOptions(why, ctx.def).action(async (targets: string[], opts: CommonOpts) => {
    const list = await computeStatus(await ctx.open(opts), targets);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(list, null, 1)}\n`);
      return;
    }
    for (const s of list) {
      process.stdout.write(`${s.id}: ${s.state}\n`);
      for (const r of s.reasons) process.stdout.write(`    ${r}\n`);
    }
  });
}
