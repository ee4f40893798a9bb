// Model weights as plain data: parameter name → {shape, Float32Array}, in model order.
//
// A parameter's module is its name without the last segment: `stem.conv` → `stem`,
// `layer2.0.conv1` → `layer2.0`, `fc.weight` → `fc`. Module-level ops below are what the
// analyses use to rewind, interpolate, perturb and compare modules.
import { Rng } from './rng.ts';

export interface ParamTensor {
  shape: number[];
  data: Float32Array;
}

export type Weights = Map<string, ParamTensor>;

export function moduleOf(paramName: string): string {
  const i = paramName.lastIndexOf('.');
  return i < 0 ? paramName : paramName.slice(0, i);
}

/** Module names in parameter order, each once. */
export function modulesOf(w: Weights): string[] {
  return [...new Set([...w.keys()].map(moduleOf))];
}

export function paramsOfModule(w: Weights, module: string): string[] {
  const names = [...w.keys()].filter((n) => moduleOf(n) === module);
  if (names.length === 0) throw new Error(`no module '${module}' (modules: ${modulesOf(w).join(', ')})`);
  return names;
}

export function cloneWeights(w: Weights): Weights {
  return new Map([...w].map(([n, t]) => [n, { shape: [...t.shape], data: t.data.slice() }]));
}

export function parameterCount(w: Weights, opts: SelectOptions = {}): number {
  return selected(w, opts).reduce((s, n) => s + w.get(n)!.data.length, 0);
}

export interface SelectOptions {
  /** only these modules (default: all) */
  modules?: string[];
  /** leave these modules out, e.g. ['fc'] when comparing across heads */
  excludeModules?: string[];
}

function selected(w: Weights, { modules, excludeModules }: SelectOptions): string[] {
  const known = new Set(modulesOf(w));
  for (const m of [...(modules ?? []), ...(excludeModules ?? [])])
    if (!known.has(m)) throw new Error(`no module '${m}' (modules: ${[...known].join(', ')})`);
  return [...w.keys()].filter((n) => {
    const m = moduleOf(n);
    return (!modules || modules.includes(m)) && !excludeModules?.includes(m);
  });
}

/** All selected parameters concatenated in model order. */
export function flatten(w: Weights, opts: SelectOptions = {}): Float32Array {
  const names = selected(w, opts);
  const out = new Float32Array(names.reduce((s, n) => s + w.get(n)!.data.length, 0));
  let o = 0;
  for (const n of names) {
    out.set(w.get(n)!.data, o);
    o += w.get(n)!.data.length;
  }
  return out;
}

function assertSameLayout(a: Weights, b: Weights, what: string): void {
  const an = [...a.keys()];
  const bn = [...b.keys()];
  if (an.length !== bn.length || an.some((n, i) => n !== bn[i])) throw new Error(`${what}: the two weight sets have different parameters`);
  for (const n of an)
    if (a.get(n)!.shape.join() !== b.get(n)!.shape.join())
      throw new Error(`${what}: parameter ${n} has shape [${a.get(n)!.shape}] vs [${b.get(n)!.shape}]`);
}

function mapPair(a: Weights, b: Weights, what: string, f: (x: number, y: number) => number): Weights {
  assertSameLayout(a, b, what);
  const out: Weights = new Map();
  for (const [n, t] of a) {
    const y = b.get(n)!.data;
    const d = new Float32Array(t.data.length);
    for (let i = 0; i < d.length; i++) d[i] = f(t.data[i]!, y[i]!);
    out.set(n, { shape: [...t.shape], data: d });
  }
  return out;
}

/** a − b, per tensor */
export function subtract(a: Weights, b: Weights): Weights {
  return mapPair(a, b, 'subtract', (x, y) => x - y);
}

/** (1−α)·a + α·b, per tensor (every tensor, including the head) */
export function interpolate(a: Weights, b: Weights, alpha: number): Weights {
  return mapPair(a, b, 'interpolate', (x, y) => (1 - alpha) * x + alpha * y);
}

/** Euclidean norm of the selected parameters (accumulated in float64). */
export function l2Norm(w: Weights, opts: SelectOptions = {}): number {
  let s = 0;
  for (const n of selected(w, opts)) for (const v of w.get(n)!.data) s += v * v;
  return Math.sqrt(s);
}

/** ‖a − b‖₂ over the selected parameters. */
export function l2Distance(a: Weights, b: Weights, opts: SelectOptions = {}): number {
  assertSameLayout(
    new Map(selected(a, opts).map((n) => [n, a.get(n)!])),
    new Map(selected(b, opts).map((n) => [n, b.get(n)!])),
    'l2Distance',
  );
  let s = 0;
  for (const n of selected(a, opts)) {
    const x = a.get(n)!.data;
    const y = b.get(n)!.data;
    for (let i = 0; i < x.length; i++) s += (x[i]! - y[i]!) ** 2;
  }
  return Math.sqrt(s);
}

/** A copy of `target` whose parameters of `module` come from `source`. */
export function replaceModule(target: Weights, source: Weights, module: string): Weights {
  const out = cloneWeights(target);
  for (const n of paramsOfModule(target, module)) {
    const s = source.get(n);
    if (!s) throw new Error(`replaceModule: source has no parameter ${n}`);
    if (s.shape.join() !== out.get(n)!.shape.join())
      throw new Error(`replaceModule: ${n} has shape [${s.shape}] in source, [${out.get(n)!.shape}] in target`);
    out.set(n, { shape: [...s.shape], data: s.data.slice() });
  }
  return out;
}

/** A copy of `w` with N(0, σ²) noise added to every parameter of `module`, seeded. */
export function addGaussianNoise(w: Weights, module: string, sigma: number, seed: number | string): Weights {
  const out = cloneWeights(w);
  for (const n of paramsOfModule(w, module)) {
    const rng = Rng.from(seed, 'noise', n);
    const d = out.get(n)!.data;
    for (let i = 0; i < d.length; i++) d[i] = d[i]! + sigma * rng.normal();
  }
  return out;
}
