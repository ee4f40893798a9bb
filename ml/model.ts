// Fixup ResNet without BatchNorm (Zhang, Dauphin & Ma 2019), as the paper used, scaled down:
//
//   stem:   conv3×3 → +bias → ReLU          (the element-wise parts fused where the native kernels are: fixup-ops.ts)
//   block:  x' = x + bias1a; h = ReLU(conv1(x') + bias1b); h = conv2(h + bias2a)·scale + bias2b;
//           out = ReLU(h + (downsample(x') or x))          [downsample = 1×1 conv when shape changes]
//   head:   global average pool → +bias_in → fc
//
// Parameter names: stem.conv, stem.bias, layerS.B.{bias1a,conv1,bias1b,bias2a,conv2,scale,bias2b,
// downsample}, fc.{bias_in,weight,bias}. Modules: stem, layerS.B, fc. Fixup init: conv1 He-normal
// × L^(−1/2) (L residual blocks of m = 2 layers: L^(−1/(2m−2))), conv2 = 0, downsample He-normal,
// biases 0, scale 1; stem and fc use PyTorch's default uniform init (the paper's "nzfc").
import { conv3x3, conv3x3BiasRelu, residualTail } from './fixup-ops.ts';
import { tf, type Tensor, type Tensor2D, type Tensor4D } from './tf.ts';
import { parseModelConfig, type ModelConfig, type ModelConfigInput } from './model-config.ts';
import { Rng } from './rng.ts';
import { moduleOf, type ParamTensor, type Weights } from './weights.ts';

export type InitKind = 'stem-uniform' | 'he-fixup' | 'zero' | 'he' | 'one' | 'fc-uniform';

export interface ParamSpec {
  name: string;
  module: string;
  shape: number[];
  init: InitKind;
}

interface BlockSpec {
  name: string;
  inChannels: number;
  outChannels: number;
  stride: number;
  downsample: boolean;
}

export type TensorMap = Map<string, Tensor>;

export interface ForwardResult {
  logits: Tensor2D;
  /** requested intermediate outputs (see FixupResNet.outputNames) */
  outputs: Map<string, Tensor>;
}

export class FixupResNet {
  readonly config: ModelConfig;
  readonly params: readonly ParamSpec[];
  /** stem, layer1.0, …, fc */
  readonly modules: readonly string[];
  /** stem, layer1, layer2, … (stage outputs, for CKA) */
  readonly stageNames: readonly string[];
  private readonly blocks: readonly BlockSpec[];

  constructor(config: ModelConfigInput | ModelConfig) {
    this.config = parseModelConfig(config);
    const { channels, widths, blocks: perStage, classes } = this.config;
    const stem = this.config.stemWidth ?? widths[0]!;
    const blocks: BlockSpec[] = [];
    let inCh = stem;
    widths.forEach((w, s) => {
      for (let b = 0; b < perStage[s]!; b++) {
        const stride = s > 0 && b === 0 ? 2 : 1;
        blocks.push({ name: `layer${s + 1}.${b}`, inChannels: inCh, outChannels: w, stride, downsample: stride !== 1 || inCh !== w });
        inCh = w;
      }
    });
    this.blocks = blocks;

    const p: ParamSpec[] = [];
    const add = (name: string, shape: number[], init: InitKind) => p.push({ name, module: moduleOf(name), shape, init });
    add('stem.conv', [3, 3, channels, stem], 'stem-uniform');
    add('stem.bias', [1], 'zero');
    for (const b of blocks) {
      add(`${b.name}.bias1a`, [1], 'zero');
      add(`${b.name}.conv1`, [3, 3, b.inChannels, b.outChannels], 'he-fixup');
      add(`${b.name}.bias1b`, [1], 'zero');
      add(`${b.name}.bias2a`, [1], 'zero');
      add(`${b.name}.conv2`, [3, 3, b.outChannels, b.outChannels], 'zero');
      add(`${b.name}.scale`, [1], 'one');
      add(`${b.name}.bias2b`, [1], 'zero');
      if (b.downsample) add(`${b.name}.downsample`, [1, 1, b.inChannels, b.outChannels], 'he');
    }
    add('fc.bias_in', [1], 'zero');
    add('fc.weight', [inCh, classes], 'fc-uniform');
    add('fc.bias', [classes], 'fc-uniform');
    this.params = p;
    this.modules = [...new Set(p.map((s) => s.module))];
    this.stageNames = ['stem', ...widths.map((_, s) => `layer${s + 1}`)];
  }

  /** Names forward() can return: stem, layerS, layerS.B, pool, logits. */
  get outputNames(): string[] {
    return [...this.stageNames, ...this.blocks.map((b) => b.name), 'pool', 'logits'];
  }

  /** Fresh Fixup init; each parameter has its own random stream derived from (seed, name). */
  init(seed: number | string): Weights {
    return new Map(this.params.map((s) => [s.name, this.initParam(s, seed)]));
  }

  /** A copy of `w` with the given modules freshly initialised from `seed`. */
  reinitModules(w: Weights, modules: string[], seed: number | string): Weights {
    for (const m of modules) if (!this.modules.includes(m)) throw new Error(`no module '${m}'`);
    return new Map(
      this.params.map((s) => {
        if (modules.includes(s.module)) return [s.name, this.initParam(s, seed)];
        const t = w.get(s.name);
        if (!t) throw new Error(`weights lack parameter ${s.name}`);
        return [s.name, { shape: [...t.shape], data: t.data.slice() }];
      }),
    );
  }

  private initParam(s: ParamSpec, seed: number | string): ParamTensor {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const rng = Rng.from(seed, 'init', s.name);
    const [kh = 1, kw = 1, cin = 1, cout = 1] = s.shape;
    const totalBlocks = this.blocks.length;
    switch (s.init) {
      case 'zero':
        break;
      case 'one':
        data.fill(1);
        break;
      case 'he':
      case 'he-fixup': {
        const std = Math.sqrt(2 / (cout * kh * kw)) * (s.init === 'he-fixup' ? totalBlocks ** -0.5 : 1);
        for (let i = 0; i < n; i++) data[i] = std * rng.normal();
        break;
      }
      case 'stem-uniform': {
        const bound = 1 / Math.sqrt(kh * kw * cin);
        for (let i = 0; i < n; i++) data[i] = bound * (2 * rng.float() - 1);
        break;
      }
      case 'fc-uniform': {
        const bound = 1 / Math.sqrt(this.params.find((p) => p.name === 'fc.weight')!.shape[0]!);
        for (let i = 0; i < n; i++) data[i] = bound * (2 * rng.float() - 1);
        break;
      }
    }
    return { shape: [...s.shape], data };
  }

  /** Check that `w` has exactly this model's parameters and shapes. */
  checkWeights(w: Weights, what = 'weights'): void {
    const problems: string[] = [];
    for (const s of this.params) {
      const t = w.get(s.name);
      if (!t) problems.push(`missing ${s.name}`);
      else if (t.shape.join() !== s.shape.join()) problems.push(`${s.name} is [${t.shape}], model needs [${s.shape}]`);
      else if (t.data.length !== s.shape.reduce((a, b) => a * b, 1)) problems.push(`${s.name} has ${t.data.length} values`);
    }
    for (const n of w.keys()) if (!this.params.some((s) => s.name === n)) problems.push(`unexpected ${n}`);
    if (problems.length)
      throw new Error(`${what} do not fit this model (${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''})`);
  }

  /** Load weights into tensors on the current backend (the caller disposes them). */
  toTensors(w: Weights): TensorMap {
    this.checkWeights(w);
    return new Map(this.params.map((s) => [s.name, tf.tensor(w.get(s.name)!.data, s.shape)]));
  }

  /** Read tensors back into plain weights. */
  fromTensors(t: TensorMap): Weights {
    return new Map(
      this.params.map((s) => {
        const x = t.get(s.name);
        if (!x) throw new Error(`missing tensor ${s.name}`);
        return [s.name, { shape: [...s.shape], data: Float32Array.from(x.dataSync() as Float32Array) }];
      }),
    );
  }

  /**
   * Logits for normalised NHWC input, plus the requested intermediate outputs. Call inside
   * tf.tidy (or dispose the results).
   */
  forward(p: TensorMap, x: Tensor4D, outputs: readonly string[] = []): ForwardResult {
    for (const o of outputs)
      if (!this.outputNames.includes(o)) throw new Error(`unknown output '${o}' (have ${this.outputNames.join(', ')})`);
    const get = (name: string) => {
      const t = p.get(name);
      if (!t) throw new Error(`missing parameter tensor ${name}`);
      return t;
    };
    const kept = new Map<string, Tensor>();
    const keep = (name: string, t: Tensor) => {
      if (outputs.includes(name)) kept.set(name, t);
    };

    // the image needs no gradient: the stem computes none for it
    let h: Tensor4D = conv3x3BiasRelu(x, get('stem.conv'), get('stem.bias'), 1, false);
    keep('stem', h);
    for (const b of this.blocks) {
      const xin = tf.add(h, get(`${b.name}.bias1a`)) as Tensor4D;
      let r = conv3x3BiasRelu(xin, get(`${b.name}.conv1`), get(`${b.name}.bias1b`), b.stride);
      r = conv3x3(tf.add(r, get(`${b.name}.bias2a`)) as Tensor4D, get(`${b.name}.conv2`), 1);
      const shortcut = b.downsample ? tf.conv2d(xin, get(`${b.name}.downsample`) as Tensor4D, b.stride, 'valid') : h;
      h = residualTail(r, get(`${b.name}.scale`), get(`${b.name}.bias2b`), shortcut);
      keep(b.name, h);
      const stage = b.name.slice(0, b.name.indexOf('.'));
      if (this.blocks.filter((o) => o.name.startsWith(`${stage}.`)).at(-1) === b) keep(stage, h);
    }
    const pooled = tf.mean(h, [1, 2]) as Tensor2D;
    keep('pool', pooled);
    const logits = tf.add(tf.matMul(tf.add(pooled, get('fc.bias_in')), get('fc.weight') as Tensor2D), get('fc.bias')) as Tensor2D;
    keep('logits', logits);
    return { logits, outputs: kept };
  }

  /** Multiply-adds ×2 of convs and fc for one sample; training ≈ 3× (forward, dx, dW). */
  flopsPerSample(): { forward: number; train: number } {
    let f = 0;
    let hw = [this.config.height, this.config.width] as [number, number];
    const conv = (k: number, cin: number, cout: number, stride: number) => {
      const out: [number, number] = [Math.ceil(hw[0] / stride), Math.ceil(hw[1] / stride)];
      f += 2 * out[0] * out[1] * k * k * cin * cout;
      return out;
    };
    const stem = this.config.stemWidth ?? this.config.widths[0]!;
    hw = conv(3, this.config.channels, stem, 1);
    const stemFlops = f;
    for (const b of this.blocks) {
      const before = hw;
      hw = conv(3, b.inChannels, b.outChannels, b.stride);
      conv(3, b.outChannels, b.outChannels, 1);
      if (b.downsample) {
        const after = hw;
        hw = before;
        conv(1, b.inChannels, b.outChannels, b.stride);
        hw = after;
      }
    }
    f += 2 * this.config.widths.at(-1)! * this.config.classes;
    // the stem's input gradient is never computed
    return { forward: f, train: 3 * f - stemFlops };
  }
}
