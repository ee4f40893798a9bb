// cka (Table 1): linear CKA between the same layer (stem and each stage's output) of two models
// on a fixed subset of target test images, for the replicate pairs of P-T & P (each P-T), P-T &
// P-T, P-T & RI-T (never sharing a seed) and RI-T & RI-T, and three controls the paper does not
// have: a model with itself (CKA 1 by definition); one P-T model's features against another's with
// the examples of one side permuted by a fixed permutation (unrelated features: the debiased
// estimator's true floor, ≈ 0); and two independently initialised, untrained networks (the RI-T
// runs' epoch-0 weights): a random-network baseline, which is NOT the floor (random convolutional
// features of the same images share low-level structure, so their CKA is well above 0).
// Choices the paper leaves open: the kernel (linear), how a layer's output becomes a feature
// vector (flattened), how many test images (`examples`), and the HSIC estimator. The debiased
// estimator is the default (`unbiased`): the biased one is far from 0 for unrelated features
// (≈0.9 at n = 500, d = 4096, ≈0.7 at d = 1024), so it falls with layer width alone. Both are
// written per pair (`biased`, `debiased`); `values` and the summary are the selected one.
// Per pair type, the summary is the mean over its replicate pairs with CKA_DRAWS bootstrap draws:
// draw b resamples the replicate pairs (with replacement, stream `cka/<pair>`) and subsamples the
// images without replacement (ml/analysis/cka.ts says why, and why that interval is conservative).
// Cost: the Grams are computed once per model and layer on all n images; a draw only extracts and
// centres m×m submatrices (≈ 6 s per target on a 2-core machine for n = 500, 4 layers, 9 models,
// 18 pairs; test/analysis/cka-bootstrap.test.ts measures it).
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import { tensorResources } from './common/resources.ts';
import { replicateResamples, StatisticDraws } from './common/bootstrap.ts';

/** Bootstrap draws of the CKA summary: fewer than BOOTSTRAP_DRAWS, as each costs O(models·layers·m²). */
export const CKA_DRAWS = 200;

export const CkaOutput = z.object({
  domain: z.string(),
  /** test images compared (a fixed subset) */
  examples: z.number().int(),
  /** which estimator `values` and `summary` hold */
  unbiased: z.boolean(),
  estimator: z.enum(['debiased', 'biased']),
  layers: z.array(z.string()),
  /** images per bootstrap subsample (⌊examples/2⌋, at least 4), drawn without replacement */
  subsample: z.number().int(),
  /** every compared pair; `replicate` numbers the pairs of one pair type; per layer */
  pairs: z.array(
    z.object({
      pair: z.string(),
      replicate: z.number().int(),
      a: z.string(),
      b: z.string(),
      values: z.array(z.number()),
      biased: z.array(z.number()),
      debiased: z.array(z.number()),
    }),
  ),
  /**
   * per pair type: the mean over its replicate pairs, one StatisticDraws per layer of the selected
   * estimator, with CKA_DRAWS (not BOOTSTRAP_DRAWS) draws over replicate pairs and image subsamples
   */
  summary: z.record(z.string(), z.object({ pairs: z.number().int(), values: z.array(StatisticDraws) })),
});
export type CkaOutput = z.infer<typeof CkaOutput>;

const Params = z.strictObject({ examples: z.number().int().min(4), unbiased: z.boolean() });
const DEPS = { source: 'one', pt: 'many', rit: 'many', data: 'one' } as const satisfies DepSpec;

export type CkaContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const cka = defineStage(import.meta.url, {
  name: 'cka',
  params: Params,
  deps: DEPS,
  resources: tensorResources(2048),
  run: async (ctx) => (await import('./run/cka.ts')).run(ctx),
});

/** Images per subsample: half of them, but at least the 4 the debiased estimator needs. */
export function subsampleSize(n: number): number {
  return Math.min(n, Math.max(4, Math.floor(n / 2)));
}

/**
 * Per pair type and layer: the mean over its replicate pairs, and per draw b the mean over the
 * replicate pairs `replicateResamples(k, 'cka/<pair>')` picks of their draw-b values.
 */
export function ckaSummary(
  rows: readonly { pair: string; values: readonly number[]; draws: readonly ArrayLike<number>[] }[],
): CkaOutput['summary'] {
  const summary: CkaOutput['summary'] = {};
  for (const pair of [...new Set(rows.map((r) => r.pair))]) {
    const group = rows.filter((r) => r.pair === pair);
    const layers = group[0]!.values.length;
    const draws = group[0]!.draws[0]?.length ?? 0;
    for (const r of group)
      if (r.values.length !== layers || r.draws.length !== layers || r.draws.some((d) => d.length !== draws))
        throw new Error(`ckaSummary: the ${pair} pairs differ in layers or draws`);
    const picks = replicateResamples(group.length, `cka/${pair}`, draws);
    const values = Array.from({ length: layers }, (_, l) => ({
      estimate: group.reduce((s, r) => s + r.values[l]!, 0) / group.length,
      draws: picks.map((pick, b) => {
        let s = 0;
        for (let j = 0; j < pick.length; j++) s += group[pick[j]!]!.draws[l]![b]!;
        return s / pick.length;
      }),
    }));
    summary[pair] = { pairs: group.length, values };
  }
  return summary;
}
