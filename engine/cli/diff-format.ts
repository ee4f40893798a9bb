// The text `diff` prints: the verdicts side by side (changed verdicts first, then those whose
// effect size moved), the metrics with their deltas, and the entries that could not be read.
import type { ResultChange, ResultsDiff, ResultValue } from '../results-diff.ts';

/** 4 decimals, but a small non-zero value (a delta of 3e-5) is never shown as 0.0000 */
const number = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(1) : v !== 0 && Math.abs(v) < 5e-5 ? v.toExponential(1) : v.toFixed(4));
const shown = (v: ResultValue | null) => (v === null ? '—' : v.kind === 'metric' ? number(v.value) : v.value);
const signed = (d: number | null) => (d === null ? '' : `${d > 0 ? '+' : ''}${number(d)}`);

function columns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

function verdictLines(changes: ResultChange[], base: string, current: string): string[] {
  if (!changes.length) return [];
  const rows = [['', 'result', base, current]];
  for (const c of changes) rows.push([c.verdictChanged ? '*' : ' ', c.key, shown(c.base), shown(c.current)]);
  const details = changes.flatMap((c) => [
    `  ${c.key}:`,
    `      ${base}: ${c.base?.kind === 'verdict' ? (c.base.detail ?? '') : '—'}`,
    `      ${current}: ${c.current?.kind === 'verdict' ? (c.current.detail ?? '') : '—'}`,
  ]);
  return [
    'Scorecard (* the verdict changed; the others changed only their effect size):',
    ...columns(rows),
    '',
    'Effect sizes:',
    ...details,
    '',
  ];
}

function metricLines(changes: ResultChange[]): string[] {
  if (!changes.length) return [];
  const rows = [['instance', 'metric', 'base', 'current', 'Δ']];
  for (const c of changes) rows.push([c.instance, c.key, shown(c.base), shown(c.current), signed(c.delta)]);
  return ['Metrics:', ...columns(rows), ''];
}

export function formatResultsDiff(d: ResultsDiff): string {
  const verdicts = d.changes.filter((c) => c.kind === 'verdict');
  const metrics = d.changes.filter((c) => c.kind === 'metric');
  const lines = [`base: ${d.base}`, `current: ${d.current}`, ''];
  if (!d.changes.length && !d.unavailable.length)
    lines.push(`No result changed (${d.compared} instances with results have other outputs).`);
  else lines.push(`${d.changes.length} results changed, in ${d.compared} instances with results whose outputs differ.`, '');
  lines.push(...verdictLines(verdicts, 'base', 'current'), ...metricLines(metrics));
  if (d.unavailable.length) {
    lines.push('Not compared (an entry gc deleted, or built elsewhere, is not found; nothing is guessed):');
    for (const u of d.unavailable) lines.push(`  ${u.instance} (${u.side}, entry ${u.fingerprint.slice(0, 12)}): ${u.reason}`);
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
