// The criticality stage's run (its definition, params and output schema: stages/criticality.ts).
import type { Dataset } from '../../data/dataset.ts';
import type { Upstream } from '../../engine/stage.ts';
import { initBackend } from '../../ml/backend.ts';
import {
  criticalityScore,
  directPath,
  networkCriticality,
  optimizationPath,
  rewinding,
  rewindingDrops,
  searchCriticality,
  type Evaluator,
  type Heatmap,
  type ModuleCriticality,
} from '../../ml/analysis/criticality.ts';
import { linspace } from '../../ml/analysis/barrier.ts';
import { evaluate, fixedSubset } from '../../ml/evaluate.ts';
import { imageResamples, type StatisticDraws } from '../common/bootstrap.ts';
import { finalModel, weightsAtEpoch, type TrainedModel } from '../common/models.ts';
import { readSplit } from '../common/training.ts';
import type { Weights } from '../../ml/weights.ts';
import { RUN_KEYS, type CriticalityContext, type CriticalityOutput, type Params } from '../criticality.ts';

interface Sets {
  train: Dataset;
  test: Dataset;
  trainSubset: Uint32Array;
}

interface Analysed {
  key: string;
  entry: Upstream;
  m: TrainedModel;
}

export async function run(ctx: CriticalityContext): Promise<void> {
  ctx.setMetadata('backend', await initBackend({ cpus: ctx.cpus }));
  const p = ctx.params;
  const train = readSplit(ctx.deps.data, 'train');
  const sets: Sets = {
    train,
    test: readSplit(ctx.deps.data, 'test'),
    trainSubset: fixedSubset(train.header.count, Math.min(p.examples, train.header.count), 'criticality'),
  };
  const runs = loadRuns(ctx.deps, p.modules);
  const lrMatched = lrMatchedOf(runs);
  if (lrMatched === false)
    ctx.log(
      `warning: ${RUN_KEYS.ritAtPtLr} (${ctx.deps.ritAtPtLr!.id}) did not train at the P-T run's lr (e.g. a per-instance override); it is analysed, but is no lr-matched comparison (lrMatched: false)`,
    );
  const total = runs.reduce((s, r) => s + evaluationBound(r.m, p), 0);
  const domain = runs[0]!.m.run.domain;
  // the same image resamples for every run: drops of different runs combine paired
  const images = imageResamples(domain, sets.test.header.count);
  let done = 0;
  const out: CriticalityOutput['runs'] = {};
  const drops: CriticalityOutput['rewindingDrops'] = {};
  for (const r of runs) {
    const start = done;
    [out[r.key], drops[r.key]] = analyseRun(r, p, sets, images, (what) =>
      ctx.progress({ done: ++done, total, message: `${r.key} ${what}` }),
    );
    done = start + evaluationBound(r.m, p); // the pruned μ search usually needs fewer than its bound
    ctx.progress({ done, total });
  }
  ctx.writeJson('criticality.json', {
    domain,
    tolerance: p.tolerance,
    trainExamples: sets.trainSubset.length,
    alphas: linspace(0, 1, p.alphas),
    sigmas: p.sigmas,
    draws: p.draws,
    heatmapModules: p.modules,
    lrMatched,
    runs: out,
    rewindingDrops: drops,
  } satisfies CriticalityOutput);
}

/** The runs to analyse, under their keys; checks each is what its dep name says. */
function loadRuns(deps: { pt: Upstream; rit: Upstream; ritAtPtLr: Upstream | undefined }, modules: readonly string[]): Analysed[] {
  const runs: Analysed[] = [];
  for (const [dep, key] of Object.entries(RUN_KEYS) as [keyof typeof RUN_KEYS, string][]) {
    const entry = deps[dep];
    if (!entry) continue;
    const m = finalModel(entry);
    const kind = dep === 'pt' ? 'P-T' : 'RI-T';
    if (m.run.kind !== kind) throw new Error(`criticality.${dep}: ${entry.id} is a ${m.run.kind} run, expected ${kind}`);
    for (const mod of modules)
      if (!m.model.modules.includes(mod))
        throw new Error(`criticality.modules: "${mod}" is not a module of the model (modules: ${m.model.modules.join(', ')})`);
    runs.push({ key, entry, m });
  }
  const pt = runs[0]!.m.run;
  for (const r of runs)
    if (r.m.run.domain !== pt.domain) throw new Error(`criticality: ${r.entry.id} is on ${r.m.run.domain}, the P-T run on ${pt.domain}`);
  return runs;
}

/** Did RI-T (P-T lr) train at the P-T run's lr? null when there is no such run. */
function lrMatchedOf(runs: readonly Analysed[]): boolean | null {
  const matched = runs.find((r) => r.key === RUN_KEYS.ritAtPtLr);
  return matched ? matched.m.run.lr === runs[0]!.m.run.lr : null;
}

/**
 * Train-set evaluations of one run, at most: the final model, the heat-maps (direct and
 * optimization path) of the chosen modules, and the pruned μ search of every other module.
 */
export function evaluationBound(m: TrainedModel, p: Params): number {
  const perPoint = p.sigmas.length * p.draws;
  const heat = p.modules.length * (p.alphas + m.run.completedEpochs + 1) * perPoint;
  const search = m.model.modules.filter((x) => !p.modules.includes(x)).length * p.alphas * perPoint;
  return 1 + heat + search;
}

/** One run's analysis, and its rewinding drops on the image resamples. */
function analyseRun(
  r: Analysed,
  p: Params,
  sets: Sets,
  images: readonly Uint32Array[],
  tick: (what: string) => void,
): [CriticalityOutput['runs'][string], Record<string, StatisticDraws>] {
  const { m, entry } = r;
  const initial = weightsAtEpoch(entry, 0);
  let evaluations = 0;
  const onTrain: Evaluator = (w) => {
    evaluations++;
    const e = evaluate(m.model, w, sets.train, { indices: sets.trainSubset });
    return { accuracy: e.accuracy, loss: e.meanLoss };
  };
  const onTest = (w: Weights) => {
    const e = evaluate(m.model, w, sets.test);
    return { accuracy: e.accuracy, loss: e.meanLoss, correct: e.correct };
  };
  const finalTrain = onTrain(m.weights);
  const threshold = p.tolerance * finalTrain.loss;
  const heatmaps = heatmapsOf(r, initial, p, onTrain, tick);
  const modules = moduleCriticalities(r, initial, p, heatmaps, threshold, onTrain, tick);
  const rewound = rewinding(m.weights, initial, m.model.modules, onTest);
  const analysis = {
    run: m.id,
    init: m.run.kind,
    lr: m.run.lr,
    finalTrain,
    threshold,
    rewinding: rewound.map(({ correct: _, ...metric }) => metric),
    heatmaps,
    criticality: { modules, network: networkCriticality(modules) },
    evaluations,
  };
  return [analysis, rewindingDrops(rewound, images)];
}

/** Direct- and optimization-path heat-maps of the chosen modules. */
function heatmapsOf(r: Analysed, initial: Weights, p: Params, onTrain: Evaluator, tick: (what: string) => void): Heatmap[] {
  const epochs = Array.from({ length: r.m.run.completedEpochs + 1 }, (_, e) => ({ epoch: e, weights: weightsAtEpoch(r.entry, e) }));
  return p.modules.flatMap((module) => {
    const opts = {
      module,
      final: r.m.weights,
      initial,
      sigmas: p.sigmas,
      draws: p.draws,
      evaluate: onTrain,
      onPoint: () => tick(`${module} heat-map`),
    };
    return [directPath(opts, linspace(0, 1, p.alphas)), optimizationPath(opts, epochs)];
  });
}

/** μ of every module in model order: read off the heat-map where there is one, else searched on the same grid. */
function moduleCriticalities(
  r: Analysed,
  initial: Weights,
  p: Params,
  heatmaps: readonly Heatmap[],
  threshold: number,
  onTrain: Evaluator,
  tick: (what: string) => void,
): ModuleCriticality[] {
  return r.m.model.modules.map((module) => {
    const direct = heatmaps.find((h) => h.module === module && h.path === 'direct');
    if (direct) return criticalityScore(direct, threshold);
    const { evaluations: _, ...found } = searchCriticality({
      module,
      final: r.m.weights,
      initial,
      alphas: linspace(0, 1, p.alphas),
      sigmas: p.sigmas,
      draws: p.draws,
      threshold,
      evaluate: onTrain,
      onPoint: () => tick(`${module} μ`),
    });
    return found;
  });
}
