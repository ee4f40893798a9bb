// One paper table as a grid of text cells, rendered to the report's HTML and to a LaTeX
// booktabs table (what a paper pastes in). Each cell is our estimate [interval] and the paper's
// value; control rows (not in the paper) come last, below a rule.
import { html, type SafeHtml } from '../../figures/escape.ts';

export interface GridColumn {
  label: string;
  note?: string;
}

export interface GridRow {
  label: string;
  note?: string;
  control?: boolean;
  cells: { ours: string; paper: string }[];
}

export interface Grid {
  caption: string;
  corner: string;
  columns: GridColumn[];
  rows: GridRow[];
}

export function gridHtml(g: Grid): SafeHtml {
  const head = g.columns.map((c) => (c.note ? html`<th>${c.label}<br><small>${c.note}</small></th>` : html`<th>${c.label}</th>`));
  const body = g.rows.map((r) => {
    const label = r.note ? html`<th>${r.label}<br><small>${r.note}</small></th>` : html`<th>${r.label}</th>`;
    const cells = r.cells.map((c) => html`<td>${c.ours} <small>(${c.paper})</small></td>`);
    return html`<tr${r.control ? html` class="control"` : ''}>${label}${cells}</tr>`;
  });
  return html`<table class="data"><caption>${g.caption}</caption><thead><tr><th>${g.corner}</th>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A booktabs table; each cell is "ours (paper)", column notes a second header row, row notes small under the label. Needs \usepackage{booktabs}. */
export function gridLatex(g: Grid): string {
  const lines = [
    '\\begin{table}[t]',
    '\\centering',
    `\\caption{${latexText(g.caption)}}`,
    `\\begin{tabular}{l${'l'.repeat(g.columns.length)}}`,
    '\\toprule',
    `${[g.corner, ...g.columns.map((c) => c.label)].map(latexText).join(' & ')} \\\\`,
    ...(g.columns.some((c) => c.note) ? [`${['', ...g.columns.map((c) => c.note ?? '')].map(small).join(' & ')} \\\\`] : []),
    '\\midrule',
  ];
  g.rows.forEach((r, i) => {
    if (r.control && !g.rows[i - 1]?.control && i > 0) lines.push('\\midrule');
    const label = r.note ? `${latexText(r.label)} ${small(r.note)}` : latexText(r.label);
    lines.push(`${[label, ...r.cells.map((c) => latexText(`${c.ours} (${c.paper})`))].join(' & ')} \\\\`);
  });
  lines.push('\\bottomrule', '\\end{tabular}', '\\end{table}');
  return `${lines.join('\n')}\n`;
}

const LATEX_SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '#': '\\#',
  '^': '\\textasciicircum{}',
  _: '\\_',
  '%': '\\%',
  '~': '\\textasciitilde{}',
  ℓ: '$\\ell$',
  '≈': '$\\approx$',
  '×': '$\\times$',
  '—': '---',
  '–': '--',
};

const small = (s: string) => (s ? `{\\footnotesize ${latexText(s)}}` : '');

/** Text as LaTeX sees it literally: its special characters escaped, the few symbols we print as math. */
export function latexText(s: string): string {
  return s.replace(/[\\{}$&#^_%~ℓ≈×—–]/g, (c) => LATEX_SPECIAL[c]!);
}
