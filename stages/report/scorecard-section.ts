// The report's scorecard section: verdicts with effect sizes and intervals, then the controls.
import { html, type SafeHtml } from '../../figures/escape.ts';
import type { ScorecardOutput } from '../scorecard/output.ts';

const CLASS: Record<string, string> = { held: 'held', 'did not hold': 'not', inconclusive: 'inc', 'not measured': 'na' };

export function scorecardHtml(card: ScorecardOutput): SafeHtml {
  const t = card.tally;
  const rows = card.claims.map((c) => {
    const kind = c.kind === 'sanity' ? 'sanity check (not counted)' : c.robust ? 'robust' : 'fragile';
    const cells = [
      ['verdict', c.verdict],
      ['kind', kind],
      ['where', c.figure],
      ['claim', c.claim],
      ['statistic', c.statistic],
      ['paper', c.paper],
      ['ours', c.ours],
    ];
    return html`<tr class="${CLASS[c.verdict]}">${cells.map(([l, v]) => html`<td data-label="${l}">${v}</td>`)}</tr>\n`;
  });
  const controls = card.controls.map((c) => {
    const passed = c.passed === null ? 'not measured' : c.passed ? 'passed' : 'FAILED';
    const measured = c.measurements.map((m) => `${m.text} (${m.verdict})`).join('; ');
    return html`<tr class="${c.passed === false ? 'not' : c.passed ? 'held' : 'na'}"><td>${passed}</td><td>${c.description}</td><td>${c.expectation}</td><td>${measured}</td></tr>\n`;
  });
  const failed = card.controlsFailed.length
    ? html`<p class="alarm"><b>Control failed: ${card.controlsFailed.join(', ')}.</b> The verdicts below are suspect until this is understood.</p>`
    : '';
  return html`<h2 id="scorecard">Scorecard: ${t.held} held, ${t.didNotHold} did not hold, ${t.inconclusive} inconclusive, ${t.notMeasured} not measured, of ${t.evidence} claims (robust: ${t.robustHeld} of ${t.robust} held)</h2>
${failed}<p><small>"ours" is the effect size: estimate [95% bootstrap interval]. held: the interval is on the claimed side of the threshold; did not hold: on the other side; inconclusive: it straddles the threshold. Sanity checks are true by construction and not counted.</small></p>
<div class="scroll"><table id="scorecard-table"><thead><tr><th>verdict</th><th>kind</th><th>where</th><th>claim</th><th>statistic</th><th>paper</th><th>ours</th></tr></thead><tbody>
${rows}</tbody></table></div>
<h3 id="controls">Controls</h3>
<div class="scroll"><table id="controls-table"><thead><tr><th>result</th><th>control</th><th>expectation</th><th>measured</th></tr></thead><tbody>
${controls}</tbody></table></div>`;
}
