// What a stage's run() is told about the machine: the cores it was granted (context.cpus), which
// its thread pools size themselves by, and under Slurm the cores of its allocation instead.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { asFingerprint } from '../../engine/digest.ts';
import { Store } from '../../engine/store.ts';
import { DEFAULT_CONFIG, FixtureProject } from './fixture-project.ts';

describe('run context', () => {
  let p: FixtureProject;
  before(() => (p = new FixtureProject('run-context')));
  after(() => p.remove());

  async function cpusSeenBySlow(): Promise<unknown> {
    const status = await p.json<{ id: string; fingerprint: string }[]>(['status']);
    const fp = status.find((s) => s.id === 'slow')?.fingerprint;
    assert.ok(fp, 'status lists slow with its fingerprint');
    const manifest = JSON.parse(readFileSync(join(new Store(p.store).entryDir(asFingerprint(fp)!), 'manifest.json'), 'utf8'));
    return manifest.metadata.cpus;
  }

  test('a stage that declares no resources is granted one core', async () => {
    assert.equal((await p.run(['-j', '2'])).code, 0);
    assert.equal(await cpusSeenBySlow(), 1);
  });

  test('under Slurm the stage is told its allocation, not what the scheduler planned', async () => {
    p.setConfig({ ...DEFAULT_CONFIG, slowSteps: 4 });
    assert.equal((await p.run(['slow'], { SLURM_CPUS_PER_TASK: '3' })).code, 0);
    assert.equal(await cpusSeenBySlow(), 3);
  });
});
