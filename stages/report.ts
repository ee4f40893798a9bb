// report: a folder a researcher can take away: index.html (no network fetches; it shows the
// folder's own files, so it works opened from disk) with every figure and table, the scorecard,
// and for each figure the command that regenerates just it; beside it the figures as SVG and PNG,
// the tables as CSV and LaTeX, the scorecard as JSON and Markdown, and runs.csv (report-files.ts).
// Run metadata (wall time per stage, backend, fingerprints) is not an input of this stage — it
// changes on every run — so figures/publish-report.ts adds it to the published copy.
import { z } from 'zod';
import { html, fileHref, trustedHtml } from '../figures/escape.ts';
import { quoted } from '../figures/shell-word.ts';
import { RUN_METADATA, SELECTION } from './report/placeholders.ts';
import { figureSections, SuiteDescription } from './report/figure-sections.ts';
import { scorecardHtml } from './report/scorecard-section.ts';
import { tableFragment } from './report/table-fragment.ts';
import { copyFigures, copyTables, REPORT_FILES, writeScorecardAndRuns } from './report/report-files.ts';
import { ScorecardOutput } from './scorecard/output.ts';
import { defineStage } from '../engine/stage.ts';
import { readFileSync } from 'node:fs';

export const report = defineStage(import.meta.url, {
  name: 'report',
  params: z.strictObject({
    profile: z.string(),
    description: z.string(),
    suite: SuiteDescription,
    settings: z.record(z.string(), z.unknown()),
  }),
  deps: { figures: 'many', tables: 'one', scorecard: 'one', runs: 'one' },
  isolation: 'inline',
  run(ctx) {
    const card = ctx.deps.scorecard.json('scorecard.json', ScorecardOutput);
    copyFigures(ctx.deps.figures, ctx.writeOutput);
    const tableFiles = copyTables(ctx.deps.tables, ctx.writeOutput);
    writeScorecardAndRuns(ctx.deps.scorecard, card, ctx.deps.runs, ctx.writeOutput);
    const link = (file: string, text = file) => html`<a href="${fileHref(file)}">${text}</a>`;
    const cmd = (id: string) => `npx tsx pipeline.ts ${quoted(id)} ${SELECTION}`;
    const sections = figureSections(ctx.deps.figures, cmd, ctx.params.suite);
    const tables = ctx.deps.tables;
    const table = (file: string) => tableFragment(readFileSync(tables.file(file), 'utf8'), file);
    const settings = JSON.stringify(ctx.params.settings, null, 1);
    const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>What is being transferred in transfer learning? — reproduction (${ctx.params.profile})</title>
<style>
body{font-family:system-ui,-apple-system,"DejaVu Sans",Helvetica,Arial,sans-serif;margin:0 auto;max-width:1100px;padding:12px;line-height:1.45;color:#222}
h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
figure{margin:1.2em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.92em;color:#333}.cmd{color:#666;font-size:.9em}code{background:#f4f4f4;padding:0 .25em;word-break:break-all}
.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.88em;margin:.6em 0}td,th{border:1px solid #ddd;padding:.3em .45em;vertical-align:top;text-align:left}
caption{text-align:left;font-weight:bold;padding:.3em 0}tr.held td:first-child{background:#d9f0e3}tr.not td:first-child{background:#fbe3d6}tr.na td:first-child{background:#eee}tr.inc td:first-child{background:#fdf3c4}.alarm{background:#fbe3d6;padding:.5em;border:2px solid #c0392b}
small{color:#777}pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:.8em}
.row{display:flex;flex-wrap:wrap;gap:.8em}.row figure.cell{margin:0;flex:1 1 280px;max-width:360px}
@media (max-width:640px){#scorecard-table thead{display:none}#scorecard-table tr{display:block;border:1px solid #ddd;margin-bottom:.7em}
#scorecard-table td{display:block;border:none;border-bottom:1px solid #eee}#scorecard-table td::before{content:attr(data-label) ": ";font-weight:bold;color:#555}}
</style></head><body>
<h1>What is being transferred in transfer learning?</h1>
<p>A reproduction of Neyshabur, Sedghi &amp; Zhang (NeurIPS 2020) by <b>what-transfers</b>, profile <b>${ctx.params.profile}</b>: ${ctx.params.description}.
Pre-training on <b>${card.source.domain}</b> reached ${(100 * card.source.finalTestAccuracy).toFixed(1)}% test accuracy in ${card.source.epochs} epochs.</p>
<p>In this folder: the scorecard as ${link(REPORT_FILES.scorecardJson)} and ${link(REPORT_FILES.scorecardMarkdown)}; every training run's test and train accuracy per epoch as ${link(REPORT_FILES.runs)} (one row per run and epoch, for pandas, R or Vega); the figures as SVG and PNG in <code>figures/</code>; the tables as CSV and LaTeX (booktabs) in <code>tables/</code>.</p>
${scorecardHtml(card)}
<p><small>"robust" and "fragile" follow the spec's list of what should survive scaling down. Thresholds are part of each claim's text; nothing is tuned to pass.</small></p>
<h2 id="figures">Figures</h2>
${sections.map((s) => html`${s}\n`)}
<h2 id="tables">Tables</h2>
<h3>Table 1 — CKA feature similarity</h3><div class="scroll">${table('table1-cka.html')}</div>
<h3>Table 2 — ℓ2 distance in parameter space</h3><div class="scroll">${table('table2-distance.html')}</div>
<p><small>${tableFiles.map((f) => html`${link(REPORT_FILES.table(f), f)} `)}· regenerate: <code>${cmd(tables.id)}</code></small></p>
<h2 id="run">Run</h2>
${trustedHtml(RUN_METADATA, 'a fixed comment the publisher replaces')}
<details><summary>Profile settings</summary><pre>${settings}</pre></details>
</body></html>
`;
    ctx.writeOutput('index.html', page.toString());
  },
});
