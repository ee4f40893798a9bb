// The experiment's DAG, built from a profile:
//
//   dataset(domain) ─┬─ pretrain(source) ──────────────┐
//                    ├─ shuffle(target, block) ─ finetune(target, block, P-T|RI-T, seed, lr, ckpt)
//                    └──────────────────────────────────┴─ analyses ─ summaries ─ scorecard
//
// training-arms.ts adds the training runs; this file adds what reads them.
import { Dag, type Handle } from '../engine/index.ts';
import type { Profile } from '../profiles/schema.ts';
import { barrier } from '../stages/barrier.ts';
import { blockShuffle } from '../stages/block-shuffle.ts';
import { checkpointTransfer } from '../stages/checkpoint-transfer.ts';
import { cka } from '../stages/cka.ts';
import { criticality } from '../stages/criticality.ts';
import { distance } from '../stages/distance.ts';
import { learningCurves } from '../stages/learning-curves.ts';
import { mistakes } from '../stages/mistakes.ts';
import { scorecard } from '../stages/scorecard.ts';
import { spectrum } from '../stages/spectrum.ts';
import { addFigures } from './figures.ts';
import { planShuffles } from './shuffle-plan.ts';
import { addTrainingArms, type TrainingArms } from './training-arms.ts';

export function buildDag(p: Profile): Dag {
  const dag = new Dag();
  const arms = addTrainingArms(dag, p);
  const a = addAnalyses(dag, p, arms);
  const page = addFigures(dag, p, arms, a, figureShuffles(p));
  dag.group('datasets', [...arms.data.values()]);
  dag.group('training', [arms.source, ...arms.finetunes]);
  dag.group('analyses', a.all);
  dag.group('figures', [page]);
  return dag;
}

export interface Analyses {
  perTarget: { mistakes: Handle[]; cka: Handle[]; distance: Handle[]; barrier: Handle[]; criticality: Handle[]; spectrum: Handle[] };
  curves: Handle;
  blocks?: Handle;
  checkpoints?: Handle;
  card: Handle;
  all: Handle[];
}

function addAnalyses(dag: Dag, p: Profile, arms: TrainingArms): Analyses {
  const { source, main, data } = arms;
  const c = p.analyses;
  const perTarget: Analyses['perTarget'] = { mistakes: [], cka: [], distance: [], barrier: [], criticality: [], spectrum: [] };
  for (const [target, m] of main) {
    const d = data.get(target)!;
    const label = { label: target };
    perTarget.mistakes.push(dag.add(mistakes, { gridImages: c.mistakes.gridImages }, { pt: m.pt, rit: m.rit, data: d }, label));
    perTarget.cka.push(
      dag.add(cka, { examples: c.cka.examples, unbiased: c.cka.unbiased }, { source, pt: m.pt, rit: m.rit, data: d }, label),
    );
    perTarget.distance.push(dag.add(distance, { exclude: ['fc'] }, { source, pt: m.pt, rit: m.rit }, label));
    perTarget.barrier.push(
      dag.add(barrier, { points: c.barrier.points }, { pt: m.pt, rit: m.rit, ritSameInit: m.ritSameInit, data: d }, label),
    );
    if (!c.criticality.targets || c.criticality.targets.includes(target)) {
      const { targets: _, ...grid } = c.criticality;
      perTarget.criticality.push(dag.add(criticality, grid, { pt: m.pt[0]!, rit: m.rit[0]!, ritAtPtLr: m.ritAtPtLr, data: d }, label));
    }
    perTarget.spectrum.push(dag.add(spectrum, {}, { source, pt: m.pt[0]!, rit: m.rit[0]! }, label));
  }
  const mainRuns = [...main.values()].flatMap((m) => [...m.pt, ...m.rit]);
  const lrVariants = [...main.values()].flatMap((m) => [m.ptAtRitLr, m.ritAtPtLr].filter((h) => h !== undefined));
  const curves = dag.add(learningCurves, {}, { main: mainRuns, lrVariants });
  const shuffledRuns = [...arms.shuffled.values()].flat();
  const blocks = shuffledRuns.length
    ? dag.add(blockShuffle, {}, { runs: shuffledRuns, data: p.shuffle.targets.map((t) => data.get(t)!) })
    : undefined;
  const checkpoints = arms.checkpointRuns.length ? dag.add(checkpointTransfer, {}, { source, runs: arms.checkpointRuns }) : undefined;
  const { spectrum: _, ...claimInputs } = perTarget;
  const card = dag.add(scorecard, { strict: p.strict }, { source, curves, ...claimInputs, blocks, checkpoints });
  const all = [...Object.values(perTarget).flat(), curves, ...(blocks ? [blocks] : []), ...(checkpoints ? [checkpoints] : []), card];
  return { perTarget, curves, blocks, checkpoints, card, all };
}

/** Fig. 1's strip of shuffled examples: the first replicate's permutation at each block size. */
function figureShuffles(p: Profile): { blockSize: Profile['shuffle']['blockSizes'][number]; draw: number }[] {
  const rule = p.shuffle.targets.length ? p.shuffle.weakPermutations : 'redraw';
  return p.shuffle.blockSizes.map((blockSize) => ({ blockSize, draw: planShuffles(p, blockSize, rule)[0]!.draw }));
}
