// The engine's core promise: run what changed, and only that.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_CONFIG, FixtureProject } from './fixture-project.ts';
import type { BuildSummary } from '../../engine/reporter.ts';

const ALL = ['slow', 'source/seed=1', 'source/seed=2', 'square/seed=1', 'square/seed=2', 'sum'];

describe('incremental builds', () => {
  let p: FixtureProject;
  before(() => (p = new FixtureProject('incremental')));
  after(() => p.remove());

  test('first run executes every instance, the second none', async () => {
    const first = await p.json<BuildSummary>([]);
    assert.equal(first.exitCode, 0);
    assert.deepEqual(p.takeRuns(), ALL);
    assert.deepEqual(
      first.outcomes.map((o) => o.outcome),
      Array(6).fill('built'),
    );
    const second = await p.json<BuildSummary>([]);
    assert.deepEqual(p.takeRuns(), []);
    assert.deepEqual(
      second.outcomes.map((o) => o.outcome),
      Array(6).fill('cached'),
    );
    assert.equal(readFileSync(p.file('fixture.lock.json'), 'utf8').includes('"sum"'), true);
  });

  test('changing one param reruns exactly that instance and its dependents', async () => {
    p.setConfig({ ...DEFAULT_CONFIG, k: { 2: 3 } });
    const status = await p.json<{ id: string; state: string; reasons: string[] }[]>(['status']);
    const sq2 = status.find((s) => s.id === 'square/seed=2')!;
    assert.equal(sq2.state, 'stale');
    assert.deepEqual(sq2.reasons, ['param k: 2 → 3']);
    assert.equal(status.find((s) => s.id === 'square/seed=1')!.state, 'fresh');
    await p.run();
    assert.deepEqual(p.takeRuns(), ['square/seed=2', 'sum']);
  });

  test('editing a module imported transitively by one stage reruns only that stage (and what reads its changed output)', async () => {
    // lib/util.ts is imported by lib/math.ts, which only square imports. The new code gives the
    // same numbers, so sum (downstream) is cut off by the unchanged output digests.
    writeFileSync(p.file('lib/util.ts'), 'export function times(a: number, b: number): number {\n  return b * a;\n}\n');
    const why = await p.json<{ id: string; reasons: string[] }[]>(['why', 'square/seed=1']);
    assert.deepEqual(why.find((s) => s.id === 'square/seed=1')!.reasons, ['code lib/util.ts changed']);
    await p.run();
    assert.deepEqual(p.takeRuns(), ['square/seed=1', 'square/seed=2']);
  });

  test('comments and formatting are not code changes', async () => {
    writeFileSync(
      p.file('lib/util.ts'),
      '// multiply, commutatively\nexport function times(a: number, b: number): number {\n\n    return b * a; // same\n}\n',
    );
    await p.run();
    assert.deepEqual(p.takeRuns(), []);
  });

  test('an upstream rerun that produces identical bytes does not rerun its dependents', async () => {
    p.setConfig({ ...DEFAULT_CONFIG, k: { 2: 3 }, notes: { 1: 'output-neutral' } });
    await p.run();
    assert.deepEqual(p.takeRuns(), ['source/seed=1']);
  });

  test('--force STAGE reruns it even though it is fresh', async () => {
    await p.run(['--force', 'square/seed=1']);
    assert.deepEqual(p.takeRuns(), ['square/seed=1']);
    await p.run(['numbers', '--force']);
    assert.deepEqual(p.takeRuns(), ['source/seed=1', 'source/seed=2', 'square/seed=1', 'square/seed=2', 'sum']);
  });

  test('--dry-run lists what would run and why, and runs nothing', async () => {
    p.setConfig({ ...DEFAULT_CONFIG, n: 6, k: { 2: 3 }, notes: { 1: 'output-neutral' } });
    const dry = await p.json<BuildSummary>(['--dry-run']);
    assert.deepEqual(p.takeRuns(), []);
    const byId = Object.fromEntries(dry.outcomes.map((o) => [o.id, o]));
    assert.equal(byId['source/seed=1']!.outcome, 'would-run');
    assert.deepEqual(byId['source/seed=1']!.reasons, ['param n: 5 → 6']);
    assert.equal(byId.sum!.outcome, 'would-run');
    assert.equal(byId.slow!.outcome, 'cached');
  });
});
