// The build as a person watches it: on a terminal, a live block (counts, ETA, one line per
// running stage with its latest progress) under a scrolling list of what finished; elsewhere
// (CI, pipes) plain lines, with progress at most every PLAIN_PROGRESS_MS per stage.
import type { BuildSummary, InstanceOutcome, Reporter } from './reporter.ts';
import { fractionDone, runningRemaining, type RunningStage } from './eta.ts';

const PLAIN_PROGRESS_MS = 10_000;
const REDRAW_MS = 100;

export interface ViewOptions {
  live: boolean;
  quiet: boolean;
  verbose: boolean;
  slots: number;
  out?: NodeJS.WriteStream;
}

interface Running extends RunningStage {
  lastPrinted: number;
}

/** The live view loads its terminal code (log-update) only on a terminal, so a scripted no-op does not pay for it. */
export async function createProgressView(opts: ViewOptions): Promise<Reporter> {
  const out = opts.out ?? process.stderr;
  const live = opts.live && out.isTTY === true && !opts.quiet;
  const update = live ? (await import('log-update')).createLogUpdate(out) : undefined;
  const running = new Map<string, Running>();
  const counts = { total: 0, built: 0, cached: 0, failed: 0, skipped: 0, planned: 0, interrupted: 0 };
  let timer: NodeJS.Timeout | undefined;

  const println = (line: string) => {
    if (update) {
      update.clear();
      out.write(`${line}\n`);
      render();
    } else out.write(`${line}\n`);
  };
  const done = () => counts.built + counts.cached + counts.failed + counts.skipped + counts.planned + counts.interrupted;
  const render = () => {
    if (!update) return;
    const now = performance.now();
    const lines = [
      `${done()}/${counts.total} done (${counts.cached} cached, ${counts.built} built${counts.failed ? `, ${counts.failed} failed` : ''}) · ` +
        `${running.size} running${eta(now)}`,
    ];
    for (const [id, r] of running) {
      const secs = Math.round((now - r.since) / 1000);
      const f = fractionDone(r.update);
      const bar = f !== undefined ? ` ${progressBar(f)}` : '';
      lines.push(`  ▸ ${id}${bar} ${r.update?.message ?? ''} ${secs}s${r.expected ? `/~${Math.round(r.expected)}s` : ''}`);
    }
    update(lines.join('\n'));
  };
  // only the running stages: instances not started yet may come from the store, so "≥"
  const eta = (now: number) => {
    const remaining = runningRemaining(running.values(), now, opts.slots);
    return remaining !== undefined && remaining > 0 ? ` · ETA ≥ ${formatSeconds(remaining)}` : '';
  };

  return {
    start(total) {
      counts.total = total;
      if (update) timer = setInterval(render, REDRAW_MS);
    },
    running(id, expected) {
      running.set(id, { since: performance.now(), expected, lastPrinted: performance.now() });
      if (!live && !opts.quiet) out.write(`→ ${id}${expected && expected >= 1 ? ` (last took ${formatSeconds(expected)})` : ''}\n`);
    },
    progress(id, u) {
      const r = running.get(id);
      if (!r) return;
      r.update = { ...r.update, ...u };
      const f = fractionDone(r.update);
      if (f !== undefined && !r.firstCount) r.firstCount = { at: performance.now(), fraction: f };
      const now = performance.now();
      if (!live && !opts.quiet && now - r.lastPrinted > PLAIN_PROGRESS_MS) {
        r.lastPrinted = now;
        const frac = f !== undefined ? ` ${Math.round(100 * f)}%` : '';
        out.write(`  … ${id}${frac} ${r.update.message ?? ''}\n`);
      }
    },
    log(id, line) {
      if (opts.verbose) println(`  [${id}] ${line}`);
    },
    waiting(id, holder) {
      if (!opts.quiet) println(`⏸ ${id}: waiting for ${holder}, which is building it`);
    },
    resolved(o) {
      running.delete(o.id);
      if (o.outcome === 'would-run') counts.planned++;
      else counts[o.outcome]++;
      const line = describe(o, opts.verbose);
      if (line && (!opts.quiet || o.outcome === 'failed')) println(line);
    },
    warn(message) {
      println(`⚠ ${message}`);
    },
    finish(summary) {
      if (timer) clearInterval(timer);
      update?.clear();
      update?.done();
      if (!opts.quiet || summary.exitCode !== 0) out.write(`${summaryLine(summary)}\n`);
    },
  };
}

function describe(o: InstanceOutcome, verbose: boolean): string | undefined {
  const time = o.seconds !== undefined ? ` ${formatSeconds(o.seconds)}` : '';
  switch (o.outcome) {
    case 'built':
      return `✓ ${o.id}${time}${o.builtElsewhere ? ' (another process committed it first)' : ''}`;
    case 'cached':
      return verbose || o.builtElsewhere
        ? `· ${o.id} cached${o.builtElsewhere ? ' (built by another process)' : o.fromRemote ? ' (remote)' : ''}`
        : undefined;
    case 'would-run':
      return `○ ${o.id} would run: ${(o.reasons ?? []).join('; ')}`;
    case 'skipped':
      return `- ${o.id} skipped: ${o.error ?? ''}`;
    case 'interrupted':
      return `✗ ${o.id} interrupted${time}`;
    case 'failed': {
      const tail = o.logTail?.length ? `\n    ${o.logTail.slice(-15).join('\n    ')}` : '';
      return `✗ ${o.id} FAILED${time}: ${o.error ?? ''}${tail}`;
    }
  }
}

export function summaryLine(s: BuildSummary): string {
  const n = (k: InstanceOutcome['outcome']) => s.outcomes.filter((o) => o.outcome === k).length;
  const remote = s.outcomes.filter((o) => o.fromRemote).length;
  const parts = [`${n('built')} built`, `${n('cached')} cached${remote ? ` (${remote} from the remote cache)` : ''}`];
  if (n('would-run')) parts.push(`${n('would-run')} would run`);
  if (n('failed')) parts.push(`${n('failed')} failed`);
  if (n('skipped')) parts.push(`${n('skipped')} skipped`);
  if (n('interrupted')) parts.push(`${n('interrupted')} interrupted`);
  const head = s.interrupted ? 'Interrupted' : s.exitCode === 0 ? 'Done' : 'Failed';
  const stopped = s.interrupted
    ? `\nInterrupted: ${
        s.outcomes
          .filter((o) => o.outcome === 'interrupted')
          .map((o) => o.id)
          .join(', ') || 'nothing was running'
      }`
    : '';
  return `${head}: ${parts.join(', ')} in ${formatSeconds(s.wallSeconds)}.${stopped}`;
}

function progressBar(frac: number): string {
  const width = 12;
  const filled = Math.round(Math.min(1, Math.max(0, frac)) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

export function formatSeconds(s: number): string {
  if (s < 10) return `${s.toFixed(2)}s`;
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}
