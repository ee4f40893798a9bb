// `export <targets…> <dir>`: copy the current outputs of instances out of the store, pulling
// from the remote when the local store lacks them, with export.json saying what came from where.
import type { Command } from 'commander';
import { EntrySource } from '../entry-source.ts';
import { UsageError } from '../errors.ts';
import { exportEntries } from '../export-entries.ts';
import { type CliContext, type CommonOpts, warnOnStderr, withCommonOptions, withRemoteOptions } from './context.ts';

export function addExportCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('export <targetsAndFolder...>')
    .description('copy the outputs of instances out of the store into a folder, with export.json saying where each came from')
    .option('--force', 'write into a folder that is not empty (replacing what it holds of these instances)');
  withRemoteOptions(withCommonOptions(cmd, ctx.def)).action(async (words: string[], opts: CommonOpts) => {
    const dest = words.at(-1)!;
    const targets = words.slice(0, -1);
    if (!targets.length)
      throw new UsageError(`export needs targets and then a folder, e.g. \`export report ./paper-figures\`; got only "${dest}".`);
    const project = await ctx.open(opts);
    const source = new EntrySource(project.store, ctx.sessionFor(project, opts, { warn: warnOnStderr }));
    const manifest = await exportEntries(project, source, targets, dest, !!opts.force);
    if (opts.json) process.stdout.write(`${JSON.stringify(manifest, null, 1)}\n`);
    else {
      const pulled = manifest.entries.filter((e) => e.origin.from === 'remote').length;
      const files = manifest.entries.reduce((n, e) => n + e.files.length, 0);
      process.stdout.write(
        `Exported ${manifest.entries.length} instances (${files} files${pulled ? `; ${pulled} pulled from the remote` : ''}) to ${dest}; export.json lists them.\n`,
      );
    }
  });
}
