// XXᵀ on the tensor backend (float32 products, one matmul), returned as float64 for the CKA
// reductions: ~100× faster than the float64 loop for layer outputs of 10⁴ features.
import { tf } from '../tf.ts';
import type { FeatureMatrix } from './cka.ts';

export function linearGramOnBackend(x: FeatureMatrix): Float64Array {
  const { n, d } = x;
  const data = x.data instanceof Float32Array ? x.data : Float32Array.from(x.data);
  const k = tf.tidy(() => {
    const t = tf.tensor2d(data, [n, d]);
    return tf.matMul(t, t, false, true);
  });
  const out = Float64Array.from(k.dataSync());
  k.dispose();
  return out;
}
