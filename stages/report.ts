// report: one self-contained HTML page (no network fetches; every picture inlined) with every
// figure and table, the scorecard, and for each figure the command that regenerates just it.
// Run metadata (wall time per stage, backend, fingerprints) is not an input of this stage — it
// changes on every run — so figures/publish-report.ts adds it to the published copy.
import { z } from 'zod';
import { escapeHtml } from '../figures/escape.ts';
import { scorecardHtml } from './report/scorecard-section.ts';
import { ScorecardOutput } from './scorecard/output.ts';
import { defineStage } from '../engine/stage.ts';
import { readFileSync } from 'node:fs';

const CAPTIONS: [RegExp, string][] = [
  [/^fig1-domains/, 'Figure 1 — the domains: the source ("natural" images, like ImageNet) and targets of decreasing similarity (real ≈ DomainNet real, clipart, quickdraw, xray ≈ CheXpert), and one target image block-shuffled at every block size used.'],
  [/^fig2-learning-curves/, 'Figure 2 — learning curves. P-T (from the pre-trained model) converges much faster than RI-T (random init) on every target.'],
  [/^fig3-block-shuffle/, 'Figure 3 — block shuffling. As blocks shrink, accuracy drops and the P-T advantage shrinks (feature reuse needs spatial structure), yet P-T still optimises faster: part of the benefit comes from low-level statistics.'],
  [/^fig-mistakes/, 'Mistakes — how many test images both models of a pair get wrong (common) and how many only one does (uncommon). Two P-T models make more similar mistakes than two RI-T models.'],
  [/^fig4-barrier/, 'Figure 4 — performance along the straight line between two final models. No barrier between P-T solutions (same basin); barriers between RI-T solutions and between RI-T and P-T. Dashed: two RI-T runs from the same init (appendix Fig. 16).'],
  [/^fig5-rewinding/, 'Figure 5 — rewinding one module to its value at the start of fine-tuning. P-T is robust to rewinding its lower modules; RI-T is not.'],
  [/^fig6-criticality/, 'Figure 6 — module criticality heat-maps (Chatterji et al.): train accuracy as the module moves from its initial to its final value (x) under Gaussian noise σ (y), on the direct and on the optimization path.'],
  [/^fig7-checkpoints/, 'Figure 7 — fine-tuning from earlier pre-training checkpoints: gains come early and plateau; the shaded area is the source model\'s own accuracy at that checkpoint.'],
  [/^fig-spectrum/, 'Appendix — spectrum of modules: singular values of every weight matrix of P, P-T and RI-T.'],
];

const MISTAKE_KINDS: [string, string][] = [
  ['pt-right-rit-wrong', 'P-T right, RI-T wrong'],
  ['pt-wrong-rit-right', 'P-T wrong, RI-T right (the paper found these mostly ambiguous)'],
  ['both-wrong', 'both wrong'],
];

export const report = defineStage(import.meta.url, {
  name: 'report',
  params: z.strictObject({ profile: z.string(), description: z.string(), settings: z.record(z.string(), z.unknown()) }),
  deps: { figures: 'many', tables: 'one', scorecard: 'one' },
  isolation: 'inline',
  run(ctx) {
    const card = ctx.deps.scorecard.json('scorecard.json', ScorecardOutput);
    const esc = escapeHtml;
    const cmd = (id: string) => `npx tsx pipeline.ts '${id}' --profile ${ctx.params.profile}`;
    const sections: string[] = [];
    const img = (fig: (typeof ctx.deps.figures)[number], file: string, alt: string) =>
      `<img src="data:image/png;base64,${readFileSync(fig.file(file)).toString('base64')}" alt="${esc(alt)}">`;
    for (const fig of ctx.deps.figures) {
      // Mistake examples: the three kinds side by side, one row per target.
      const grids = fig.files.filter((f) => /^mistakes-.*\.png$/.test(f));
      const domains = [...new Set(grids.map((f) => /^mistakes-(.*)-(pt-right-rit-wrong|pt-wrong-rit-right|both-wrong)\.png$/.exec(f)?.[1]).filter((d): d is string => !!d))];
      for (const file of fig.files.filter((f) => f.endsWith('.png') && !grids.includes(f)).sort()) {
        const caption = CAPTIONS.find(([re]) => re.test(file))?.[1] ?? file;
        const svgName = file.replace(/\.png$/, '.svg');
        sections.push(
          `<figure id="${esc(file.replace(/\.png$/, ''))}">${img(fig, file, caption)}` +
            `<figcaption>${esc(caption)}<br><span class="cmd">regenerate: <code>${esc(cmd(fig.id))}</code>${fig.files.includes(svgName) ? ` · vector: <code>${esc(svgName)}</code> in that entry` : ''}</span></figcaption></figure>`,
        );
      }
      for (const domain of domains) {
        const cells = MISTAKE_KINDS.filter(([k]) => fig.files.includes(`mistakes-${domain}-${k}.png`)).map(
          ([k, label]) => `<figure class="cell">${img(fig, `mistakes-${domain}-${k}.png`, `${domain}: ${label}`)}<figcaption>${esc(label)}</figcaption></figure>`,
        );
        sections.push(
          `<figure id="mistakes-${esc(domain)}"><div class="row">${cells.join('')}</div><figcaption>Test images of <b>${esc(domain)}</b> that P-T (seed 0) and RI-T (seed 1: never the same seed, so never the same data order) get right or wrong.` +
            `<br><span class="cmd">regenerate: <code>${esc(cmd(fig.id))}</code></span></figcaption></figure>`,
        );
      }
    }
    const tables = ctx.deps.tables;
    const settings = esc(JSON.stringify(ctx.params.settings, null, 1));
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>What is being transferred in transfer learning? — reproduction (${esc(ctx.params.profile)})</title>
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
<p>A reproduction of Neyshabur, Sedghi &amp; Zhang (NeurIPS 2020) by <b>what-transfers</b>, profile <b>${esc(ctx.params.profile)}</b>: ${esc(ctx.params.description)}.
Pre-training on <b>${esc(card.source.domain)}</b> reached ${(100 * card.source.finalTestAccuracy).toFixed(1)}% test accuracy in ${card.source.epochs} epochs.</p>
${scorecardHtml(card)}
<p><small>"robust" and "fragile" follow the spec's list of what should survive scaling down. Thresholds are part of each claim's text; nothing is tuned to pass.</small></p>
<h2 id="figures">Figures</h2>
${sections.join('\n')}
<h2 id="tables">Tables</h2>
<h3>Table 1 — CKA feature similarity</h3><div class="scroll">${readFileSync(tables.file('table1-cka.html'), 'utf8')}</div>
<h3>Table 2 — ℓ2 distance in parameter space</h3><div class="scroll">${readFileSync(tables.file('table2-distance.html'), 'utf8')}</div>
<p><small>regenerate: <code>${esc(cmd(tables.id))}</code> (CSV files beside the HTML in that entry)</small></p>
<h2 id="run">Run</h2>
<!--RUN-METADATA-->
<details><summary>Profile settings</summary><pre>${settings}</pre></details>
</body></html>
`;
    ctx.writeOutput('index.html', html);
  },
});
