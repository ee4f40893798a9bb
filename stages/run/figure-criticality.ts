// The run code of the figure-criticality stage (defined in ../figure-criticality.ts).
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLite, writeFigure } from '../../figures/render.ts';
import { COLORS } from '../../figures/theme.ts';
import { RUN_KEYS } from '../criticality.ts';
import {
  CriticalityView,
  heatRows,
  muSummary,
  networkSummary,
  orderedRuns,
  rewindingRows,
  type FigureCriticalityContext,
} from '../figure-criticality.ts';

const RUN_COLORS: Record<string, string> = {
  [RUN_KEYS.pt]: COLORS['P-T'],
  [RUN_KEYS.rit]: COLORS['RI-T'],
  [RUN_KEYS.ritAtPtLr]: COLORS.other,
};

export async function run(ctx: FigureCriticalityContext): Promise<void> {
  const all = ctx.deps.criticality.map((c) => c.json('criticality.json', CriticalityView));
  writeFigure(ctx.writeOutput, 'fig5-rewinding', await renderVegaLite(rewindingSpec(all)));
  for (const c of all) {
    const heat = heatRows(c);
    for (const module of [...new Set(heat.map((h) => h.module))]) {
      writeFigure(
        ctx.writeOutput,
        `fig6-criticality-${c.domain}-${module}`,
        await renderVegaLite(
          heatSpec(
            c,
            module,
            heat.filter((h) => h.module === module),
          ),
        ),
      );
    }
  }
}

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
  const x = {
    field: 'column',
    type: 'ordinal',
    sort: { field: 'order' },
    title: 'distance from initial value ‖θ − θ⁰‖ (α on the direct path, epoch on the optimization path)',
    axis: { labelAngle: -45 },
  } as const;
  const y = { field: 'sigma', type: 'ordinal', sort: 'descending', title: 'noise σ' } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Criticality of ${module} on ${c.domain}`,
      subtitle: [
        `train accuracy with ${module} moved along its path from the initial value and perturbed by N(0, σ²); other modules final. ✕ = the μ minimiser.`,
        `Chatterji μ = min α²‖Δθ‖²/σ² over (α, σ) whose mean train loss is within tolerance of the final model's — ${muSummary(c, module).join('; ')}`,
        `network criticality Σμ over every module of the model — ${networkSummary(c).join('; ')}`,
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
        {
          transform: [{ filter: 'datum.minimiser' }],
          mark: { type: 'point', shape: 'cross', color: 'white', size: 90, filled: true },
          encoding: { x, y },
        },
      ],
    },
  };
}
