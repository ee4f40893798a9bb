// The single place ml/ imports TensorFlow.js from. `@tensorflow/tfjs` (not tfjs-core alone)
// because only its Node bundle registers the gradient functions training needs; its "install
// the node backend" banner is printed by the cpu backend on first use and is switched off in
// backend.ts.
import * as tf from '@tensorflow/tfjs';

export { tf };
export type { Tensor, Tensor1D, Tensor2D, Tensor4D, Scalar, Rank } from '@tensorflow/tfjs';
