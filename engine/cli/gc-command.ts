// `gc`: delete the store entries no experiment references, and dead processes' debris; and
// `verify`: re-hash every entry and quarantine the corrupt ones.
import type { Command } from 'commander';
import { formatBytes, formatGcReport } from '../cli-format.ts';
import { lockFilesIn } from '../experiment-store.ts';
import { collectGarbage, parseSize } from '../gc.ts';
import { stopOnSignal } from '../interrupt.ts';
import { formatSeconds } from '../progress-view.ts';
import { Store } from '../store.ts';
import { verifyStore } from '../verify.ts';
import { type CliContext, type CommonOpts, collectRepeated, parsePositiveInt, withCommonOptions } from './context.ts';

interface GcOpts extends CommonOpts {
  dryRun?: boolean;
  keep: number;
  maxSize?: string;
  keepExperiment?: string[];
}

export function addGcCommand(program: Command, ctx: CliContext): void {
  withCommonOptions(program.command('gc').description("delete store entries no experiment references, and dead processes' debris"), ctx.def)
    .option('-n, --dry-run', 'only list what would be removed')
    .option('--keep <n>', 'also keep the N most recently used unreferenced entries', parsePositiveInt, 0)
    .option('--max-size <size>', 'remove unreferenced entries, least recently used first, only until the store fits (e.g. 20G)')
    .option(
      '--keep-experiment <name>',
      'also keep every entry experiment NAME has ever used, not only what it references now (repeatable)',
      collectRepeated,
    )
    .action(async (opts: GcOpts) => {
      const store = new Store(ctx.storeDir(opts)).init();
      const report = await stopOnSignal('gc', async () =>
        collectGarbage(store, {
          lockFiles: lockFilesIn(ctx.def.lockFilesDir),
          keepExperiments: opts.keepExperiment ?? [],
          dryRun: !!opts.dryRun,
          keep: opts.keep,
          maxSizeBytes: opts.maxSize ? parseSize(opts.maxSize) : undefined,
        }),
      );
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
      else process.stdout.write(formatGcReport(report, !!opts.dryRun, !!opts.verbose));
    });
}

export function addVerifyCommand(program: Command, ctx: CliContext): void {
  const cmd = program.command('verify').description('re-hash every store entry; quarantine corrupt ones (exit 1 if any)');
  withCommonOptions(cmd, ctx.def).action(async (opts: CommonOpts) => {
    const store = new Store(ctx.storeDir(opts)).init();
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
    if (report.corrupt.length) ctx.exitCode = 1;
  });
}
