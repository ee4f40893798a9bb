// What `status` and `gc` print for a person (--json prints the objects themselves).
import type { GcReport } from './gc.ts';
import { printable } from './printable.ts';
import { formatSeconds } from './progress-view.ts';
import type { InstanceStatus } from './status.ts';

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) [n, i] = [n / 1024, i + 1];
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export function formatStatus(list: readonly InstanceStatus[], experiment: string | undefined, quiet: boolean): string {
  const width = Math.min(60, Math.max(0, ...list.map((s) => s.id.length)));
  const lines: string[] = [];
  for (const s of list) {
    if (quiet && s.state === 'fresh') continue;
    const why = s.reasons.length ? `  ${s.reasons[0]}${s.reasons.length > 1 ? ` (+${s.reasons.length - 1} more; see \`why\`)` : ''}` : '';
    const took = s.lastTookSeconds !== undefined ? `  (last took ${formatSeconds(s.lastTookSeconds)})` : '';
    lines.push(`${s.state.padEnd(8)} ${s.id.padEnd(width)}${why}${took}`);
  }
  const n = (k: string) => list.filter((s) => s.state === k).length;
  const todo = list.filter((s) => s.state !== 'fresh');
  const known = todo.filter((s) => s.lastTookSeconds !== undefined);
  const work = known.length
    ? `; their last runs took ${formatSeconds(known.reduce((t, s) => t + s.lastTookSeconds!, 0))} of stage time${known.length < todo.length ? ` (${todo.length - known.length} never ran)` : ''}`
    : '';
  lines.push(
    `${experiment ? `experiment ${experiment}: ` : ''}${list.length} instances: ${n('fresh')} fresh, ${n('stale')} stale, ${n('missing')} missing${work}`,
  );
  return `${lines.join('\n')}\n`;
}

export function formatGcReport(report: GcReport, dryRun: boolean, verbose: boolean): string {
  const lines: string[] = [];
  const width = Math.max(0, ...report.experiments.map((e) => e.name.length));
  for (const e of report.experiments)
    lines.push(
      `keep  ${e.name.padEnd(width)}  ${String(e.entries).padStart(5)} entries  ${formatBytes(e.bytes).padStart(10)}  (${printable(e.sources.join(', '))})`,
    );
  if (report.pinned) lines.push(`keep  ${report.pinned} entries a running build holds`);
  const verb = dryRun ? 'would remove' : 'removed';
  const byExperiment = new Map<string, GcReport['removed']>();
  for (const r of report.removed) {
    const key = r.experiment ?? '';
    byExperiment.set(key, [...(byExperiment.get(key) ?? []), r]);
  }
  for (const [name, list] of [...byExperiment].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const bytes = list.reduce((s, r) => s + r.bytes, 0);
    lines.push(
      `${verb} ${list.length} entries (${formatBytes(bytes)}) ${name ? `experiment ${name} no longer uses` : 'no recorded experiment uses'}`,
    );
    for (const r of verbose || list.length <= 20 ? list : list.slice(0, 20))
      lines.push(`    ${r.fingerprint.slice(0, 16)}  ${formatBytes(r.bytes).padStart(10)}  ${r.instanceId ?? '?'}`);
    if (!verbose && list.length > 20) lines.push(`    … and ${list.length - 20} more (-v lists all)`);
  }
  for (const d of report.debris) lines.push(`removed ${d}`);
  for (const f of report.forgottenLockFiles) lines.push(`forgot ${printable(f)} (the lock file is gone)`);
  lines.push(
    `${report.removed.length} entries ${dryRun ? 'would be ' : ''}removed (${formatBytes(report.freedBytes)}), ${report.kept} unreferenced kept, ` +
      `${report.referenced} referenced by experiments; store ${formatBytes(report.storeBytesAfter)} after.`,
  );
  return `${lines.join('\n')}\n`;
}
