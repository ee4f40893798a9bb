// SGD with momentum and weight decay, PyTorch's formulation, on plain float32 arrays:
//   d = g + wd·p;  buf = momentum·buf + d;  p = p − lr·buf
// Parameters whose name contains "bias" or "scale" (Fixup scalars and fc.bias) use
// lr·smallParamLrFactor, as the paper's trainer does. Buffers are float32 so a checkpoint
// holds the exact state. With the native addon the whole step is one call, computed in double
// precision in the same order as the loop here, so either gives the same bytes.
import { nativeStatus } from './native.ts';
import type { Weights } from './weights.ts';

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
  /** lr multiplier for bias/scale parameters (paper: 0.1) */
  smallParamLrFactor: number;
}

export function isBiasOrScale(paramName: string): boolean {
  const last = paramName.slice(paramName.lastIndexOf('.') + 1);
  return last.includes('bias') || last.includes('scale');
}

export class Sgd {
  readonly momentumBuffers: Map<string, Float32Array>;

  constructor(
    readonly options: SgdOptions,
    weights: Weights,
    buffers?: Map<string, Float32Array>,
    /** false: always the JavaScript loop (the tests compare the two) */
    private readonly useNative = true,
  ) {
    this.momentumBuffers = new Map(
      [...weights].map(([n, t]) => {
        const b = buffers?.get(n);
        if (buffers && (!b || b.length !== t.data.length)) throw new Error(`optimizer state lacks a buffer for ${n}`);
        return [n, b ? b.slice() : new Float32Array(t.data.length)];
      }),
    );
  }

  /** Update `weights` in place with gradients `grads` (same names) at learning rate `lr`. */
  step(weights: Weights, grads: Map<string, Float32Array | Int32Array | Uint8Array>, lr: number): void {
    const params: Float32Array[] = [];
    const buffers: Float32Array[] = [];
    const gradients: (Float32Array | Int32Array | Uint8Array)[] = [];
    const rates: number[] = [];
    for (const [name, t] of weights) {
      const g = grads.get(name);
      const buf = this.momentumBuffers.get(name);
      if (!g || !buf) throw new Error(`no gradient or momentum buffer for ${name}`);
      params.push(t.data);
      buffers.push(buf);
      gradients.push(g);
      rates.push(isBiasOrScale(name) ? lr * this.options.smallParamLrFactor : lr);
    }
    const native = this.useNative ? nativeStatus() : undefined;
    if (native?.available && native.addon.sgd && gradients.every((g) => g instanceof Float32Array))
      native.addon.sgd(
        params,
        buffers,
        gradients as Float32Array[],
        Float64Array.from([this.options.momentum, this.options.weightDecay, ...rates]),
      );
    else params.forEach((p, i) => this.update(p, buffers[i]!, gradients[i]!, rates[i]!));
  }

  private update(p: Float32Array, buf: Float32Array, g: Float32Array | Int32Array | Uint8Array, rate: number): void {
    const { momentum, weightDecay } = this.options;
    for (let i = 0; i < p.length; i++) {
      const b = momentum * buf[i]! + g[i]! + weightDecay * p[i]!;
      buf[i] = b;
      p[i] = p[i]! - rate * buf[i]!;
    }
  }
}

/** lr of 1-based `epoch`: base·factor^(number of drop epochs < epoch). */
export function learningRateAt(epoch: number, base: number, dropEpochs: readonly number[], factor: number): number {
  return base * factor ** dropEpochs.filter((d) => d < epoch).length;
}
