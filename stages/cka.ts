// cka (Table 1): linear CKA between the same layer (stem and each stage's output) of two models
// on a fixed subset of target test images, for P-T & P, P-T & P-T, P-T & RI-T and RI-T & RI-T.
// Choices the paper leaves open (paper-spec §3b, §6): linear kernel, flattened layer outputs,
// `examples` test images, biased HSIC by default (`unbiased` selects the debiased estimator).
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { tensorResources } from './common/resources.ts';
import { initBackend } from '../ml/backend.ts';
import { centerGram, ckaFromCenteredGrams } from '../ml/analysis/cka.ts';
import { linearGramOnBackend } from '../ml/analysis/gram-tf.ts';
import { activations, fixedSubset } from '../ml/evaluate.ts';
import { finalModel, pairOf, type TrainedModel } from './common/models.ts';
import { readSplit } from './common/training.ts';

export const cka = defineStage(import.meta.url, {
  name: 'cka',
  params: z.strictObject({ examples: z.number().int().min(4), unbiased: z.boolean() }),
  deps: { source: 'one', pt: 'many', rit: 'many', data: 'one' },
  resources: tensorResources(2048),
  async run(ctx) {
    ctx.setMetadata('backend', await initBackend());
    const test = readSplit(ctx.deps.data, 'test');
    const indices = fixedSubset(test.header.count, Math.min(ctx.params.examples, test.header.count), 'cka');
    const [pt0, pt1] = pairOf(ctx.deps.pt, 'cka P-T').map(finalModel) as [TrainedModel, TrainedModel];
    const P = withHeadOf(finalModel(ctx.deps.source), pt0);
    const [rit0, rit1] = pairOf(ctx.deps.rit, 'cka RI-T').map(finalModel) as [TrainedModel, TrainedModel];
    const layers = [...pt0.model.stageNames];
    const grams = new Map<TrainedModel, Map<string, Float64Array>>();
    for (const m of [P, pt0, pt1, rit0, rit1]) {
      ctx.progress({ message: `activations of ${m.id}` });
      const acts = activations(m.model, m.weights, test, layers, { indices });
      grams.set(m, new Map(layers.map((l) => [l, centerGram(linearGramOnBackend(acts.get(l)!), indices.length, ctx.params.unbiased)])));
    }
    const pairs = [
      ['P-T & P', pt0, P],
      ['P-T & P-T', pt0, pt1],
      ['P-T & RI-T', pt0, rit0],
      ['RI-T & RI-T', rit0, rit1],
    ] as const;
    ctx.writeJson('cka.json', {
      domain: pt0.run.domain,
      examples: indices.length,
      unbiased: ctx.params.unbiased,
      layers,
      pairs: pairs.map(([pair, a, b]) => ({
        pair,
        a: a.id,
        b: b.id,
        values: layers.map((l) => ckaFromCenteredGrams(grams.get(a)!.get(l)!, grams.get(b)!.get(l)!)),
      })),
    });
  },
});

/**
 * P's trunk under a target-shaped head: P has the source's classes, and only the trunk's
 * activations are compared, so any head of the right shape will do (P-T's is used).
 */
function withHeadOf(p: TrainedModel, target: TrainedModel): TrainedModel {
  const weights = new Map([...p.weights].map(([n, t]) => [n, n.startsWith('fc.') ? target.weights.get(n)! : t]));
  return { ...p, model: target.model, weights };
}
