// Vega-Lite spec → SVG (vega's headless renderer) → PNG (sharp/librsvg), the only way figures
// are drawn. The spec, data included, is kept beside the pictures so a figure can be re-styled
// without rerunning anything.
import sharp from 'sharp';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { VEGA_CONFIG } from './theme.ts';

export interface RenderedFigure {
  svg: string;
  png: Buffer;
  spec: TopLevelSpec;
}

export async function renderVegaLite(spec: TopLevelSpec, scale = 2): Promise<RenderedFigure> {
  const own = ((spec as { config?: Record<string, object> }).config ?? {}) as Record<string, object>;
  const base = VEGA_CONFIG as unknown as Record<string, object>;
  const config = Object.fromEntries(
    [...new Set([...Object.keys(base), ...Object.keys(own)])].map((k) => [
      k,
      typeof base[k] === 'object' && typeof own[k] === 'object' ? { ...base[k], ...own[k] } : (own[k] ?? base[k]),
    ]),
  );
  const full = { ...spec, config } as TopLevelSpec;
  const compiled = vl.compile(full).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Warn });
  const svg = await view.toSVG();
  view.finalize();
  return { svg, png: await svgToPng(svg, scale), spec: full };
}

export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** Write fig.svg, fig.png and fig.vl.json into a stage's outputs. */
export function writeFigure(write: (name: string, data: string | Uint8Array) => void, name: string, fig: RenderedFigure): void {
  write(`${name}.svg`, fig.svg);
  write(`${name}.png`, fig.png);
  write(`${name}.vl.json`, `${JSON.stringify(fig.spec, null, 1)}\n`);
}
