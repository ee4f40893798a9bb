// What `diff` compares between two runs of the experiment: the scorecard's verdicts (with their
// effect sizes) and the headline numbers of the analyses: each training run's final test
// accuracy and optimization speed, the barrier heights, CKA per layer and the parameter distances,
// per pair type. Each is read with the schema its producing stage defines.
import type { HeadlineResults, ResultValue } from '../engine/results-diff.ts';
import type { Upstream } from '../engine/stage.ts';
import { barrier, BarrierOutput } from '../stages/barrier.ts';
import { cka, CkaOutput } from '../stages/cka.ts';
import { TrainingRun } from '../stages/common/schemas.ts';
import { distance, DistanceOutput } from '../stages/distance.ts';
import { finetune } from '../stages/finetune.ts';
import { pretrain } from '../stages/pretrain.ts';
import { scorecard } from '../stages/scorecard.ts';
import { ScorecardOutput } from '../stages/scorecard/output.ts';

type Results = Record<string, ResultValue>;
const metric = (value: number): ResultValue => ({ kind: 'metric', value });

const READERS: Record<string, (entry: Upstream) => Results> = {
  [pretrain.name]: trainingResults,
  [finetune.name]: trainingResults,
  [barrier.name]: (e) => {
    const out: Results = {};
    for (const [pair, s] of Object.entries(e.json('barrier.json', BarrierOutput).summary)) {
      out[`${pair}: accuracy barrier`] = metric(s.accuracyBarrier.estimate);
      out[`${pair}: loss barrier`] = metric(s.lossBarrier.estimate);
    }
    return out;
  },
  [cka.name]: (e) => {
    const c = e.json('cka.json', CkaOutput);
    const out: Results = {};
    for (const [pair, s] of Object.entries(c.summary))
      s.values.forEach((v, i) => (out[`${pair}: CKA ${c.layers[i]}`] = metric(v.estimate)));
    return out;
  },
  [distance.name]: (e) => {
    const d = e.json('distance.json', DistanceOutput);
    const out: Results = { 'distance ratio': metric(d.ratio.estimate) };
    for (const [pair, s] of Object.entries(d.summary)) out[`${pair}: ℓ2 distance`] = metric(s.total.estimate);
    return out;
  },
  [scorecard.name]: scorecardResults,
};

function trainingResults(entry: Upstream): Results {
  const r = entry.json('run.json', TrainingRun);
  return {
    'final test accuracy': metric(r.finalTestAccuracy),
    'final test loss': metric(r.finalTestLoss),
    'optimization speed': metric(r.optimizationSpeed),
  };
}

function scorecardResults(entry: Upstream): Results {
  const card = entry.json('scorecard.json', ScorecardOutput);
  const out: Results = {};
  for (const c of card.claims) out[c.id] = { kind: 'verdict', value: c.verdict, detail: c.ours };
  for (const c of card.controls) {
    const value = c.passed === null ? 'not measured' : c.passed ? 'passed' : 'FAILED';
    out[`control ${c.id}`] = { kind: 'verdict', value, detail: c.measurements.map((m) => m.text).join('; ') };
  }
  return out;
}

export const headlineResults: HeadlineResults = {
  stages: Object.keys(READERS),
  read: (entry) => READERS[entry.stage]!(entry),
};
