// The report's figures: each picture (a file of the report's figures/ folder) with its caption,
// its vector version and the command that regenerates it, and the mistake example grids side by
// side, one row per target.
import { z } from 'zod';
import type { Upstream } from '../../engine/stage.ts';
import { html, fileHref, type SafeHtml } from '../../figures/escape.ts';
import { REPORT_FILES } from './report-files.ts';

/** The suite's domains, for the captions: what each is comes from the suite, never from the embedded suite's names. */
export const SuiteDescription = z.strictObject({
  kind: z.string(),
  domains: z.array(z.strictObject({ name: z.string(), role: z.enum(['source', 'target']), like: z.string().optional() })),
});
export type SuiteDescription = z.infer<typeof SuiteDescription>;

function domainsCaption(suite: SuiteDescription): string {
  const describe = (d: SuiteDescription['domains'][number]) => (d.like ? `${d.name} (${d.like})` : d.name);
  const source = suite.domains
    .filter((d) => d.role === 'source')
    .map(describe)
    .join(', ');
  const targets = suite.domains
    .filter((d) => d.role === 'target')
    .map(describe)
    .join(', ');
  const order = suite.kind === 'embedded' ? ', in order of decreasing similarity to the source' : '';
  return `Figure 1 — the domains of this ${suite.kind} suite: the source, ${source}, and the targets${order}: ${targets}; and one target image block-shuffled at every block size used.`;
}

const CAPTIONS: [RegExp, string][] = [
  [
    /^fig2-learning-curves/,
    'Figure 2 — learning curves. P-T (from the pre-trained model) converges much faster than RI-T (random init) on every target.',
  ],
  [
    /^fig3-block-shuffle/,
    'Figure 3 — block shuffling. As blocks shrink, accuracy drops and the P-T advantage shrinks (feature reuse needs spatial structure), yet P-T still optimises faster: part of the benefit comes from low-level statistics.',
  ],
  [
    /^fig-mistakes/,
    'Mistakes — how many test images both models of a pair get wrong (common) and how many only one does (uncommon). Two P-T models make more similar mistakes than two RI-T models.',
  ],
  [
    /^fig4-barrier/,
    'Figure 4 — performance along the straight line between two final models. No barrier between P-T solutions (same basin); barriers between RI-T solutions and between RI-T and P-T. Dashed: two RI-T runs from the same init (appendix Fig. 16).',
  ],
  [
    /^fig5-rewinding/,
    'Figure 5 — rewinding one module to its value at the start of fine-tuning. P-T is robust to rewinding its lower modules; RI-T is not.',
  ],
  [
    /^fig6-criticality/,
    'Figure 6 — module criticality heat-maps (Chatterji et al.): train accuracy as the module moves from its initial to its final value (x) under Gaussian noise σ (y), on the direct and on the optimization path.',
  ],
  [
    /^fig7-checkpoints/,
    "Figure 7 — fine-tuning from earlier pre-training checkpoints: gains come early and plateau; the shaded area is the source model's own accuracy at that checkpoint.",
  ],
  [/^fig-spectrum/, 'Appendix — spectrum of modules: singular values of every weight matrix of P, P-T and RI-T.'],
];

const MISTAKE_KINDS: [string, string][] = [
  ['pt-right-rit-wrong', 'P-T right, RI-T wrong'],
  ['pt-wrong-rit-right', 'P-T wrong, RI-T right (the paper found these mostly ambiguous)'],
  ['both-wrong', 'both wrong'],
];
const MISTAKE_GRID = /^mistakes-(.*)-(pt-right-rit-wrong|pt-wrong-rit-right|both-wrong)\.png$/;

type Figure = Pick<Upstream, 'id' | 'files' | 'file'>;

/** Every figure of every figure entry; `command(id)` is the shell command that regenerates an entry. */
export function figureSections(figures: readonly Figure[], command: (id: string) => string, suite: SuiteDescription): SafeHtml[] {
  const captions: [RegExp, string][] = [[/^fig1-domains/, domainsCaption(suite)], ...CAPTIONS];
  return figures.flatMap((fig) => [...plainFigures(fig, command, captions), ...mistakeGrids(fig, command)]);
}

function image(file: string, alt: string): SafeHtml {
  return html`<img src="${fileHref(REPORT_FILES.figure(file))}" alt="${alt}">`;
}

function plainFigures(fig: Figure, command: (id: string) => string, captions: readonly [RegExp, string][]): SafeHtml[] {
  return fig.files
    .filter((f) => f.endsWith('.png') && !/^mistakes-.*\.png$/.test(f))
    .sort()
    .map((file) => {
      const caption = captions.find(([re]) => re.test(file))?.[1] ?? file;
      const svgName = file.replace(/\.png$/, '.svg');
      const vector = fig.files.includes(svgName) ? html` · <a href="${fileHref(REPORT_FILES.figure(svgName))}">SVG</a>` : '';
      return html`<figure id="${file.replace(/\.png$/, '')}">${image(file, caption)}<figcaption>${caption}<br><span class="cmd">regenerate: <code>${command(fig.id)}</code>${vector}</span></figcaption></figure>`;
    });
}

function mistakeGrids(fig: Figure, command: (id: string) => string): SafeHtml[] {
  const domains = [...new Set(fig.files.map((f) => MISTAKE_GRID.exec(f)?.[1]).filter((d): d is string => !!d))];
  return domains.map((domain) => {
    const cells = MISTAKE_KINDS.filter(([k]) => fig.files.includes(`mistakes-${domain}-${k}.png`)).map(
      ([k, label]) =>
        html`<figure class="cell">${image(`mistakes-${domain}-${k}.png`, `${domain}: ${label}`)}<figcaption>${label}</figcaption></figure>`,
    );
    return html`<figure id="mistakes-${domain}"><div class="row">${cells}</div><figcaption>Test images of <b>${domain}</b> that P-T (seed 0) and RI-T (seed 1: never the same seed, so never the same data order) get right or wrong.<br><span class="cmd">regenerate: <code>${command(fig.id)}</code></span></figcaption></figure>`;
  });
}
