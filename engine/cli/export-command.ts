// `export <targets…> <dir>`: copy the current outputs of instances out of the store, pulling
// from the remote when the local store lacks them, with export.json saying what came from where.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { EntrySource } from '../entry-source.ts';
import { UsageError } from '../errors.ts';
import { exportEntries } from '../export-entries.ts';
import type { Project } from '../project.ts';
import { type CliContext, type CommonOpts, warnOnStderr, withCommonOptions, withRemoteOptions } from './context.ts';

export function addExportCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('export <targetsAndFolder...>')
    .description('copy the outputs of instances out of the store into a folder, with export.json saying where each came from')
    .option('--force', 'export into a folder that is not empty, replacing the instances an earlier export put there');
  withRemoteOptions(withCommonOptions(cmd, ctx.def)).action(async (words: string[], opts: CommonOpts) => {
    const dest = words.at(-1)!;
    const targets = words.slice(0, -1);
    if (!targets.length)
      throw new UsageError(`export needs targets and then a folder, e.g. \`export report ./paper-figures\`; got only "${dest}".`);
    const project = await ctx.open(opts);
    refuseTargetAsFolder(project, dest);
    const source = new EntrySource(project.store, ctx.sessionFor(project, opts, { warn: warnOnStderr }));
    const { manifest, exported } = await exportEntries(project, source, targets, dest, !!opts.force);
    if (opts.json) process.stdout.write(`${JSON.stringify(manifest, null, 1)}\n`);
    else {
      const pulled = exported.filter((e) => e.origin.from === 'remote').length;
      const files = exported.reduce((n, e) => n + e.files.length, 0);
      process.stdout.write(
        `Exported ${exported.length} instances (${files} files${pulled ? `; ${pulled} pulled from the remote` : ''}) to ${dest}; export.json lists them.\n`,
      );
    }
  });
}

/** `export tables finetune` most likely forgot the folder: a last word that is a target and no existing path is refused. */
function refuseTargetAsFolder(project: Project, dest: string): void {
  if (existsSync(dest) || dest.includes('/')) return;
  try {
    project.dag.select([dest]);
  } catch {
    return;
  }
  throw new UsageError(
    `The last word of export is the folder to export into, but "${dest}" is a target. Add the folder (e.g. \`./out\`), or write ./${dest} to export into a folder of that name.`,
  );
}
