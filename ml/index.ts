// Public API of the ML layer for pipeline stages. (ml/ depends on nothing in engine/ or stages/.)
export { initBackend, backendInfo, BACKEND_NAMES, type BackendInfo, type BackendName, type InitBackendOptions } from './backend.ts';
export { ModelConfigSchema, parseModelConfig, describeModelConfig, sameArchitecture, type ModelConfig, type ModelConfigInput } from './model-config.ts';
export { FixupResNet, type ParamSpec, type TensorMap, type ForwardResult } from './model.ts';
export {
  addGaussianNoise, cloneWeights, flatten, interpolate, l2Distance, l2Norm, moduleOf, modulesOf, parameterCount,
  paramsOfModule, replaceModule, subtract, type ParamTensor, type SelectOptions, type Weights,
} from './weights.ts';
export {
  checkpointPath, latestCheckpointEpoch, listCheckpointEpochs, loadWeights, readCheckpoint, saveWeights, writeCheckpoint,
  type Checkpoint,
} from './checkpoint.ts';
export {
  train, TrainConfigSchema, TrainingAbortedError,
  type EpochRecord, type TrainConfig, type TrainConfigInput, type TrainInit, type TrainOptions, type TrainProgress, type TrainResult,
} from './train.ts';
export { evaluate, activations, fixedSubset, type Activation, type ActivationOptions, type EvalOptions, type EvalResult } from './evaluate.ts';
export { Rng, type RngState } from './rng.ts';
export { installKernel, restoreBuiltinKernel, activeKernelImplementations, type ProjectKernel } from './kernels/index.ts';
