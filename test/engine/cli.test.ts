// The CLI's other commands: dag, log, gc, and a damaged lock file.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_CONFIG, FixtureProject } from './fixture-project.ts';
import type { BuildSummary } from '../../engine/reporter.ts';

const entryCount = (p: FixtureProject) =>
  readdirSync(join(p.store, 'entries')).flatMap((s) => readdirSync(join(p.store, 'entries', s))).length;

describe('cli', () => {
  let p: FixtureProject;
  before(async () => {
    p = new FixtureProject('cli');
    assert.equal((await p.run(['numbers'])).code, 0);
  });
  after(() => p.remove());

  test('dag prints the graph as text, mermaid and dot', async () => {
    const text = (await p.run(['dag', 'numbers'])).stdout;
    assert.match(text, /^sum\n {4}← square\/seed=1\n {4}← square\/seed=2$/m);
    const mermaid = (await p.run(['dag', '--format', 'mermaid'])).stdout;
    assert.match(mermaid, /^graph LR/);
    assert.equal((mermaid.match(/-->/g) ?? []).length, 4);
    const dot = (await p.run(['dag', '--format', 'dot'])).stdout;
    assert.match(dot, /digraph pipeline \{[\s\S]*n0 -> n1;[\s\S]*\}/);
  });

  test("log replays a cached stage's log", async () => {
    const r = await p.run(['log', 'square/seed=1']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'raised 5 values to the power 2\n');
    assert.equal((await p.run(['log', 'nope'])).code, 2);
  });

  test('a garbage lock file is reported and rewritten; nothing is rebuilt', async () => {
    writeFileSync(p.file('fixture.lock.json'), '{ this is not json');
    p.takeRuns();
    const r = await p.run(['numbers']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /lock file .* is unreadable/);
    assert.deepEqual(p.takeRuns(), []);
    assert.equal(Object.keys((JSON.parse(readFileSync(p.file('fixture.lock.json'), 'utf8')) as { instances: object }).instances).length, 5);
  });

  test('gc keeps what the lock file references and removes the rest', async () => {
    p.setConfig({ ...DEFAULT_CONFIG, k: { 1: 3 } });
    await p.run(['numbers']);
    assert.equal(entryCount(p), 7); // old square/seed=1 and sum are no longer referenced
    const dry = await p.json<{ removed: unknown[] }>(['gc', '--dry-run']);
    assert.equal(dry.removed.length, 2);
    assert.equal(entryCount(p), 7);
    const kept = await p.json<{ removed: unknown[]; kept: number }>(['gc', '--keep', '1']);
    assert.equal(kept.removed.length, 1);
    assert.equal(kept.kept, 1);
    await p.run(['gc']);
    assert.equal(entryCount(p), 5);
    p.takeRuns();
    const r = await p.json<BuildSummary>(['numbers']);
    assert.deepEqual(
      r.outcomes.map((o) => o.outcome),
      Array(5).fill('cached'),
    );
    assert.ok(existsSync(join(p.store, 'entries')));
  });
});
