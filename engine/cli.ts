// The command line: `npx tsx pipeline.ts [command] …`. The pipeline file supplies its DAG (and
// options such as --profile); everything else is generic. One file per command in cli/.
//   exit 0 success · 1 a stage failed (or verify found corruption) · 2 bad usage/config/params · 130 interrupted
import { Command, CommanderError } from 'commander';
import { addBuildCommand } from './cli/build-command.ts';
import { addCacheCommands } from './cli/cache-command.ts';
import { CliContext } from './cli/context.ts';
import { addDagCommand } from './cli/dag-command.ts';
import { addDiffCommand } from './cli/diff-command.ts';
import { addExportCommand } from './cli/export-command.ts';
import type { PipelineDefinition } from './cli/definition.ts';
import { addGcCommand, addVerifyCommand } from './cli/gc-command.ts';
import { addLogCommand } from './cli/log-command.ts';
import { addStatusCommands } from './cli/status-command.ts';
import { errorMessage, UsageError } from './errors.ts';

export type { ExperimentDefinition, PipelineDefinition, PipelineOption } from './cli/definition.ts';

export async function runCli(def: PipelineDefinition, argv = process.argv.slice(2)): Promise<number> {
  const program = new Command()
    .name(def.name)
    .description(def.description)
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const ctx = new CliContext(def);
  const commands = [addBuildCommand, addStatusCommands, addDagCommand, addLogCommand, addGcCommand, addVerifyCommand, addCacheCommands];
  for (const add of [...commands, addExportCommand, addDiffCommand]) add(program, ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
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

export { formatBytes } from './cli-format.ts';
