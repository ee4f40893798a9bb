// Figure 5: test accuracy after rewinding one module to its value at the start of fine-tuning,
// per module, for every analysed run (P-T, RI-T and, when trained, RI-T at the P-T learning rate:
// the lr-matched comparison). Figure 6: criticality heat-maps — train accuracy over (distance of
// the module from its initial value × noise σ), direct and optimization paths, one column per run,
// with Chatterji et al.'s μ (log10) of each run in the subtitle and its minimiser marked.
import type { TopLevelSpec } from 'vega-lite';
import { z } from 'zod';
import { defineStage } from '../engine/stage.ts';
import { renderVegaLite, writeFigure } from '../figures/render.ts';
import { COLORS } from '../figures/theme.ts';

/** run key of RI-T trained at the P-T learning rate (criticality.json) */
const LR_MATCHED = 'RI-T (P-T lr)';
const RUN_ORDER = ['P-T', 'RI-T', LR_MATCHED];
const RUN_COLORS: Record<string, string> = { 'P-T': COLORS['P-T'], 'RI-T': COLORS['RI-T'], [LR_MATCHED]: COLORS.other };

const ModuleMu = z.object({ module: z.string(), status: z.string(), mu: z.number().nullable(), log10Mu: z.number().nullable(), alpha: z.number().nullable(), sigma: z.number().nullable() });
export const CriticalityView = z.object({
  domain: z.string(),
  runs: z.record(
    z.string(),
    z.object({
      lr: z.number(),
      rewinding: z.array(z.object({ module: z.string(), accuracy: z.number(), loss: z.number() })),
      heatmaps: z.array(z.object({ module: z.string(), path: z.string(), x: z.array(z.number()), position: z.array(z.number()), sigmas: z.array(z.number()), accuracy: z.array(z.array(z.number())) })),
      criticality: z.object({ modules: z.array(ModuleMu), network: z.object({ mu: z.number().nullable(), log10Mu: z.number().nullable(), lowerBound: z.number(), missing: z.array(z.string()) }) }),
    }),
  ),
});
type CriticalityView = z.infer<typeof CriticalityView>;
type RunView = CriticalityView['runs'][string];

/**
 * "P-T, lr 0.02", "RI-T, lr 0.1", "RI-T, lr 0.02 (P-T lr)": the legend names every run's lr (and
 * says so when the lr-matched run's lr was overridden away from the P-T run's).
 */
export function runLabel(key: string, lr: number, ptLr?: number): string {
  if (key !== LR_MATCHED) return `${key}, lr ${lr}`;
  return ptLr === undefined || lr === ptLr ? `RI-T, lr ${lr} (P-T lr)` : `RI-T, lr ${lr} (meant to be at the P-T lr ${ptLr})`;
}

const labelIn = (c: CriticalityView, key: string) => runLabel(key, c.runs[key]!.lr, c.runs['P-T']?.lr);

/** The runs of one criticality.json in a fixed order (P-T, RI-T, RI-T at the P-T lr, then any other). */
export function orderedRuns(c: CriticalityView): [string, RunView][] {
  const rank = (k: string) => (RUN_ORDER.includes(k) ? RUN_ORDER.indexOf(k) : RUN_ORDER.length);
  return Object.entries(c.runs).sort(([a], [b]) => rank(a) - rank(b));
}

/** Fig. 5's rows: one per (target, run, module rewound). */
export function rewindingRows(all: readonly CriticalityView[]) {
  return all.flatMap((c) => orderedRuns(c).flatMap(([key, r]) => r.rewinding.map((x) => ({ domain: c.domain, run: labelIn(c, key), key, module: x.module, accuracy: 100 * x.accuracy }))));
}

/** Fig. 6's rows for one target: every heat-map cell, with the μ minimiser flagged on the direct path. */
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

export function describeMu(m: z.infer<typeof ModuleMu> | undefined): string {
  if (!m) return 'μ not computed';
  if (m.mu === null) return 'no feasible point on the grid';
  if (m.mu === 0) return `μ = 0 (feasible at α = 0, σ ${m.sigma})`;
  return `log10 μ ${m.log10Mu!.toFixed(2)} (α ${+m.alpha!.toFixed(3)}, σ ${m.sigma})`;
}

export const figureCriticality = defineStage(import.meta.url, {
  name: 'figure-criticality',
  params: z.strictObject({}),
  deps: { criticality: 'many' },
  isolation: 'inline',
  async run(ctx) {
    const all = ctx.deps.criticality.map((c) => c.json('criticality.json', CriticalityView));
    writeFigure(ctx.writeOutput, 'fig5-rewinding', await renderVegaLite(rewindingSpec(all)));
    for (const c of all) {
      const heat = heatRows(c);
      for (const module of [...new Set(heat.map((h) => h.module))]) {
        writeFigure(ctx.writeOutput, `fig6-criticality-${c.domain}-${module}`, await renderVegaLite(heatSpec(c, module, heat.filter((h) => h.module === module))));
      }
    }
  },
});

function colorOf(rows: readonly { run: string; key: string }[]) {
  const seen = [...new Map(rows.map((r) => [r.run, r.key])).entries()];
  return { domain: seen.map(([run]) => run), range: seen.map(([, key]) => RUN_COLORS[key] ?? COLORS.extra) };
}

function rewindingSpec(all: readonly CriticalityView[]): TopLevelSpec {
  const rows = rewindingRows(all);
  const first = all[0] ? orderedRuns(all[0])[0] : undefined;
  const modules = first ? first[1].rewinding.map((r) => r.module) : [];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Rewinding one module to its value at the start of fine-tuning',
      subtitle: [
        'test accuracy with every other module final; the paper: P-T loses little, RI-T loses much in the lower layers.',
        'RI-T at the P-T lr (when trained) separates the init from the step size: rewinding damage grows with the distance travelled.',
      ],
    },
    data: { values: rows },
    facet: { column: { field: 'domain', type: 'nominal', title: null } },
    spec: {
      width: 240,
      height: 170,
      mark: { type: 'line', point: { size: 36 } },
      encoding: {
        x: { field: 'module', type: 'ordinal', sort: modules, title: 'module rewound', axis: { labelAngle: -45 } },
        y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy (%)', scale: { zero: true } },
        color: { field: 'run', type: 'nominal', scale: colorOf(rows), title: 'run', legend: { labelLimit: 320 } },
        tooltip: [{ field: 'run' }, { field: 'module' }, { field: 'accuracy', format: '.1f' }],
      },
    },
  };
}

function heatSpec(c: CriticalityView, module: string, rows: ReturnType<typeof heatRows>): TopLevelSpec {
  const x = { field: 'distance', type: 'ordinal', sort: { field: 'order' }, title: 'distance from initial value ‖θ − θ⁰‖', axis: { labelAngle: -45 } } as const;
  const y = { field: 'sigma', type: 'ordinal', sort: 'descending', title: 'noise σ' } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Criticality of ${module} on ${c.domain}`,
      subtitle: [
        `train accuracy with ${module} moved along its path from the initial value and perturbed by N(0, σ²); other modules final. ✕ = the μ minimiser.`,
        `Chatterji μ = min α²‖Δθ‖²/σ² over (α, σ) whose mean train loss is within tolerance of the final model's — ${muSummary(c, module).join('; ')}`,
      ],
    },
    data: { values: rows },
    facet: {
      row: { field: 'path', type: 'nominal', title: null, sort: ['direct path', 'optimization path'] },
      column: { field: 'run', type: 'nominal', title: null, sort: [...new Set(rows.map((r) => r.run))] },
    },
    resolve: { scale: { x: 'independent' } },
    config: { axis: { grid: false } },
    spec: {
      width: 230,
      height: 150,
      layer: [
        {
          mark: 'rect',
          encoding: {
            x,
            y,
            color: { field: 'accuracy', type: 'quantitative', title: 'train accuracy (%)', scale: { scheme: 'viridis', domain: [0, 100] } },
            tooltip: [{ field: 'run' }, { field: 'path' }, { field: 'distance' }, { field: 'sigma' }, { field: 'accuracy', format: '.1f' }],
          },
        },
        { transform: [{ filter: 'datum.minimiser' }], mark: { type: 'point', shape: 'cross', color: 'white', size: 90, filled: true }, encoding: { x, y } },
      ],
    },
  };
}
