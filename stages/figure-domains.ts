// Figure 1: sample images of every domain (one row each: one image per class), and a few target
// images at every block size used, from unshuffled to pixel shuffle "*".
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import { BlockSize } from './common/schemas.ts';
import { html, url, type SafeHtml } from '../figures/escape.ts';

const LABEL_W = 130;

const Params = z.strictObject({
  /** the block sizes of Fig. 3 with the permutation draw each uses for seed `shuffleSeed` */
  shuffles: z.array(z.strictObject({ blockSize: BlockSize, draw: z.number().int().min(0) })),
  shuffleSeed: z.number().int(),
  shuffleDomain: z.string(),
});
const DEPS = { data: 'many' } as const satisfies DepSpec;

export type FigureDomainsContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const figureDomains = defineStage(import.meta.url, {
  name: 'figure-domains',
  params: Params,
  deps: DEPS,
  isolation: 'inline',
  run: async (ctx) => (await import('./run/figure-domains.ts')).run(ctx),
});

/** The figure: one labelled row per domain (a label "<domain>|shuffled" is the block-shuffle strip, with `stripLabels` above its columns). */
export function domainsSvg(
  rows: readonly { label: string; png: Buffer; width?: number; height?: number }[],
  stripLabels: readonly string[],
): string {
  const width = Math.max(720, LABEL_W + Math.max(...rows.map((m) => m.width ?? 0)) + 10);
  let y = 40;
  const parts: SafeHtml[] = [];
  for (const m of rows) {
    if (m.label.endsWith('|shuffled') && stripLabels.length) {
      const colW = (m.width ?? 0) / stripLabels.length;
      stripLabels.forEach((t, k) =>
        parts.push(html`<text x="${LABEL_W + colW * (k + 0.5)}" y="${y + 14}" text-anchor="middle" font-size="13">${t}</text>\n`),
      );
      y += 22;
    }
    const lines = m.label.split('|');
    lines.forEach((line, k) =>
      parts.push(
        html`<text x="${LABEL_W - 10}" y="${y + (m.height ?? 0) / 2 + 5 + (k - (lines.length - 1) / 2) * 17}" text-anchor="end" font-size="14" font-weight="bold">${line}</text>\n`,
      ),
    );
    parts.push(
      html`<image x="${LABEL_W}" y="${y}" width="${m.width}" height="${m.height}" href="${url(`data:image/png;base64,${m.png.toString('base64')}`)}"/>\n`,
    );
    y += (m.height ?? 0) + 14;
  }
  return html`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 6}" viewBox="0 0 ${width} ${y + 6}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="8" y="24" font-size="16" font-weight="bold">Domains of decreasing similarity to the source, and block shuffling</text>
${parts}</svg>`.toString();
}
