// The quick part of the fault campaign (bench/faults.ts --quick): a few random kills, a clean
// SIGINT, corrupted entries, a full disk, racing runners, every kind of bad input, and one row per
// class of the trust review (lying remotes, lying scratch, gc and lock races, Slurm). Each row
// must show the fault detected, recovered from, the results identical to an uninterrupted run,
// and nothing written outside the store.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatTable, runCampaign } from '../../bench/faults.ts';

describe('fault campaign (quick)', () => {
  test('every fault is detected and recovered from, and nothing cached is lost', async () => {
    const { rows, bad } = await runCampaign({ quick: true, kills: 4, seed: 11, profile: 'tiny', log: () => {} });
    console.log(formatTable(rows));
    for (const b of bad) assert.ok(b.ok, `bad input "${b.name}": exit ${b.exit}, message: ${b.message}`);
    // One row per fault kind at least: the old seven plus the trust review's ten classes.
    assert.ok(rows.length >= 17, `only ${rows.length} rows`);
    for (const r of rows) {
      assert.doesNotMatch(r.outside ?? '?', /CHANGED|\?/, `${r.fault}: writes outside the store: ${r.outside}`);
      if (r.trials === 0) {
        console.error(`\n!!! ${r.fault}: ${r.notes} !!!\n`);
        continue;
      }
      assert.equal(r.detected, r.trials, `${r.fault}: detected ${r.detected}/${r.trials} (${r.notes ?? ''})`);
      assert.equal(r.recovered, r.trials, `${r.fault}: recovered ${r.recovered}/${r.trials} (${r.notes ?? ''})`);
      assert.ok(!/^NO/.test(r.identical) && !/CHANGED/.test(r.identical), `${r.fault}: ${r.identical}`);
    }
  });
});
