// A hand-made criticality heat-map for the tests of criticalityScore: the direct path over
// α = 0, ½, 1 and σ = 0.1, 0.2, 0.4 with ‖Δθ‖ = 2, the given [σ][α] train losses and accuracy ½.
import type { Heatmap } from '../../ml/analysis/criticality.ts';

export function directHeatmap(loss: number[][]): Heatmap {
  return {
    module: 'm',
    path: 'direct',
    deltaNorm: 2,
    x: [0, 1, 2],
    position: [0, 0.5, 1],
    sigmas: [0.1, 0.2, 0.4],
    accuracy: loss.map((r) => r.map(() => 0.5)),
    loss,
  };
}
