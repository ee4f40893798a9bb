// scorecard.md: the scorecard as a Markdown table a paper draft or an issue can paste in. Cells
// come from the scorecard's text, so pipes and line breaks are escaped, and so are `<`, `>` and
// `&`: a Markdown viewer would otherwise render markup in a claim's text as HTML.
import type { ScorecardOutput } from '../scorecard/output.ts';

/** text a Markdown viewer shows as text: no markup it would render as HTML */
const text = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** a table cell: also no pipe, line break or Markdown emphasis, link or code mark */
const cell = (s: string) =>
  text(s)
    .replace(/[\\|*_`[\]]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, ' ');

function row(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

export function scorecardMarkdown(card: ScorecardOutput): string {
  const t = card.tally;
  const lines = [
    `# Scorecard: ${t.held} held, ${t.didNotHold} did not hold, ${t.inconclusive} inconclusive, ${t.notMeasured} not measured, of ${t.evidence} claims`,
    '',
    `Robust claims: ${t.robustHeld} of ${t.robust} held. Source: ${text(card.source.domain)}, ${(100 * card.source.finalTestAccuracy).toFixed(1)}% test accuracy after ${card.source.epochs} epochs.`,
    '',
  ];
  if (card.controlsFailed.length)
    lines.push(`**Control failed: ${text(card.controlsFailed.join(', '))}.** The verdicts are suspect until this is understood.`, '');
  lines.push(row(['verdict', 'kind', 'where', 'claim', 'statistic', 'paper', 'ours']), row(Array(7).fill('---')));
  for (const c of card.claims) {
    const kind = c.kind === 'sanity' ? 'sanity check (not counted)' : c.robust ? 'robust' : 'fragile';
    lines.push(row([c.verdict, kind, c.figure, c.claim, c.statistic, c.paper, c.ours]));
  }
  lines.push('', '## Controls', '', row(['result', 'control', 'expectation', 'measured']), row(Array(4).fill('---')));
  for (const c of card.controls) {
    const passed = c.passed === null ? 'not measured' : c.passed ? 'passed' : 'FAILED';
    lines.push(row([passed, c.description, c.expectation, c.measurements.map((m) => `${m.text} (${m.verdict})`).join('; ')]));
  }
  return `${lines.join('\n')}\n`;
}
