// The cka stage's run (its definition, params and output schema: stages/cka.ts).
import type { Upstream } from '../../engine/stage.ts';
import { initBackend } from '../../ml/backend.ts';
import { ckaEstimates, subGram, subsampleCka, subsamples, type GramView } from '../../ml/analysis/cka.ts';
import { linearGramOnBackend } from '../../ml/analysis/gram-tf.ts';
import { activations, fixedSubset } from '../../ml/evaluate.ts';
import { Rng } from '../../ml/rng.ts';
import { finalModel, weightsAtEpoch, type TrainedModel } from '../common/models.ts';
import { PAIR, replicatePairs, type PairName } from '../common/pairs.ts';
import { readSplit } from '../common/training.ts';
import { CKA_DRAWS, ckaSummary, subsampleSize, type CkaContext, type CkaOutput } from '../cka.ts';

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

export async function run(ctx: CkaContext): Promise<void> {
  ctx.setMetadata('backend', await initBackend({ cpus: ctx.cpus }));
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
    grams.set(
      m,
      layers.map((l) => linearGramOnBackend(acts.get(l)!)),
    );
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
}

function fullGram(v: GramView, n: number): Float64Array {
  return v.perm
    ? subGram(
        v,
        n,
        Uint32Array.from({ length: n }, (_, i) => i),
      )
    : v.gram;
}

const sideId = (s: Side) => (s.perm ? `${s.model.id} (examples permuted)` : s.model.id);

/** Per compared pair and layer, its CKA on each subsample: [pair][layer][draw]. */
function ckaDraws(
  pairs: ComparedPair[],
  layers: number,
  view: (s: Side, l: number) => GramView,
  n: number,
  samples: Uint32Array[],
  unbiased: boolean,
): Float64Array[][] {
  const sides = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const index = pairs.map((p) => [sides.indexOf(p.a), sides.indexOf(p.b)] as const);
  const out: Float64Array[][] = pairs.map(() => []);
  for (let l = 0; l < layers; l++) {
    const draws = subsampleCka(
      sides.map((s) => view(s, l)),
      index,
      n,
      samples,
      unbiased,
    );
    draws.forEach((d, k) => out[k]!.push(d));
  }
  return out;
}

/** Table 1's pairs by type, in order, then the controls: untrained (a baseline), identical, unrelated. */
function comparedPairs(source: Upstream, ptEntries: Upstream[], ritEntries: Upstream[], n: number): ComparedPair[] {
  if (ptEntries.length < 2 || ritEntries.length < 2)
    throw new Error(`cka: needs at least two P-T and two RI-T runs (got ${ptEntries.length} and ${ritEntries.length})`);
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
  const canonical = new Map<TrainedModel, Side>([
    [pt[0]!, pt0],
    [pt[1]!, pt1],
  ]);
  const one = (s: Side) => (s.perm ? s : (canonical.get(s.model) ?? canonical.set(s.model, s).get(s.model)!));
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
