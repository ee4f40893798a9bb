// Everything from data, config, manifests and remotes that reaches the report is escaped: domain,
// class, layer and pair names, figure file names, profile fields, manifest metadata (backend,
// host, …); the tables entry is pasted only if it holds nothing but table markup; html`` refuses
// the contexts where escaping is not enough.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import type { BuildSummary } from '../../engine/index.ts';
import { escapeHtml, fileHref, html, jsonForScript, url } from '../../figures/escape.ts';
import { fillPlaceholders, runTable } from '../../figures/publish-report.ts';
import { PAIR } from '../../stages/common/pairs.ts';
import { domainsSvg } from '../../stages/figure-domains.ts';
import { report } from '../../stages/report.ts';
import { tableFragment } from '../../stages/report/table-fragment.ts';
import { scorecardOf } from '../../stages/scorecard.ts';
import { tables } from '../../stages/tables.ts';
import { gridLatex } from '../../stages/common/table-grid.ts';
import { csvLine } from '../../stages/common/csv.ts';
import { scorecardMarkdown } from '../../stages/report/scorecard-markdown.ts';
import { baseInputs, point } from '../scorecard/fixtures.ts';

const IMG = '<img src=x onerror=alert(1)>';
const BREAKOUT = '"><script>';
const CLOSE = '</script>';
const PAYLOADS = [IMG, BREAKOUT, CLOSE];

/** no payload appears raw; each one named in `shown` appears escaped */
function assertEscaped(text: string, shown: readonly string[] = PAYLOADS): void {
  for (const p of PAYLOADS) assert.ok(!text.includes(p), `raw ${p} in the output`);
  for (const p of shown) assert.ok(text.includes(escapeHtml(p)), `escaped ${p} missing`);
}

const dir = mkdtempSync(join(tmpdir(), 'wt-escaping-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const json = (v: unknown) => ({ json: (_: string, schema: { parse(x: unknown): unknown }) => schema.parse(v) });

async function tablesHtml(): Promise<Map<string, string>> {
  const layerValues = { pairs: 1, values: [point(0.5), point(0.4)] };
  const cka = {
    domain: IMG,
    layers: [BREAKOUT, CLOSE],
    examples: 10,
    unbiased: true,
    estimator: 'debiased',
    subsample: 5,
    pairs: [],
    summary: { [PAIR.ptPt]: layerValues, [IMG]: layerValues },
  };
  const distance = {
    domain: CLOSE,
    excluded: [],
    modules: [],
    pairs: [],
    summary: { [PAIR.ptPt]: { pairs: 1, total: point(3) } },
    ratio: point(0.5),
  };
  const out = new Map<string, string>();
  await tables.run({
    deps: { cka: [json(cka)], distance: [json(distance)] },
    writeOutput: (name: string, text: string) => out.set(name, text),
  } as never);
  return out;
}

/** the scorecard of the fixture inputs, with its target domains, a claim and a control renamed to the payloads */
function scorecard() {
  const renamed = JSON.stringify(baseInputs())
    .replaceAll('"clipart"', JSON.stringify(IMG))
    .replaceAll('"quickdraw"', JSON.stringify(BREAKOUT));
  const card = scorecardOf(JSON.parse(renamed), { domain: CLOSE, finalTestAccuracy: 0.5, epochs: 2 });
  card.claims[0]!.claim = IMG;
  card.claims[0]!.figure = BREAKOUT;
  card.controls[0]!.description = CLOSE;
  card.controlsFailed = [IMG];
  return card;
}

async function reportHtml(): Promise<string> {
  const png = join(dir, 'pixel.png');
  await sharp({ create: { width: 2, height: 2, channels: 3, background: '#fff' } })
    .png()
    .toFile(png);
  const tableFiles = await tablesHtml();
  for (const [name, text] of tableFiles) writeFileSync(join(dir, name), text);
  const figure = {
    id: `figure-spectrum/${BREAKOUT}`,
    files: [`fig-spectrum-${IMG}.png`, `fig-spectrum-${IMG}.svg`, `mistakes-${BREAKOUT}-both-wrong.png`],
    file: () => png,
  };
  const card = scorecard();
  const cardFile = join(dir, 'scorecard.json');
  writeFileSync(cardFile, JSON.stringify(card));
  const runsFile = join(dir, 'runs.csv');
  writeFileSync(runsFile, 'instance\n');
  const out = new Map<string, string>();
  const ctx = {
    params: {
      profile: BREAKOUT,
      description: IMG,
      suite: {
        kind: BREAKOUT,
        domains: [
          { name: IMG, role: 'source', like: CLOSE },
          { name: BREAKOUT, role: 'target' },
        ],
      },
      settings: { [IMG]: CLOSE },
    },
    deps: {
      figures: [figure],
      tables: { id: 'tables', files: [...tableFiles.keys()], file: (name: string) => join(dir, name) },
      scorecard: { ...json(card), file: () => cardFile },
      runs: { id: 'runs-table', files: ['runs.csv'], file: () => runsFile },
    },
    writeOutput: (name: string, text: string | Uint8Array) => out.set(name, String(text)),
  };
  await report.run(ctx as never);
  assert.ok(out.has('scorecard.md') && out.has('runs.csv') && out.has(`figures/fig-spectrum-${IMG}.svg`));
  for (const p of PAYLOADS) assert.ok(!out.get('scorecard.md')!.includes(p), `raw ${p} in scorecard.md`);
  return out.get('index.html')!;
}

describe('the report escapes what comes from data, config and manifests', () => {
  test('tables: domain, layer and pair names', async () => {
    const out = await tablesHtml();
    assertEscaped(out.get('table1-cka.html')!, [IMG, BREAKOUT, CLOSE]);
    assertEscaped(out.get('table2-distance.html')!, [CLOSE]);
  });

  test('report: figure file names, mistake-grid domains, scorecard text, profile fields and the tables', async () => {
    const page = await reportHtml();
    assertEscaped(page);
    assert.ok(page.includes(`<figure id="fig-spectrum-${escapeHtml(IMG)}">`));
    assert.match(page, /<figure id="mistakes-&quot;&gt;&lt;script&gt;">/);
    assert.ok(!/<script/i.test(page), 'the report has no script element');
    assert.match(page, /regenerate: <code>npx tsx pipeline\.ts 'figure-spectrum\/&quot;&gt;&lt;script&gt;' \{\{selection\}\}<\/code>/);
    const published = fillPlaceholders(page, html`<p>run</p>`, ['--config', BREAKOUT, '--set', `x=$&'`]);
    assertEscaped(published);
    assert.match(
      published,
      /regenerate: <code>npx tsx pipeline\.ts 'figure-spectrum\/&quot;&gt;&lt;script&gt;' --config '&quot;&gt;&lt;script&gt;' --set 'x=\$&amp;'\\''' *<\/code>/,
    );
    assert.ok(!published.includes('{{selection}}'));
  });

  test('a tables entry with other markup (e.g. from a tampered remote) is refused, not pasted', () => {
    assert.throws(
      () => tableFragment(`<table class="data"><tr><td>${IMG}</td></tr></table>`, 'table1-cka.html'),
      /table1-cka\.html of the tables entry contains markup that tables\.ts does not write.*--force/,
    );
    assert.throws(() => tableFragment('<table onclick="alert(1)"></table>', 't.html'), /contains markup/);
    assert.equal(
      tableFragment(
        '<table class="data"><caption>a &lt;b&gt;</caption><tr class="control"><th>x<br><small>y</small></th></tr></table>',
        't.html',
      ).toString().length > 0,
      true,
    );
  });

  test('run metadata: backend, host and times from a manifest', () => {
    const manifest = {
      run: { wallSeconds: 1.5, host: `${IMG}$'$&`, finishedAt: BREAKOUT },
      metadata: { backend: { name: IMG, version: CLOSE, threads: BREAKOUT, native: { active: true, isa: CLOSE } } },
    };
    const summary = {
      exitCode: 0,
      wallSeconds: 2,
      interrupted: false,
      outcomes: [{ id: `dataset/${IMG}`, outcome: 'built', fingerprint: 'ab'.repeat(32) }],
    } as unknown as BuildSummary;
    const text = runTable(summary, { store: { readManifest: () => manifest } } as never).toString();
    assertEscaped(text);
    assert.ok(text.includes(`${escapeHtml(IMG)}$'$&`));
  });

  test('figure 1: domain and block labels in the SVG', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const svg = domainsSvg(
      [
        { label: IMG, png, width: 4, height: 4 },
        { label: `${BREAKOUT}|shuffled`, png, width: 4, height: 4 },
      ],
      [CLOSE],
    );
    assertEscaped(svg);
  });
});

describe('html``', () => {
  test('escapes every interpolation except SafeHtml; arrays join; null and undefined are empty', () => {
    const inner = html`<b>${IMG}</b>`;
    assert.equal(
      html`<p title="${BREAKOUT}">${inner}${[1, ' & ', null, undefined]}</p>`.toString(),
      '<p title="&quot;&gt;&lt;script&gt;"><b>&lt;img src=x onerror=alert(1)&gt;</b>1 &amp; </p>',
    );
    assert.equal(html`${{ toString: () => IMG } as never}`.toString(), escapeHtml(IMG), 'an object that only looks safe is escaped');
  });

  test('refuses contexts where escaping is not enough', () => {
    assert.throws(() => html`<td class=${'x'}>`, /double-quoted attribute/);
    assert.throws(() => html`<td class='${'x'}'>`, /double-quoted attribute/);
    assert.throws(() => html`<td ${'onclick="alert(1)"'}>`, /double-quoted attribute/);
    assert.throws(() => html`<a href="${'javascript:alert(1)'}">`, /URL attribute takes url/);
    assert.throws(() => html`<script>var x = ${'1'};</script>`, /jsonForScript/);
    assert.equal(html`<p>x = ${2}</p>`.toString(), '<p>x = 2</p>');
  });

  test('URLs: javascript: and other schemes are refused; file links are percent-encoded', () => {
    for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<b>', 'vbscript:x'])
      assert.throws(() => url(bad), /Refusing the URL/);
    assert.equal(
      html`<a href="${url('https://example.org/?a=1&b="2"')}">`.toString(),
      '<a href="https://example.org/?a=1&amp;b=&quot;2&quot;">',
    );
    assert.equal(
      html`<a href="${fileHref(`javascript:alert(1)/${BREAKOUT}.png`)}">`.toString(),
      '<a href="javascript%3Aalert(1)/%22%3E%3Cscript%3E.png">',
    );
  });

  test('JSON for a <script> element cannot close it or open a comment', () => {
    const spec = { title: `${CLOSE}<!-- ${IMG}`, data: { values: [{ domain: BREAKOUT }] } };
    const page = html`<script type="application/json">${jsonForScript(spec)}</script>`.toString();
    const body = page.slice('<script type="application/json">'.length, -'</script>'.length);
    assert.ok(!/<\/script|<!--/i.test(body));
    assert.deepEqual(JSON.parse(body), spec);
  });
});

describe('LaTeX tables', () => {
  test("every LaTeX special character in a table's text is escaped, and the symbols we print are math", () => {
    const tex = gridLatex({
      caption: 'ℓ2 ≈ 5% of #1 & $x_y^z {a} ~ \\ — ×',
      corner: 'pair',
      columns: [{ label: 'P-T & P', note: 'paper: conv1' }],
      rows: [{ label: 'a_b', note: '50%', cells: [{ ours: '0.5 [0.4, 0.6]', paper: '—' }] }],
    });
    assert.match(
      tex,
      /\\caption\{\$\\ell\$2 \$\\approx\$ 5\\% of \\#1 \\& \\\$x\\_y\\textasciicircum\{\}z \\\{a\\\} \\textasciitilde\{\} \\textbackslash\{\} --- \$\\times\$\}/,
    );
    assert.match(tex, /^pair & P-T \\& P \\\\$/m);
    assert.match(tex, /^ & \{\\footnotesize paper: conv1\} \\\\$/m);
    assert.match(tex, /^a\\_b \{\\footnotesize 50\\%\} & 0\.5 \[0\.4, 0\.6\] \(---\) \\\\$/m);
  });
});

describe('scorecard.md and CSV cells', () => {
  test('Markdown emphasis, links, code marks, pipes and every line break are escaped in a table cell', () => {
    const card = scorecard();
    card.claims[1]!.claim = '*bold* _em_ [link](x) `code` a|b\\c\rline\r\nnext';
    const md = scorecardMarkdown(card);
    const row = md.split('\n').find((l) => l.includes('bold'));
    assert.ok(row, 'the claim has a row');
    assert.ok(row.includes('\\*bold\\* \\_em\\_ \\[link\\](x) \\`code\\` a\\|b\\\\c line next'), row);
  });

  test('a cell with a comma, a quote, a newline or a lone carriage return is quoted', () => {
    assert.equal(csvLine(['a', 'b,c', 'd"e', 'f\ng', 'h\ri', 3]), 'a,"b,c","d""e","f\ng","h\ri",3');
  });
});
