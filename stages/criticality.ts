// criticality (Figs. 5 and 6): for a P-T and an RI-T run on one target,
//  • rewinding every module to its value at the start of fine-tuning (test accuracy/loss);
//  • for the chosen modules, heat-maps of train accuracy/loss over (distance from the initial
//    value × noise σ) along the direct path and along the optimization path (the saved epochs),
//    and Chatterji et al.'s scalar criticality from the direct-path grid.
// "Start of fine-tuning" is the run's epoch-0 checkpoint: the pre-trained weights with a fresh head
// for P-T, the random init for RI-T. Open choices (paper-spec §6) are params: the α grid, σ grid,
// noise draws, feasibility tolerance and the number of training images evaluated.
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { tensorResources } from './common/resources.ts';
import { initBackend } from '../ml/backend.ts';
import { criticalityScore, directPath, optimizationPath, rewinding, type Evaluator } from '../ml/analysis/criticality.ts';
import { linspace } from '../ml/analysis/barrier.ts';
import { evaluate, fixedSubset } from '../ml/evaluate.ts';
import { finalModel, weightsAtEpoch } from './common/models.ts';
import { readSplit } from './common/training.ts';

export const criticality = defineStage(import.meta.url, {
  name: 'criticality',
  params: z.strictObject({
    modules: z.array(z.string()).min(1),
    alphas: z.number().int().min(2),
    sigmas: z.array(z.number().min(0)).min(1),
    draws: z.number().int().min(1),
    tolerance: z.number().min(1),
    examples: z.number().int().min(1),
  }),
  deps: { pt: 'one', rit: 'one', data: 'one' },
  resources: tensorResources(1536),
  async run(ctx) {
    ctx.setMetadata('backend', await initBackend());
    const { modules, alphas, sigmas, draws, tolerance, examples } = ctx.params;
    const train = readSplit(ctx.deps.data, 'train');
    const test = readSplit(ctx.deps.data, 'test');
    const trainSubset = fixedSubset(train.header.count, Math.min(examples, train.header.count), 'criticality');
    const runs = { 'P-T': ctx.deps.pt, 'RI-T': ctx.deps.rit };
    const points = 2 * modules.length * sigmas.reduce((s, sg) => s + (sg === 0 ? 1 : draws), 0);
    let done = 0;
    const out: Record<string, unknown> = {};
    let domain = '';
    for (const [kind, entry] of Object.entries(runs)) {
      const m = finalModel(entry);
      domain = m.run.domain;
      for (const mod of modules) if (!m.model.modules.includes(mod)) throw new Error(`criticality.modules: "${mod}" is not a module of the model (modules: ${m.model.modules.join(', ')})`);
      const initial = weightsAtEpoch(entry, 0);
      const onTest: Evaluator = (w) => {
        const r = evaluate(m.model, w, test);
        return { accuracy: r.accuracy, loss: r.meanLoss };
      };
      const onTrain: Evaluator = (w) => {
        const r = evaluate(m.model, w, train, { indices: trainSubset });
        return { accuracy: r.accuracy, loss: r.meanLoss };
      };
      const epochs = Array.from({ length: m.run.epochs + 1 }, (_, e) => ({ epoch: e, weights: weightsAtEpoch(entry, e) }));
      const finalTrain = onTrain(m.weights);
      const heatmaps = [];
      const scores: Record<string, number | null> = {};
      for (const module of modules) {
        const opts = {
          module,
          final: m.weights,
          initial,
          sigmas,
          draws,
          evaluate: onTrain,
          onPoint: () => ctx.progress({ done: ++done, total: points * (alphas + epochs.length) / 2, message: `${kind} ${module}` }),
        };
        const direct = directPath(opts, linspace(0, 1, alphas));
        heatmaps.push(direct, optimizationPath(opts, epochs));
        scores[module] = criticalityScore(direct, finalTrain.loss, tolerance);
      }
      out[kind] = {
        run: m.id,
        finalTrain,
        rewinding: rewinding(m.weights, initial, m.model.modules, onTest),
        heatmaps,
        criticality: scores,
      };
    }
    ctx.writeJson('criticality.json', { domain, tolerance, trainExamples: trainSubset.length, runs: out });
  },
});
