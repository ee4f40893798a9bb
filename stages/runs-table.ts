// runs-table: runs.csv, one tidy row per (training run, epoch) of every pre-training and
// fine-tuning run of the experiment, so that pandas, R or Vega can replot any curve without this
// tool. `roles[i]` is the arm run i was planned for; a run shared by two arms (the main P-T run
// is also Fig. 7's last checkpoint) has the first arm's role.
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';

export const RunRole = z.enum(['pretrain', 'main', 'same-init', 'lr-variant', 'block-shuffle', 'checkpoint']);
export type RunRole = z.infer<typeof RunRole>;

/** runs.csv's header, in order; the file is defined here and read by whoever replots it */
export const RUNS_CSV_COLUMNS = [
  'instance',
  'role',
  'target',
  'init',
  'seed',
  'block_size',
  'checkpoint',
  /** the run's learning rate, before its drops (what its arm sets) */
  'lr',
  'epoch',
  /** the learning rate during this epoch (after the drops so far) */
  'epoch_lr',
  'test_accuracy',
  'test_loss',
  'train_accuracy',
] as const;

const Params = z.strictObject({ roles: z.array(RunRole) });
const DEPS = { runs: 'many' } as const satisfies DepSpec;

export type RunsTableContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const runsTable = defineStage(import.meta.url, {
  name: 'runs-table',
  params: Params,
  deps: DEPS,
  isolation: 'inline',
  run: async (ctx) => (await import('./run/runs-table.ts')).run(ctx),
});
