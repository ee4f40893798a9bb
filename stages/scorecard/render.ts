// scorecard.md: the verdicts with their effect sizes and 95% intervals, then the controls.
import type { ClaimResult } from './claim.ts';
import type { ControlResult } from './controls.ts';
import type { ScorecardOutput } from './output.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function scorecardMarkdown(card: ScorecardOutput): string {
  const t = card.tally;
  return [
    '# Scorecard',
    '',
    `Pre-training on ${card.source.domain}: ${(100 * card.source.finalTestAccuracy).toFixed(1)}% test accuracy after ${card.source.epochs} epochs.`,
    `Of ${t.evidence} claims counted as evidence: ${t.held} held, ${t.didNotHold} did not hold, ${t.inconclusive} inconclusive, ${t.notMeasured} not measured (robust ones: ${t.robustHeld} of ${t.robust} held). ${t.sanity} sanity check(s) shown apart, not counted.`,
    ...(card.controlsFailed.length
      ? ['', `**CONTROL FAILED: ${card.controlsFailed.join(', ')}.** The verdicts below are suspect until this is understood.`]
      : []),
    '',
    'Each verdict rests on the effect in "ours": estimate [95% bootstrap interval]. An interval that straddles the threshold is inconclusive.',
    '',
    '| verdict | kind | where | claim | statistic and threshold | paper | ours |',
    '|---|---|---|---|---|---|---|',
    ...card.claims.map(claimRow),
    '',
    '## Controls',
    '',
    '| control | expectation | passed | measured |',
    '|---|---|---|---|',
    ...card.controls.map(controlRow),
    '',
  ].join('\n');
}

function claimRow(c: ClaimResult): string {
  const kind = c.kind === 'sanity' ? 'sanity check' : c.robust ? 'robust' : 'fragile';
  return `| ${c.verdict} | ${kind} | ${cell(c.figure)} | ${cell(c.claim)} | ${cell(c.statistic)} | ${cell(c.paper)} | ${cell(c.ours)} |`;
}

function controlRow(c: ControlResult): string {
  const passed = c.passed === null ? 'not measured' : c.passed ? 'yes' : '**NO**';
  return `| ${cell(c.description)} | ${c.expectation} | ${passed} | ${cell(c.measurements.map((m) => `${m.text} (${m.verdict})`).join('; '))} |`;
}
