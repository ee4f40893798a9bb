// `dag [targets…]`: the instance graph as text, Mermaid or Graphviz dot.
import { Option, type Command } from 'commander';
import { formatDag, type DagFormat } from '../dag-format.ts';
import { type CliContext, type CommonOpts, withCommonOptions } from './context.ts';

export function addDagCommand(program: Command, ctx: CliContext): void {
  withCommonOptions(program.command('dag [targets...]').description('print the instance graph'), ctx.def)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'mermaid', 'dot']).default('text'))
    .action(async (targets: string[], opts: CommonOpts & { format: DagFormat }) => {
      const { dag } = await ctx.experimentFor(opts);
      const nodes = targets.length ? dag.closure(targets) : dag.nodes();
      process.stdout.write(`${formatDag(nodes, opts.format)}\n`);
    });
}
