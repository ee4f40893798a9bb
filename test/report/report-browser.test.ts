// The tiny profile's report, opened in a real headless Chromium (Debian's, driven by
// playwright-core): no console errors, every picture loaded, every figure and the scorecard there.
// A screenshot is kept in test/out/report/.
import assert from 'node:assert/strict';
import { CLAIMS } from '../../stages/scorecard/claims/index.ts';
import { CONTROLS } from '../../stages/scorecard/controls.ts';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { ensureInstalled } from '../support/nginx.ts';
import { OUT, tinyStore } from '../support/tiny-project.ts';

const FIGURES = [
  'fig1-domains',
  'fig2-learning-curves',
  'fig3-block-shuffle',
  'fig-mistakes',
  'fig4-barrier',
  'fig5-rewinding',
  'fig7-checkpoints',
];

describe('the report in a browser', () => {
  let index: string;
  let browserPath: string | undefined;
  before(async () => {
    const store = await tinyStore();
    index = join(store, '..', 'report', 'tiny', 'index.html');
    browserPath = ensureInstalled('chromium', ['chromium']);
    if (!browserPath) console.error('\n!!! SKIPPING the browser test: Debian chromium is not installed and could not be installed !!!\n');
  });

  for (const width of [1280, 390]) {
    test(`renders without errors at ${width} px wide, with every figure and the scorecard`, async (t) => {
      if (!browserPath) return t.skip('no chromium');
      const browser = await chromium.launch({
        executablePath: browserPath,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      try {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        const problems: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
        page.on('pageerror', (e) => problems.push(e.message));
        page.on('request', (r) => !r.url().startsWith('file:') && !r.url().startsWith('data:') && requests.push(r.url()));
        await page.goto(pathToFileURL(index).href, { waitUntil: 'load' });
        assert.deepEqual(problems, []);
        assert.deepEqual(requests, [], 'the report fetches nothing from the network');
        type Img = { alt: string; naturalWidth: number; naturalHeight: number; getBoundingClientRect(): { width: number } };
        const images = await page.$$eval('img', (imgs) =>
          (imgs as unknown as Img[]).map((i) => ({
            alt: i.alt.slice(0, 40),
            w: i.naturalWidth,
            h: i.naturalHeight,
            shown: i.getBoundingClientRect().width,
          })),
        );
        assert.ok(images.length >= FIGURES.length);
        for (const img of images) assert.ok(img.w > 0 && img.h > 0, `image "${img.alt}" did not load`);
        for (const img of images) assert.ok(img.shown <= width, `image "${img.alt}" is wider than the screen`);
        for (const id of FIGURES) assert.equal(await page.locator(`figure[id="${id}"]`).count(), 1, id);
        assert.equal(await page.locator('#scorecard-table tbody tr').count(), CLAIMS.length, 'every claim is printed');
        assert.equal(await page.locator('#controls-table tbody tr').count(), CONTROLS.length, 'every control is printed');
        const verdicts = await page.locator('#scorecard-table tbody td[data-label="verdict"]').allTextContents();
        for (const v of verdicts) assert.ok(['held', 'did not hold', 'inconclusive', 'not measured'].includes(v), v);
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
        assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
        const links = (await page.$$eval('img[src], a[href]', (els) =>
          els.map((e) => e.getAttribute('src') ?? e.getAttribute('href') ?? ''),
        )) as string[];
        const files = links.filter((l) => !l.startsWith('#'));
        assert.ok(files.some((f) => f.endsWith('.svg')) && files.includes('runs.csv') && files.includes('scorecard.md'));
        for (const f of files)
          assert.ok(existsSync(join(dirname(index), decodeURIComponent(f))), `the page links to ${f}, which is not in its folder`);
        mkdirSync(join(OUT, 'report'), { recursive: true });
        await page.screenshot({ path: join(OUT, 'report', `report-${width}.png`), fullPage: false });
      } finally {
        await browser.close();
      }
    });
  }
});
