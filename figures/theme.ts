// One look for every figure: the Okabe–Ito colour-blind-safe palette, P-T and RI-T always in the
// same colours, a readable font size, and the same config block for every Vega-Lite spec.

import { PAIR } from '../stages/common/pairs.ts';

export const COLORS = {
  'P-T': '#0072B2', // blue
  'RI-T': '#D55E00', // vermillion
  P: '#009E73', // bluish green: the pre-trained model / source
  other: '#E69F00', // orange
  extra: '#CC79A7', // reddish purple
  sky: '#56B4E9',
  black: '#000000',
} as const;

/** Series colours of pairs of models (barrier, CKA, mistakes, distance): the same everywhere. */
export const PAIR_COLORS: Record<string, string> = {
  [PAIR.ptPt]: COLORS['P-T'],
  [PAIR.ritRit]: COLORS['RI-T'],
  [PAIR.ptRit]: COLORS.extra,
  [PAIR.ritPt]: COLORS.extra,
  [PAIR.ptP]: COLORS.P,
  [PAIR.ritP]: COLORS.other,
  [PAIR.ritRitSameInit]: COLORS.sky,
};

export function colorScale(domain: string[]): { domain: string[]; range: string[] } {
  return { domain, range: domain.map((d) => PAIR_COLORS[d] ?? (COLORS as Record<string, string>)[d] ?? COLORS.black) };
}

export const VEGA_CONFIG = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  background: 'white',
  padding: 8,
  title: { fontSize: 15, anchor: 'start', offset: 10, subtitleFontSize: 12, subtitleColor: '#444' },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'bottom', direction: 'horizontal' },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: 'bold' },
  view: { stroke: '#bbb' },
  line: { strokeWidth: 2 },
  point: { size: 40, filled: true },
} as const;
