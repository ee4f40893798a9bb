// The run code of the figure-domains stage (defined in ../figure-domains.ts).
import sharp from 'sharp';
import { shuffleStripPng, tilesPng } from '../../data/preview/sample-grid.ts';
import { svgToPng } from '../../figures/render.ts';
import { type BlockSize, DatasetInfo } from '../common/schemas.ts';
import { readSplit } from '../common/training.ts';
import { domainsSvg, type FigureDomainsContext } from '../figure-domains.ts';

const PER_ROW = 10;

export async function run(ctx: FigureDomainsContext): Promise<void> {
  const rows: { label: string; png: Buffer }[] = [];
  for (const d of ctx.deps.data) {
    const info = d.json('info.json', DatasetInfo);
    const ds = readSplit(d, 'train');
    const firstOfClass: number[] = [];
    for (let c = 0; c < info.classes.length && firstOfClass.length < PER_ROW; c++) {
      const i = ds.labels.indexOf(c);
      if (i >= 0) firstOfClass.push(i);
    }
    rows.push({ label: info.domain, png: await tilesPng(ds, [firstOfClass], { scale: 3 }) });
  }
  const target = ctx.deps.data.find((d) => d.json('info.json', DatasetInfo).domain === ctx.params.shuffleDomain);
  let stripLabels: string[] = [];
  if (target) {
    const ds = readSplit(target, 'test');
    const sizes = [
      { blockSize: ds.header.height as BlockSize, draw: 0 },
      ...ctx.params.shuffles.filter((s) => s.blockSize !== ds.header.height),
    ];
    const strip = await shuffleStripPng(ds, [0, 1, 2], sizes, ctx.params.shuffleSeed, { scale: 3 });
    rows.push({ label: `${ctx.params.shuffleDomain}|shuffled`, png: strip });
    const name = (b: BlockSize) => (b === ds.header.height ? 'original' : b === '*' ? '*' : `block ${b}`);
    stripLabels = sizes.map((s) => `${name(s.blockSize)}${s.draw ? ` (draw ${s.draw})` : ''}`);
  }
  const metas = await Promise.all(rows.map(async (r) => ({ ...r, ...(await sharp(r.png).metadata()) })));
  const svg = domainsSvg(metas, stripLabels);
  ctx.writeOutput('fig1-domains.svg', svg);
  ctx.writeOutput('fig1-domains.png', await svgToPng(svg, 1));
}
