// Singular values of a module's weights (the appendix "spectrum of modules"): a conv kernel
// [kh, kw, in, out] is read as an out × (kh·kw·in) matrix, a dense [in, out] kernel as out × in.
import { SingularValueDecomposition, Matrix } from 'ml-matrix';

export function singularValues(shape: readonly number[], data: Float32Array): number[] {
  if (shape.length < 2) return [Math.abs(data.reduce((s, v) => s + v * v, 0)) ** 0.5];
  const out = shape[shape.length - 1]!;
  const rest = data.length / out;
  const m = new Matrix(out, rest);
  for (let r = 0; r < rest; r++) for (let o = 0; o < out; o++) m.set(o, r, data[r * out + o]!);
  const svd = new SingularValueDecomposition(rest >= out ? m : m.transpose(), {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
    autoTranspose: true,
  });
  return [...svd.diagonal].sort((a, b) => b - a);
}
