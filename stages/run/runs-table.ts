// The run code of the runs-table stage (defined in ../runs-table.ts).
import { csvLine } from '../common/csv.ts';
import { TrainingRun } from '../common/schemas.ts';
import { RUNS_CSV_COLUMNS, type RunsTableContext } from '../runs-table.ts';

export function run(ctx: RunsTableContext): void {
  const { runs } = ctx.deps;
  const { roles } = ctx.params;
  if (roles.length !== runs.length) throw new Error(`runs-table has ${runs.length} runs but ${roles.length} roles; they must pair up`);
  const lines = [RUNS_CSV_COLUMNS.join(',')];
  runs.forEach((entry, i) => {
    const r = entry.json('run.json', TrainingRun);
    const init = r.kind === 'pretrain' ? '' : r.kind;
    for (const h of r.history) {
      const row = [entry.id, roles[i], r.domain, init, r.seed, r.blockSize ?? '', r.sourceEpoch ?? '', r.lr, h.epoch];
      lines.push(csvLine([...row, h.lr, h.testAccuracy, h.testLoss, h.trainAccuracy]));
    }
  });
  ctx.writeOutput('runs.csv', `${lines.join('\n')}\n`);
}
