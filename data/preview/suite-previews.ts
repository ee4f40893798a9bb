// The Fig. 1 analogue for a suite: one sample grid per domain and one image per domain shown at
// every block size and '*'. Run directly: npx tsx data/preview/suite-previews.ts OUT_DIR [suite.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSuiteDataset, suiteDomains } from '../load-suite.ts';
import { blockSizesForSide, PAPER_SHUFFLE_SEED_BASE } from '../shuffle/shuffle-spec.ts';
import { loadSuiteConfigFile, parseSuiteConfig, type SuiteConfig } from '../suite-config.ts';
import { sampleGridPng, shuffleStripPng } from './sample-grid.ts';

/** Writes `<domain>-samples.png` and `<domain>-shuffles.png` per domain; returns the paths. */
export async function writeSuitePreviews(config: SuiteConfig, outDir: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const { domain } of suiteDomains(config)) {
    const ds = await loadSuiteDataset(config, domain, 'test');
    const grid = join(outDir, `${domain}-samples.png`);
    writeFileSync(grid, await sampleGridPng(ds, { rows: Math.min(8, ds.header.classes.length), cols: 8, scale: 3 }));
    const strip = join(outDir, `${domain}-shuffles.png`);
    const firstOfClass = [0, 1, 2].filter((i) => i < ds.header.count);
    const sizes = blockSizesForSide(ds.header.height).reverse(); // side (unshuffled) … 1, then '*'
    writeFileSync(strip, await shuffleStripPng(ds, firstOfClass, sizes, PAPER_SHUFFLE_SEED_BASE + 1, { scale: 3 }));
    written.push(grid, strip);
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [outDir, configFile] = process.argv.slice(2);
  if (!outDir) {
    process.stderr.write('usage: npx tsx data/preview/suite-previews.ts OUT_DIR [suite.json]\n');
    process.exit(2);
  }
  const config = configFile
    ? loadSuiteConfigFile(configFile)
    : parseSuiteConfig({
        kind: 'embedded',
        source: { classes: 40, train: 40, test: 400 },
        targets: { classes: 20, train: 20, test: 200 },
        xray: { train: 5, test: 100 },
      });
  for (const f of await writeSuitePreviews(config, outDir)) process.stdout.write(`${f}\n`);
}
