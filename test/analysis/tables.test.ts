// Tables 1 (CKA) and 2 (ℓ2 distance): estimates with their 95% intervals, the controls labelled
// and last, the paper's values under the new pair names, CSV quoting and HTML escaping.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CkaOutput } from '../../stages/cka.ts';
import type { StatisticDraws } from '../../stages/common/bootstrap.ts';
import { PAIR } from '../../stages/common/pairs.ts';
import type { DistanceOutput } from '../../stages/distance.ts';
import { tables } from '../../stages/tables.ts';

/** 201 draws spread evenly over [lo, hi]: the 2.5% and 97.5% points are draws 5 and 195, lo and hi moved in by 2.5% of the range */
const spread = (estimate: number, lo: number, hi: number): StatisticDraws => ({
  estimate,
  draws: Array.from({ length: 201 }, (_, i) => lo + ((hi - lo) * i) / 200),
});

async function render(cka: unknown[], distance: unknown[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const upstream = (v: unknown) => ({ json: (_: string, schema: { parse(x: unknown): unknown }) => schema.parse(v) });
  const ctx = {
    deps: { cka: cka.map(upstream), distance: distance.map(upstream) },
    writeOutput: (name: string, text: string) => out.set(name, text),
  };
  await tables.run(ctx as never);
  return out;
}

describe('Table 1', () => {
  // pairs in the order the stage writes them; the table puts the controls last
  const types = [PAIR.ptP, PAIR.ptPt, PAIR.ptRit, PAIR.ritRit, PAIR.untrained, PAIR.identical, PAIR.unrelated];
  const counts = [3, 3, 6, 3, 1, 1, 1];
  const pairs = types.flatMap((pair, k) =>
    Array.from({ length: counts[k]! }, (_, replicate) => ({
      pair,
      replicate,
      a: 'a',
      b: 'b',
      values: [0.1 * k, 0.01 * k],
      biased: [0.5 + 0.1 * k + 0.01 * replicate, 0.6],
      debiased: [0.1 * k, 0.01 * k],
    })),
  );
  const summary = Object.fromEntries(
    types.map((pair, k) => [
      pair,
      { pairs: counts[k]!, values: [spread(0.1 * k, 0.1 * k - 0.1, 0.1 * k + 0.1), spread(0.01 * k, 0, 0.02 * k)] },
    ]),
  );
  const cka: CkaOutput = {
    domain: 'x<y',
    layers: ['stem', 'st<1>'],
    examples: 500,
    unbiased: true,
    estimator: 'debiased',
    subsample: 250,
    pairs,
    summary,
  };

  test('one CSV row per pair type and layer, with the interval, both estimators and the paper value; controls quoted and last', async () => {
    const out = await render([cka], []);
    const csv = out.get('table1-cka.csv')!.trim().split('\n');
    assert.equal(csv.length, 1 + types.length * 2);
    assert.equal(csv[0], 'domain,pair,replicate_pairs,layer,estimator,ours,ci_low,ci_high,biased,debiased,paper_chexpert');
    assert.equal(csv[1], 'x<y,P-T & P,3,stem,debiased,0.0000,-0.0950,0.0950,0.5100,0.0000,0.6225');
    assert.equal(csv[5], 'x<y,P-T & RI-T,6,stem,debiased,0.2000,0.1050,0.2950,0.7250,0.2000,0.0036');
    assert.deepEqual(
      csv.slice(9).map((l) => l.split(',')[1]),
      [
        'P-T & itself (control)',
        'P-T & itself (control)',
        '"P-T & P-T',
        '"P-T & P-T',
        'untrained & untrained (control)',
        'untrained & untrained (control)',
      ],
    );
    assert.equal(csv[12], 'x<y,"P-T & P-T, examples shuffled (control)",1,st<1>,debiased,0.0600,0.0030,0.1170,0.6000,0.0600,');
    assert.equal(csv.at(-1), 'x<y,untrained & untrained (control),1,st<1>,debiased,0.0400,0.0020,0.0780,0.6000,0.0400,');
  });

  test('HTML: estimates with intervals, the paper in brackets, controls labelled as controls, everything escaped', async () => {
    const html = (await render([cka], [])).get('table1-cka.html')!;
    assert.match(html, /x&lt;y \(500 test images\), debiased linear CKA/);
    assert.match(html, /<th>st&lt;1&gt;<br>/);
    assert.match(html, /<td>0\.000 \[-0\.095, 0\.095\] <small>\(0\.623\)<\/small><\/td>/);
    const rows = [...html.matchAll(/<tr[^>]*><th>([^<]*)/g)].map((m) => m[1]);
    assert.deepEqual(rows.slice(1), [
      'P-T &amp; P',
      'P-T &amp; P-T',
      'P-T &amp; RI-T',
      'RI-T &amp; RI-T',
      'P-T &amp; itself (control)',
      'P-T &amp; P-T, examples shuffled (control)',
      'untrained &amp; untrained (control)',
    ]);
    assert.equal([...html.matchAll(/<tr class="control">/g)].length, 3);
    assert.match(
      html,
      /untrained \(control\)<br><small>control, not in the paper: two untrained networks: a random-network baseline, not the floor/,
    );
    assert.match(
      html,
      /examples shuffled \(control\)<br><small>control, not in the paper: features of permuted examples: the estimator's floor \(≈ 0\)/,
    );
    assert.match(html, /P-T &amp; RI-T<br><small>6 replicate pairs/);
  });
});

describe('Table 2', () => {
  const summary = { [PAIR.ptPt]: 10, [PAIR.ritRit]: 40, [PAIR.ptP]: 8, [PAIR.ritP]: 39 };
  const distance: Pick<DistanceOutput, 'domain' | 'pairs' | 'summary' | 'ratio'> & { excluded: string[]; modules: string[] } = {
    domain: 'real',
    excluded: ['fc'],
    modules: ['stem'],
    pairs: Object.entries(summary).map(([pair, total]) => ({ pair, replicate: 0, a: 'a', b: 'b', total, perModule: { stem: total } })),
    summary: Object.fromEntries(
      Object.entries(summary).map(([pair, total]) => [pair, { pairs: 3, total: spread(total, total - 1, total + 1) }]),
    ),
    ratio: spread(0.25, 0.2, 0.3),
  };

  test('the mean over replicate pairs with its interval under the new pair names, the paper value, and the ratio row', async () => {
    const out = await render([], [distance]);
    const csv = out.get('table2-distance.csv')!.trim().split('\n');
    assert.equal(csv.length, 1 + 4 + 1);
    assert.equal(csv[0], 'domain,pair,replicate_pairs,ours,ci_low,ci_high,paper');
    assert.equal(csv[1], 'real,P-T & P-T,3,10.0000,9.0500,10.9500,193.45');
    assert.equal(csv[4], 'real,RI-T & P,3,39.0000,38.0500,39.9500,796.80');
    assert.equal(csv[5], `real,${PAIR.ptPt} / ${PAIR.ritRit},,0.2500,0.2025,0.2975,${(193.45 / 815.08).toFixed(4)}`);
    const html = out.get('table2-distance.html')!;
    assert.match(html, /<td>10\.00 \[9\.05, 10\.95\] <small>\(193\.45\)<\/small><\/td>/);
    assert.match(html, /<td>0\.250 \[0\.203, 0\.297\] <small>\(0\.24\)<\/small><\/td>/);
    assert.match(html, /<th>ratio P-T &amp; P-T \/ RI-T &amp; RI-T<\/th>/);
  });
});
