// The quick part of the fault campaign (bench/faults.ts --quick): a few random kills, a clean
// SIGINT, corrupted entries, a full disk, racing runners and every kind of bad input. Each row
// must show the fault detected, recovered from, and the results identical to an uninterrupted run.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatTable, runCampaign } from '../../bench/faults.ts';

describe('fault campaign (quick)', () => {
  test('every fault is detected and recovered from, and nothing cached is lost', async () => {
    const { rows, bad } = await runCampaign({ quick: true, kills: 4, seed: 11, profile: 'tiny', log: () => {} });
    console.log(formatTable(rows));
    for (const b of bad) assert.ok(b.ok, `bad input "${b.name}": exit ${b.exit}, message: ${b.message}`);
    for (const r of rows) {
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
