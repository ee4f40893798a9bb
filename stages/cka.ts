// cka (Table 1): linear CKA between the same layer (stem and each stage's output) of two models
// on a fixed subset of target test images, for P-T & P, P-T & P-T, P-T & RI-T and RI-T & RI-T,
// plus a control the paper does not have: two independently initialised, untrained networks
// (the RI-T runs' epoch-0 weights), which shows the estimator's floor.
// Choices the paper leaves open: the kernel (linear), how a layer's output becomes a feature
// vector (flattened), how many test images (`examples`), and the HSIC estimator. The debiased
// estimator is the default (`unbiased`): the biased one is far from 0 for unrelated features
// (≈0.9 at n = 500, d = 4096, ≈0.7 at d = 1024), so it falls with layer width alone. Both are
// written (`biased`, `debiased`); `values` is the selected one.
import { z } from 'zod';
import { defineStage, type Upstream } from '../engine/stage.ts';
import { tensorResources } from './common/resources.ts';
import { initBackend } from '../ml/backend.ts';
import { ckaEstimates } from '../ml/analysis/cka.ts';
import { linearGramOnBackend } from '../ml/analysis/gram-tf.ts';
import { activations, fixedSubset } from '../ml/evaluate.ts';
import { finalModel, pairOf, weightsAtEpoch, type TrainedModel } from './common/models.ts';
import { readSplit } from './common/training.ts';

const CONTROL_PAIR = 'untrained & untrained (control)';

export const cka = defineStage(import.meta.url, {
  name: 'cka',
  params: z.strictObject({ examples: z.number().int().min(4), unbiased: z.boolean() }),
  deps: { source: 'one', pt: 'many', rit: 'many', data: 'one' },
  resources: tensorResources(2048),
  async run(ctx) {
    ctx.setMetadata('backend', await initBackend());
    const test = readSplit(ctx.deps.data, 'test');
    const indices = fixedSubset(test.header.count, Math.min(ctx.params.examples, test.header.count), 'cka');
    const pairs = comparedPairs(ctx.deps.source, ctx.deps.pt, ctx.deps.rit);
    const layers = [...pairs[0]![1].model.stageNames];
    // one Gram per model and layer, of column-centred features; each pair centres its own copies
    const grams = new Map<TrainedModel, Map<string, Float64Array>>();
    for (const m of new Set(pairs.flatMap(([, a, b]) => [a, b]))) {
      ctx.progress({ message: `activations of ${m.id}` });
      const acts = activations(m.model, m.weights, test, layers, { indices });
      grams.set(m, new Map(layers.map((l) => [l, linearGramOnBackend(acts.get(l)!)])));
    }
    ctx.writeJson('cka.json', {
      domain: pairs[0]![1].run.domain,
      examples: indices.length,
      unbiased: ctx.params.unbiased,
      estimator: ctx.params.unbiased ? 'debiased' : 'biased',
      layers,
      pairs: pairs.map(([pair, a, b]) => {
        const est = layers.map((l) => ckaEstimates(grams.get(a)!.get(l)!, grams.get(b)!.get(l)!, indices.length));
        const biased = est.map((e) => e.biased);
        const debiased = est.map((e) => e.debiased);
        return { pair, a: a.id, b: b.id, values: ctx.params.unbiased ? debiased : biased, biased, debiased };
      }),
    });
  },
});

/** Table 1's pairs, in order, with the control (two untrained networks) last. */
function comparedPairs(source: Upstream, pt: Upstream[], rit: Upstream[]): [string, TrainedModel, TrainedModel][] {
  const [pt0, pt1] = pairOf(pt, 'cka P-T').map(finalModel) as [TrainedModel, TrainedModel];
  const P = withHeadOf(finalModel(source), pt0);
  const [ritEntry0, ritEntry1] = pairOf(rit, 'cka RI-T');
  const [rit0, rit1] = [finalModel(ritEntry0), finalModel(ritEntry1)];
  return [
    ['P-T & P', pt0, P],
    ['P-T & P-T', pt0, pt1],
    ['P-T & RI-T', pt0, rit0],
    ['RI-T & RI-T', rit0, rit1],
    [CONTROL_PAIR, untrained(rit0, ritEntry0), untrained(rit1, ritEntry1)],
  ];
}

/** An RI-T run's random initialisation (its epoch-0 checkpoint), before any training. */
function untrained(m: TrainedModel, entry: Upstream): TrainedModel {
  return { ...m, id: `${m.id}@epoch-0`, weights: weightsAtEpoch(entry, 0) };
}

/**
 * P's trunk under a target-shaped head: P has the source's classes, and only the trunk's
 * activations are compared, so any head of the right shape will do (P-T's is used).
 */
function withHeadOf(p: TrainedModel, target: TrainedModel): TrainedModel {
  const weights = new Map([...p.weights].map(([n, t]) => [n, n.startsWith('fc.') ? target.weights.get(n)! : t]));
  return { ...p, model: target.model, weights };
}
