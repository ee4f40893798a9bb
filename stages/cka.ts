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
import { defineStage, type Upstream } from '../engine/stage.ts';
import { tensorResources } from './common/resources.ts';
import { initBackend } from '../ml/backend.ts';
import { ckaEstimates, subGram, subsampleCka, subsamples, type GramView } from '../ml/analysis/cka.ts';
import { linearGramOnBackend } from '../ml/analysis/gram-tf.ts';
import { activations, fixedSubset } from '../ml/evaluate.ts';
import { Rng } from '../ml/rng.ts';
import { replicateResamples, StatisticDraws } from './common/bootstrap.ts';
import { finalModel, weightsAtEpoch, type TrainedModel } from './common/models.ts';
import { PAIR, replicatePairs, type PairName } from './common/pairs.ts';
import { readSplit } from './common/training.ts';

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
    z.object({ pair: z.string(), replicate: z.number().int(), a: z.string(), b: z.string(), values: z.array(z.number()), biased: z.array(z.number()), debiased: z.array(z.number()) }),
  ),
  /**
   * per pair type: the mean over its replicate pairs, one StatisticDraws per layer of the selected
   * estimator, with CKA_DRAWS (not BOOTSTRAP_DRAWS) draws over replicate pairs and image subsamples
   */
  summary: z.record(z.string(), z.object({ pairs: z.number().int(), values: z.array(StatisticDraws) })),
});
export type CkaOutput = z.infer<typeof CkaOutput>;

/** One side of a compared pair: a model's features, or them on permuted examples. */
interface Side {
  model: TrainedModel;
  perm?: Uint32Array;
}
interface ComparedPair {
  pair: PairName;
  replicate: number;
  a: Side;
  b: Side;
}

export const cka = defineStage(import.meta.url, {
  name: 'cka',
  params: z.strictObject({ examples: z.number().int().min(4), unbiased: z.boolean() }),
  deps: { source: 'one', pt: 'many', rit: 'many', data: 'one' },
  resources: tensorResources(2048),
  async run(ctx) {
    ctx.setMetadata('backend', await initBackend());
    const test = readSplit(ctx.deps.data, 'test');
    const indices = fixedSubset(test.header.count, Math.min(ctx.params.examples, test.header.count), 'cka');
    const n = indices.length;
    const pairs = comparedPairs(ctx.deps.source, ctx.deps.pt, ctx.deps.rit, n);
    const layers = [...pairs[0]!.a.model.model.stageNames];
    // one Gram per model and layer, of column-centred features, on all n images
    const grams = new Map<TrainedModel, Float64Array[]>();
    for (const m of new Set(pairs.flatMap((p) => [p.a.model, p.b.model]))) {
      ctx.progress({ message: `activations of ${m.id}` });
      const acts = activations(m.model, m.weights, test, layers, { indices });
      grams.set(m, layers.map((l) => linearGramOnBackend(acts.get(l)!)));
    }
    const view = (s: Side, l: number): GramView => ({ gram: grams.get(s.model)![l]!, perm: s.perm });
    const domain = pairs[0]!.a.model.run.domain;
    const unbiased = ctx.params.unbiased;
    const rows = pairs.map(({ pair, replicate, a, b }) => {
      const est = layers.map((_, l) => ckaEstimates(fullGram(view(a, l), n), fullGram(view(b, l), n), n));
      const biased = est.map((e) => e.biased);
      const debiased = est.map((e) => e.debiased);
      return { pair, replicate, a: sideId(a), b: sideId(b), values: unbiased ? debiased : biased, biased, debiased };
    });
    ctx.progress({ message: `CKA bootstrap (${CKA_DRAWS} subsamples)` });
    const m = subsampleSize(n);
    const perPair = ckaDraws(pairs, layers.length, view, n, subsamples(n, m, CKA_DRAWS, `cka/${domain}`), unbiased);
    ctx.writeJson('cka.json', {
      domain,
      examples: n,
      unbiased,
      estimator: unbiased ? 'debiased' : 'biased',
      layers,
      subsample: m,
      pairs: rows,
      summary: ckaSummary(rows.map((r, k) => ({ pair: r.pair, values: r.values, draws: perPair[k]! }))),
    } satisfies CkaOutput);
  },
});

/** Images per subsample: half of them, but at least the 4 the debiased estimator needs. */
export function subsampleSize(n: number): number {
  return Math.min(n, Math.max(4, Math.floor(n / 2)));
}

function fullGram(v: GramView, n: number): Float64Array {
  return v.perm ? subGram(v, n, Uint32Array.from({ length: n }, (_, i) => i)) : v.gram;
}

const sideId = (s: Side) => (s.perm ? `${s.model.id} (examples permuted)` : s.model.id);

/** Per compared pair and layer, its CKA on each subsample: [pair][layer][draw]. */
function ckaDraws(pairs: ComparedPair[], layers: number, view: (s: Side, l: number) => GramView, n: number, samples: Uint32Array[], unbiased: boolean): Float64Array[][] {
  const sides = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const index = pairs.map((p) => [sides.indexOf(p.a), sides.indexOf(p.b)] as const);
  const out: Float64Array[][] = pairs.map(() => []);
  for (let l = 0; l < layers; l++) {
    const draws = subsampleCka(sides.map((s) => view(s, l)), index, n, samples, unbiased);
    draws.forEach((d, k) => out[k]!.push(d));
  }
  return out;
}

/**
 * Per pair type and layer: the mean over its replicate pairs, and per draw b the mean over the
 * replicate pairs `replicateResamples(k, 'cka/<pair>')` picks of their draw-b values.
 */
export function ckaSummary(rows: readonly { pair: string; values: readonly number[]; draws: readonly ArrayLike<number>[] }[]): CkaOutput['summary'] {
  const summary: CkaOutput['summary'] = {};
  for (const pair of [...new Set(rows.map((r) => r.pair))]) {
    const group = rows.filter((r) => r.pair === pair);
    const layers = group[0]!.values.length;
    const draws = group[0]!.draws[0]?.length ?? 0;
    for (const r of group) if (r.values.length !== layers || r.draws.length !== layers || r.draws.some((d) => d.length !== draws)) throw new Error(`ckaSummary: the ${pair} pairs differ in layers or draws`);
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

/** Table 1's pairs by type, in order, then the controls: untrained (a baseline), identical, unrelated. */
function comparedPairs(source: Upstream, ptEntries: Upstream[], ritEntries: Upstream[], n: number): ComparedPair[] {
  if (ptEntries.length < 2 || ritEntries.length < 2) throw new Error(`cka: needs at least two P-T and two RI-T runs (got ${ptEntries.length} and ${ritEntries.length})`);
  const pt = ptEntries.map(finalModel);
  const rit = ritEntries.map(finalModel);
  const P = withHeadOf(finalModel(source), pt[0]!);
  const side = (model: TrainedModel): Side => ({ model });
  const [pt0, pt1] = [side(pt[0]!), side(pt[1]!)];
  // a fixed permutation of the examples: pt[1]'s features no longer belong to pt[0]'s images
  const permuted: Side = { model: pt[1]!, perm: Rng.from('cka-unrelated', n).permutation(n) };
  const types: [PairName, [Side, Side][]][] = [
    [PAIR.ptP, pt.map((m) => [side(m), side(P)])],
    [PAIR.ptPt, replicatePairs(pt).map(([a, b]) => [side(a), side(b)])],
    [PAIR.ptRit, replicatePairs(pt, rit).map(([a, b]) => [side(a), side(b)])],
    [PAIR.ritRit, replicatePairs(rit).map(([a, b]) => [side(a), side(b)])],
    [PAIR.untrained, [[side(untrained(rit[0]!, ritEntries[0]!)), side(untrained(rit[1]!, ritEntries[1]!))]]],
    [PAIR.identical, [[pt0, pt0]]],
    [PAIR.unrelated, [[pt0, permuted]]],
  ];
  // one Side object per model (and one for the permuted view), so each view is centred once per draw
  const canonical = new Map<TrainedModel, Side>([[pt[0]!, pt0], [pt[1]!, pt1]]);
  const one = (s: Side) => (s.perm ? s : canonical.get(s.model) ?? canonical.set(s.model, s).get(s.model)!);
  return types.flatMap(([pair, list]) => list.map(([a, b], replicate) => ({ pair, replicate, a: one(a), b: one(b) })));
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
