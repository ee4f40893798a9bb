// `log <instance>`: the log of the run that made the instance's current entry; else of its last
// failed run with the current inputs; else of the run the lock file records (older inputs).
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { computeStatus } from '../status.ts';
import { type CliContext, type CommonOpts, withCommonOptions } from './context.ts';

export function addLogCommand(program: Command, ctx: CliContext): void {
  const cmd = program.command('log <instance>').description("print the log of an instance's last run");
  withCommonOptions(cmd, ctx.def).action(async (id: string, opts: CommonOpts) => {
    const project = await ctx.open(opts);
    const [status] = (await computeStatus(project, [id])).filter((s) => s.id === id);
    if (!status) throw new UsageError(`"${id}" is not one instance id; \`dag\` lists them.`);
    const lockedFp = project.lock.get(id)?.locked.fingerprint;
    const { store } = project;
    const candidates: [string | undefined, string][] = [
      [status.state === 'fresh' && status.fingerprint ? store.files(status.fingerprint).log : undefined, ''],
      [status.fingerprint && join(store.failedDir, `${status.fingerprint}.log`), `(log of the last FAILED run of ${id})`],
      [
        lockedFp && store.files(lockedFp).log,
        `(log of the last successful run of ${id}, made with older inputs: ${status.reasons[0] ?? ''})`,
      ],
    ];
    const found = candidates.find((c): c is [string, string] => !!c[0] && existsSync(c[0]));
    if (!found) throw new UsageError(`No log for ${id}: it has not run with the current inputs, and the lock file records no earlier run.`);
    if (found[1] && !opts.quiet) process.stderr.write(`${found[1]}\n`);
    process.stdout.write(readFileSync(found[0], 'utf8'));
  });
}
