// Negative and positive controls: inputs where the answer is known. Each control either must
// hold (a model compared with itself: CKA 1, barrier 0, κ 1; unrelated features: CKA ≈ 0) or must
// NOT hold (a claim evaluated on inputs where it is false: P-T from the untrained checkpoint 0
// has no pre-training to transfer; two untrained networks have no learned features). A control
// that comes out the wrong way makes the scorecard's evidence suspect, and fails `--strict`.
import { z } from 'zod';
import { combine, type StatisticDraws } from '../common/bootstrap.ts';
import { PAIR } from '../common/pairs.ts';
import type { ScorecardInputs } from './inputs.ts';
import { allOf, compare, Measurement, notMeasured, num, pts, within } from './verdict.ts';

export const ControlResult = z.object({
  id: z.string(),
  description: z.string(),
  expectation: z.enum(['must hold', 'must not hold']),
  measurements: z.array(Measurement),
  /** null: not measured */
  passed: z.boolean().nullable(),
});
export type ControlResult = z.infer<typeof ControlResult>;

interface Control {
  id: string;
  description: string;
  expectation: ControlResult['expectation'];
  measure(i: ScorecardInputs): Measurement[];
}

const exact = (where: string, s: StatisticDraws, value: number) => within(where, s, value - 1e-6, value + 1e-6, num(3));
const layerMean = (values: StatisticDraws[]) => combine(values, (...xs) => xs.reduce((a, b) => a + b, 0) / xs.length);
const none = (what: string) => [notMeasured('all targets', `the ${what} analysis did not run`)];

export const CONTROLS: Control[] = [
  {
    id: 'identical-models',
    description: 'A P-T model compared with itself: CKA 1 at every layer, accuracy barrier 0, κ 1',
    expectation: 'must hold',
    measure: (i) => [
      ...(i.cka.length
        ? i.cka.map((c) =>
            allOf(
              `${c.domain} CKA`,
              c.summary[PAIR.identical]!.values.map((v, k) => exact(c.layers[k]!, v, 1)),
            ),
          )
        : none('CKA')),
      ...(i.barrier.length
        ? i.barrier.map((b) => exact(`${b.domain} barrier`, b.summary[PAIR.identical]!.accuracyBarrier, 0))
        : none('barrier')),
      ...(i.mistakes.length ? i.mistakes.map((m) => exact(`${m.domain} κ`, m.summary[PAIR.identical]!.kappa, 1)) : none('mistakes')),
    ],
  },
  {
    id: 'unrelated-features',
    description:
      "One P-T model's features against another's on shuffled examples: CKA within ±0.1 of 0 at every layer (the estimator's floor)",
    expectation: 'must hold',
    measure: (i) =>
      i.cka.length
        ? i.cka.map((c) =>
            allOf(
              c.domain,
              c.summary[PAIR.unrelated]!.values.map((v, k) => within(c.layers[k]!, v, -0.1, 0.1, num(2))),
            ),
          )
        : none('CKA'),
  },
  {
    id: 'untrained-networks-ordering',
    description:
      'The CKA ordering claim with two untrained, independent networks in place of P-T & P: they must not look more similar than the RI-T pairs (else the ordering does not show learned features)',
    expectation: 'must not hold',
    measure: (i) =>
      i.cka.length
        ? i.cka.map((c) => {
            const m = (p: string) => layerMean(c.summary[p]!.values);
            return compare(
              `${c.domain} untrained − max(RI-T pairs)`,
              combine([m(PAIR.untrained), m(PAIR.ptRit), m(PAIR.ritRit)], (u, x, y) => u - Math.max(x, y)),
              0,
              'above',
              num(2),
            );
          })
        : none('CKA'),
  },
  {
    id: 'checkpoint-0-transfer',
    description:
      'The P-T advantage with P-T fine-tuned from pre-training checkpoint 0 (an untrained network): against RI-T at the same lr it must show no advantage',
    expectation: 'must not hold',
    measure: (i) => {
      if (!i.checkpoints || !i.curves) return none('checkpoint-transfer');
      return i.checkpoints.targets.map((t) => {
        const k0 = t.points.find((p) => p.sourceEpoch === 0);
        const rit = i.curves!.curves.find((c) => c.domain === t.domain && c.init === 'RI-T' && c.role === 'lr-variant');
        if (!k0 || !rit) return notMeasured(t.domain, 'needs a checkpoint-0 arm and RI-T at the P-T lr');
        return compare(
          `${t.domain} P-T(k0) − RI-T (lr ${rit.lr})`,
          combine([k0.testAccuracyDraws, rit.finalTestAccuracyDraws], (a, b) => a - b),
          0,
          'above',
          pts,
        );
      });
    },
  },
];

export function evaluateControl(c: Control, i: ScorecardInputs): ControlResult {
  const measurements = c.measure(i);
  const measured = measurements.filter((m) => m.verdict !== 'not measured');
  const passed = !measured.length
    ? null
    : c.expectation === 'must hold'
      ? measured.every((m) => m.verdict === 'held')
      : measured.every((m) => m.verdict !== 'held');
  const { measure: _, ...facts } = c;
  return { ...facts, measurements, passed };
}
