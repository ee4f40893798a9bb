// The files of the report's folder besides index.html, copied from the entries the report reads:
// figures/<name>.svg and .png, tables/<name>.csv and .tex, scorecard.json and scorecard.md, and
// runs.csv. Each is a file a paper or a notebook can use without this tool.
import { readFileSync } from 'node:fs';
import type { Upstream } from '../../engine/stage.ts';
import type { ScorecardOutput } from '../scorecard/output.ts';
import { scorecardMarkdown } from './scorecard-markdown.ts';

type Entry = Pick<Upstream, 'id' | 'files' | 'file'>;
type Write = (name: string, data: string | Uint8Array) => void;

export const REPORT_FILES = {
  scorecardJson: 'scorecard.json',
  scorecardMarkdown: 'scorecard.md',
  runs: 'runs.csv',
  figure: (file: string) => `figures/${file}`,
  table: (file: string) => `tables/${file}`,
} as const;

/** Copies every figure's .svg and .png into figures/; two figure entries may not both have a file of one name. */
export function copyFigures(figures: readonly Entry[], write: Write): void {
  const from = new Map<string, string>();
  for (const fig of figures)
    for (const file of fig.files.filter((f) => /\.(svg|png)$/.test(f))) {
      const other = from.get(file);
      if (other)
        throw new Error(`${fig.id} and ${other} both have a figure named ${file}; the report's figures/ folder can hold only one.`);
      from.set(file, fig.id);
      write(REPORT_FILES.figure(file), readFileSync(fig.file(file)));
    }
}

export function copyTables(tables: Entry, write: Write): string[] {
  const files = tables.files.filter((f) => /\.(csv|tex)$/.test(f)).sort();
  for (const f of files) write(REPORT_FILES.table(f), readFileSync(tables.file(f)));
  return files;
}

export function writeScorecardAndRuns(scorecard: Entry, card: ScorecardOutput, runs: Entry, write: Write): void {
  write(REPORT_FILES.scorecardJson, readFileSync(scorecard.file('scorecard.json')));
  write(REPORT_FILES.scorecardMarkdown, scorecardMarkdown(card));
  write(REPORT_FILES.runs, readFileSync(runs.file('runs.csv')));
}
