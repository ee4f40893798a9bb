// The figures, tables and report: cheap, and each reads only analysis outputs.
import type { Dag, Handle } from '../engine/index.ts';
import type { Profile } from '../profiles/schema.ts';
import type { BlockSize } from '../stages/common/schemas.ts';
import { figureBarrier } from '../stages/figure-barrier.ts';
import { figureBlockShuffle } from '../stages/figure-block-shuffle.ts';
import { figureCheckpoints } from '../stages/figure-checkpoints.ts';
import { figureCriticality } from '../stages/figure-criticality.ts';
import { figureDomains } from '../stages/figure-domains.ts';
import { figureLearningCurves } from '../stages/figure-learning-curves.ts';
import { figureMistakes } from '../stages/figure-mistakes.ts';
import { figureSpectrum } from '../stages/figure-spectrum.ts';
import { report } from '../stages/report.ts';
import { runsTable } from '../stages/runs-table.ts';
import { tables } from '../stages/tables.ts';
import { trainingRunsWithRoles } from './run-roles.ts';
import type { Analyses } from './dag.ts';
import { domainNotes } from './domain-notes.ts';
import type { TrainingArms } from './training-arms.ts';

/** Adds every figure, the tables and the report page; returns the page. */
export function addFigures(
  dag: Dag,
  p: Profile,
  arms: TrainingArms,
  a: Analyses,
  shuffles: { blockSize: BlockSize; draw: number }[],
): Handle {
  const shuffleDomain = p.shuffle.targets[0] ?? arms.targets[0]!;
  const figures = [
    dag.add(figureDomains, { shuffles, shuffleSeed: p.shuffle.seedBase + p.seeds[0]!, shuffleDomain }, { data: [...arms.data.values()] }),
    dag.add(figureLearningCurves, {}, { curves: a.curves }),
    ...(a.blocks ? [dag.add(figureBlockShuffle, {}, { blocks: a.blocks })] : []),
    dag.add(figureMistakes, {}, { mistakes: a.perTarget.mistakes }),
    dag.add(figureBarrier, {}, { barrier: a.perTarget.barrier }),
    ...(a.perTarget.criticality.length ? [dag.add(figureCriticality, {}, { criticality: a.perTarget.criticality })] : []),
    ...(a.checkpoints ? [dag.add(figureCheckpoints, {}, { checkpoints: a.checkpoints })] : []),
    dag.add(figureSpectrum, {}, { spectrum: a.perTarget.spectrum }),
  ];
  const tableHandle = dag.add(tables, {}, { cka: a.perTarget.cka, distance: a.perTarget.distance });
  // --strict is how the build checks its controls, not a setting shown as the experiment's
  const { name, description, strict: _, ...settings } = p;
  const suite = { kind: p.suite.kind, domains: domainNotes(p.suite) };
  const { runs, roles } = trainingRunsWithRoles(arms);
  const runsHandle = dag.add(runsTable, { roles }, { runs });
  return dag.add(
    report,
    { profile: name, description, suite, settings },
    { figures, tables: tableHandle, scorecard: a.card, runs: runsHandle },
  );
}
