// criticality (Figs. 5 and 6): for a P-T and an RI-T run on one target — and, when given, RI-T
// trained at the P-T learning rate, so that "rewinding hurts RI-T more" and "RI-T's modules are
// more critical" can be told apart from "RI-T took larger steps" (both the rewinding damage and
// μ ∝ ‖Δθ‖² grow with the distance a module travelled, which grows with the lr):
//  • rewinding every module to its value at the start of fine-tuning (test accuracy/loss), and
//    the accuracy drop it causes with bootstrap draws over the test images (the same image
//    resamples for every run, so P-T and RI-T drops compare paired; stages/common/bootstrap.ts);
//  • Chatterji et al.'s criticality μ of EVERY module of the model on the direct-path (α × σ)
//    grid, and the network's Σ_i μ_i;
//  • for the chosen modules only, heat-maps of train accuracy/loss over (distance from the
//    initial value × noise σ) along the direct path and along the optimization path (the saved
//    epochs); their direct-path grid is also where those modules' μ is read off.
// "Start of fine-tuning" is the run's epoch-0 checkpoint: the pre-trained weights with a fresh head
// for P-T, the random init for RI-T. The open choices of the analysis are params: the α grid, the
// σ grid, noise draws, feasibility tolerance and the number of training images evaluated.
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import { tensorResources } from './common/resources.ts';
import { AT_LARGEST_SIGMA, SigmaGrid } from '../ml/analysis/criticality.ts';
import { StatisticDraws } from './common/bootstrap.ts';

/** run keys in criticality.json */
export const RUN_KEYS = { pt: 'P-T', rit: 'RI-T', ritAtPtLr: 'RI-T (P-T lr)' } as const;
export type RunKey = (typeof RUN_KEYS)[keyof typeof RUN_KEYS];

const Metric = z.object({ accuracy: z.number(), loss: z.number() });
const HeatmapOut = z.object({
  module: z.string(),
  path: z.enum(['direct', 'optimization']),
  deltaNorm: z.number(),
  x: z.array(z.number()),
  position: z.array(z.number()),
  sigmas: z.array(z.number()),
  accuracy: z.array(z.array(z.number())),
  loss: z.array(z.array(z.number())),
});
const ModuleCriticalityOut = z.object({
  module: z.string(),
  status: z.enum(['feasible', 'feasible at alpha = 0', AT_LARGEST_SIGMA, 'no feasible point on the grid']),
  mu: z.number().nullable(),
  log10Mu: z.number().nullable(),
  alpha: z.number().nullable(),
  sigma: z.number().nullable(),
  meanLoss: z.number().nullable(),
  deltaNorm: z.number(),
  from: z.enum(['heat-map', 'search']),
  atGridEdge: z.boolean(),
});
const RunOut = z.object({
  run: z.string(),
  init: z.string(),
  lr: z.number(),
  finalTrain: Metric,
  threshold: z.number(),
  /** test metrics of the final model ('none') and with each module rewound */
  rewinding: z.array(Metric.extend({ module: z.string() })),
  heatmaps: z.array(HeatmapOut),
  criticality: z.object({
    modules: z.array(ModuleCriticalityOut),
    network: z.object({
      mu: z.number().nullable(),
      log10Mu: z.number().nullable(),
      lowerBound: z.number(),
      modules: z.number().int(),
      missing: z.array(z.string()),
      atGridEdge: z.array(z.string()),
      note: z.string(),
    }),
  }),
  evaluations: z.number().int(),
});

export const CriticalityOutput = z.object({
  domain: z.string(),
  tolerance: z.number(),
  trainExamples: z.number().int(),
  alphas: z.array(z.number()),
  sigmas: z.array(z.number()),
  draws: z.number().int(),
  heatmapModules: z.array(z.string()),
  /** did RI-T (P-T lr) train at the P-T run's lr? null without that run */
  lrMatched: z.boolean().nullable(),
  /** by run key (RUN_KEYS) */
  runs: z.record(z.string(), RunOut),
  /** by run key, then module: test accuracy of the final model − with that module rewound */
  rewindingDrops: z.record(z.string(), z.record(z.string(), StatisticDraws)),
});
export type CriticalityOutput = z.infer<typeof CriticalityOutput>;

export const Params = z.strictObject({
  /** modules that get heat-maps (μ is computed for every module) */
  modules: z.array(z.string()).min(1),
  alphas: z.number().int().min(2),
  sigmas: SigmaGrid,
  draws: z.number().int().min(1),
  tolerance: z.number().min(1),
  examples: z.number().int().min(1),
});
export type Params = z.output<typeof Params>;

const DEPS = { pt: 'one', rit: 'one', ritAtPtLr: 'optional', data: 'one' } as const satisfies DepSpec;

export type CriticalityContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const criticality = defineStage(import.meta.url, {
  name: 'criticality',
  params: Params,
  deps: DEPS,
  resources: tensorResources(1536),
  run: async (ctx) => (await import('./run/criticality.ts')).run(ctx),
});
