// Figure 5: test accuracy after rewinding one module to its value at the start of fine-tuning,
// per module, for every analysed run (P-T, RI-T and, when trained, RI-T at the P-T learning rate:
// the lr-matched comparison). Figure 6: criticality heat-maps — train accuracy over (distance of
// the module from its initial value × noise σ), direct and optimization paths, one column per run,
// with Chatterji et al.'s μ (log10) of each run and the network's Σμ in the subtitle, the
// minimiser marked, and a μ whose minimiser is at the grid's largest σ called an upper bound.
import { z } from 'zod';
import { defineStage, type DepSpec, type RunContext } from '../engine/stage.ts';
import { CriticalityOutput, RUN_KEYS } from './criticality.ts';

const RUN_ORDER: string[] = [RUN_KEYS.pt, RUN_KEYS.rit, RUN_KEYS.ritAtPtLr];

/** what the figure reads: the producer's schema */
export const CriticalityView = CriticalityOutput;
export type CriticalityView = z.infer<typeof CriticalityView>;
type RunView = CriticalityView['runs'][string];
type ModuleMu = RunView['criticality']['modules'][number];

/**
 * "P-T, lr 0.02", "RI-T, lr 0.1", "RI-T, lr 0.02 (P-T lr)": the legend names every run's lr (and
 * says so when the lr-matched run's lr was overridden away from the P-T run's).
 */
export function runLabel(key: string, lr: number, ptLr?: number): string {
  if (key !== RUN_KEYS.ritAtPtLr) return `${key}, lr ${lr}`;
  return ptLr === undefined || lr === ptLr ? `RI-T, lr ${lr} (P-T lr)` : `RI-T, lr ${lr} (meant to be at the P-T lr ${ptLr})`;
}

const labelIn = (c: CriticalityView, key: string) => runLabel(key, c.runs[key]!.lr, c.runs[RUN_KEYS.pt]?.lr);

/** The runs of one criticality.json in a fixed order (P-T, RI-T, RI-T at the P-T lr, then any other). */
export function orderedRuns(c: CriticalityView): [string, RunView][] {
  const rank = (k: string) => (RUN_ORDER.includes(k) ? RUN_ORDER.indexOf(k) : RUN_ORDER.length);
  return Object.entries(c.runs).sort(([a], [b]) => rank(a) - rank(b));
}

/** Fig. 5's rows: one per (target, run, module rewound). */
export function rewindingRows(all: readonly CriticalityView[]) {
  return all.flatMap((c) =>
    orderedRuns(c).flatMap(([key, r]) =>
      r.rewinding.map((x) => ({ domain: c.domain, run: labelIn(c, key), key, module: x.module, accuracy: 100 * x.accuracy })),
    ),
  );
}

/**
 * Fig. 6's rows for one target: every heat-map cell, with the μ minimiser flagged on the direct
 * path. A cell's column is its path point (`column`: the distance, and the α or epoch, so that two
 * points at the same rounded distance, e.g. epochs that barely moved the module, stay apart).
 */
export function heatRows(c: CriticalityView) {
  return orderedRuns(c).flatMap(([key, r]) =>
    r.heatmaps.flatMap((h) => {
      const mu = r.criticality.modules.find((m) => m.module === h.module);
      return h.sigmas.flatMap((sigma, s) =>
        h.x.map((x, i) => ({
          module: h.module,
          run: labelIn(c, key),
          path: `${h.path} path`,
          distance: x.toFixed(x < 1 ? 3 : 2),
          column: `${x.toFixed(x < 1 ? 3 : 2)} (${h.path === 'direct' ? `α ${+h.position[i]!.toFixed(3)}` : `epoch ${h.position[i]}`})`,
          order: i,
          sigma: String(sigma),
          accuracy: 100 * h.accuracy[s]![i]!,
          minimiser: h.path === 'direct' && mu?.alpha === h.position[i] && mu?.sigma === sigma,
        })),
      );
    }),
  );
}

/** "P-T, lr 0.02: log10 μ 1.23 (α 1, σ 0.05)" and the like, one per run. */
export function muSummary(c: CriticalityView, module: string): string[] {
  return orderedRuns(c).map(([key, r]) => `${labelIn(c, key)}: ${describeMu(r.criticality.modules.find((m) => m.module === module))}`);
}

export function describeMu(m: ModuleMu | undefined): string {
  if (!m) return 'μ not computed';
  if (m.mu === null) return 'no feasible point on the grid';
  if (m.mu === 0) return `μ = 0 (feasible at α = 0, σ ${m.sigma})`;
  if (m.atGridEdge) return `log10 μ ≤ ${m.log10Mu!.toFixed(2)} (α ${+m.alpha!.toFixed(3)}, σ ${m.sigma} = the largest σ: an upper bound)`;
  return `log10 μ ${m.log10Mu!.toFixed(2)} (α ${+m.alpha!.toFixed(3)}, σ ${m.sigma})`;
}

/** "P-T, lr 0.02: Σμ over 12 modules, log10 3.21" and the like, one per run. */
export function networkSummary(c: CriticalityView): string[] {
  return orderedRuns(c).map(([key, r]) => {
    const n = r.criticality.network;
    const edge = n.atGridEdge.length ? `; ${n.atGridEdge.length} of them upper bounds (minimiser at the largest σ)` : '';
    const sum = (x: number) => (x > 0 ? `log10 ${Math.log10(x).toFixed(2)}` : '0');
    if (n.mu !== null) return `${labelIn(c, key)}: Σμ over all ${n.modules} modules ${sum(n.mu)}${edge}`;
    return `${labelIn(c, key)}: Σμ ≥ ${sum(n.lowerBound)} (no feasible point for ${n.missing.join(', ')})${edge}`;
  });
}

const Params = z.strictObject({});
const DEPS = { criticality: 'many' } as const satisfies DepSpec;

export type FigureCriticalityContext = RunContext<z.output<typeof Params>, typeof DEPS>;

export const figureCriticality = defineStage(import.meta.url, {
  name: 'figure-criticality',
  params: Params,
  deps: DEPS,
  isolation: 'inline',
  run: async (ctx) => (await import('./run/figure-criticality.ts')).run(ctx),
});
