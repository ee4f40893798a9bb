// Every training run of the experiment with the arm it was planned for, for runs.csv. A run
// shared by two arms keeps the first arm's role in this order: pre-training, the main matrix,
// its same-init pair, the lr variants, Fig. 3's shuffle arm, Fig. 7's checkpoint arm.
import type { Handle } from '../engine/index.ts';
import type { RunRole } from '../stages/runs-table.ts';
import type { TrainingArms } from './training-arms.ts';

export function trainingRunsWithRoles(arms: TrainingArms): { runs: Handle[]; roles: RunRole[] } {
  const byNode = new Map<Handle['node'], { run: Handle; role: RunRole }>();
  const add = (role: RunRole, runs: readonly (Handle | undefined)[]) => {
    for (const run of runs) if (run && !byNode.has(run.node)) byNode.set(run.node, { run, role });
  };
  add('pretrain', [arms.source]);
  const main = [...arms.main.values()];
  add(
    'main',
    main.flatMap((m) => [...m.pt, ...m.rit]),
  );
  add(
    'same-init',
    main.map((m) => m.ritSameInit),
  );
  add(
    'lr-variant',
    main.flatMap((m) => [m.ptAtRitLr, m.ritAtPtLr]),
  );
  add('block-shuffle', [...arms.shuffled.values()].flat());
  add('checkpoint', arms.checkpointRuns);
  const rows = [...byNode.values()];
  return { runs: rows.map((r) => r.run), roles: rows.map((r) => r.role) };
}
