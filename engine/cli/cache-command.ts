// `cache push|pull [targets…]`: move every entry the targets need to or from a remote cache; and
// `cache-key [targets…]`: one digest of everything they depend on (e.g. for actions/cache).
import type { Command } from 'commander';
import { pullTargets, pushTargets } from '../cache-commands.ts';
import { formatBytes } from '../cli-format.ts';
import { UsageError } from '../errors.ts';
import { stopOnSignal } from '../interrupt.ts';
import { cacheKey } from '../remote/cache-key.ts';
import { type CliContext, type CommonOpts, warnOnStderr, withCommonOptions, withRemoteOptions } from './context.ts';

export function addCacheCommands(program: Command, ctx: CliContext): void {
  const cache = program.command('cache').description('move entries to and from a remote cache (see README, "CI and shared caches")');
  for (const direction of ['push', 'pull'] as const) {
    const cmd = cache
      .command(`${direction} [targets...]`)
      .description(`${direction} every entry the targets need (default: ${ctx.def.defaultTargets.join(' ')})`);
    withRemoteOptions(withCommonOptions(cmd, ctx.def)).action((targets: string[], opts: CommonOpts) =>
      transfer(ctx, direction, targets, opts),
    );
  }
  const key = program
    .command('cache-key [targets...]')
    .description('a digest of everything the targets depend on, stable across machines (e.g. for actions/cache)');
  withCommonOptions(key, ctx.def).action(async (targets: string[], opts: CommonOpts) => {
    process.stdout.write(`${await cacheKey(await ctx.open(opts), ctx.targetsOr(targets))}\n`);
  });
}

async function transfer(ctx: CliContext, direction: 'push' | 'pull', targets: string[], opts: CommonOpts): Promise<void> {
  const project = await ctx.open(opts);
  const session = ctx.sessionFor(project, opts, { warn: warnOnStderr });
  if (!session) throw new UsageError(`cache ${direction} needs --remote NAME (or defaultRemote in what-transfers.config.json).`);
  if (direction === 'push' && (session.remote.readOnly || opts.remoteReadOnly))
    throw new UsageError(`Remote "${session.remote.name}" is read-only here.`);
  const t = ctx.targetsOr(targets);
  const r = await stopOnSignal(`cache ${direction}`, () =>
    direction === 'push' ? pushTargets(project, session, t, !!opts.quiet) : pullTargets(project, session, t, !!opts.quiet),
  );
  if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 1)}\n`);
  else {
    const push = direction === 'push';
    const missing = r.unavailable.length ? ` (${r.unavailable.slice(0, 3).join(', ')}${r.unavailable.length > 3 ? ', …' : ''})` : '';
    process.stdout.write(
      `${push ? 'Pushed' : 'Pulled'} ${r.transferred} entries (${formatBytes(r.bytes)}) ${push ? 'to' : 'from'} ${session.remote.where}; ` +
        `${r.local} ${push ? 'local' : 'already local'}; ${r.unavailable.length} ${push ? 'not built here' : 'not on the remote'}${missing}.\n`,
    );
  }
  if (session.stats.refused.length || (direction === 'pull' && !session.available)) ctx.exitCode = 1;
}
