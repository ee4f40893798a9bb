// The names of the model pairs the analyses compare, as the paper's tables and figures name
// them; every producer and reader uses these constants.
export const PAIR = {
  ptPt: 'P-T & P-T',
  ptP: 'P-T & P',
  ptRit: 'P-T & RI-T',
  ritPt: 'RI-T & P-T',
  ritRit: 'RI-T & RI-T',
  ritRitSameInit: 'RI-T & RI-T (same init)',
  ritP: 'RI-T & P',
  /** controls: a model with itself (CKA 1, barrier 0, κ 1 by definition) */
  identical: 'P-T & itself (control)',
  /** control: two independently initialised, untrained networks (a random-network baseline) */
  untrained: 'untrained & untrained (control)',
  /** control: one model's features against another's on shuffled examples (CKA ≈ 0) */
  unrelated: 'P-T & P-T, examples shuffled (control)',
} as const;
export type PairName = (typeof PAIR)[keyof typeof PAIR];

/**
 * Replicate pairs (i, j) of two lists of runs: within one list every unordered pair; across two
 * lists every (i, j) with i ≠ j, so the two models never share a seed (data order).
 */
export function replicatePairs<T>(a: readonly T[], b?: readonly T[]): [T, T][] {
  const out: [T, T][] = [];
  if (!b) {
    for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) out.push([a[i]!, a[j]!]);
  } else {
    for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) if (i !== j) out.push([a[i]!, b[j]!]);
  }
  if (!out.length) throw new Error(`replicate pairs need at least two runs (got ${a.length}${b ? ` and ${b.length}` : ''})`);
  return out;
}
