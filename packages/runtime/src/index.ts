export { BackendUnavailableError } from './backends/backend-error';
export { getBackendProvider, registerBackendProvider } from './backends/backend-registry';
export type {
  ActivatedBackend,
  BackendFailure,
  BackendInfo,
  BackendName,
  BackendProvider,
  ConcreteBackendName,
  NativeBackendChoice,
  UseBackendOptions,
  WasmBinaryName,
} from './backends/backend-types';
export { autoBackendOrder, useBackend } from './backends/use-backend';
export { crc32 } from './io/crc32';
export {
  bfloat16ArrayToFloat32,
  bfloat16BitsToNumber,
  float16ArrayToFloat32,
  float16BitsToNumber,
  numberToBfloat16Bits,
  numberToFloat16Bits,
  toBfloat16Array,
  toFloat16Array,
} from './io/half-precision';
export type { LayoutArray, LayoutTypedArray } from './io/layout';
export {
  denseToLinear,
  hwioToOihw,
  linearToDense,
  nchwToNhwc,
  nhwcToNchw,
  oihwToHwio,
  transposeArray,
} from './io/layout';
export type { NpyArray, NpyDtype, NpyReadOptions, NpyTypedArray } from './io/npy';
export {
  NpyError,
  npyArray,
  npyToFloat32,
  npyToFloat64,
  readNpy,
  validateNpyArray,
  writeNpy,
} from './io/npy';
export type { NpzReadOptions, NpzWriteOptions } from './io/npz';
export { npzArray, readNpz, writeNpz } from './io/npz';
export type {
  SafetensorsByteSource,
  SafetensorsDtype,
  SafetensorsEntry,
  SafetensorsHeader,
  SafetensorsInput,
  SafetensorsParseOptions,
  SafetensorsPlan,
  SafetensorsPlannedTensor,
  SafetensorsTypedArray,
} from './io/safetensors';
export {
  decodeRaw,
  parseHeaderJson,
  planSafetensors,
  readHeaderLength,
  readSafetensors,
  SAFETENSORS_DTYPE_SIZE,
  SafetensorsError,
  SafetensorsFile,
  toFloat32,
  writeSafetensors,
} from './io/safetensors';
export type { TensorsToSafetensorsOptions } from './io/tensors-to-safetensors';
export {
  safetensorsToTensors,
  tensorsToSafetensors,
  tensorsToSafetensorsSync,
} from './io/tensors-to-safetensors';
export type {
  ZipEntry,
  ZipMethod,
  ZipReadOptions,
  ZipWriteEntry,
  ZipWriteOptions,
} from './io/zip';
export { readZip, writeZip, ZipError } from './io/zip';
export { registerCpuGradientKernelFixes } from './kernels/register-cpu-gradient-kernel-fixes';
export { registerHigherOrderGradients } from './kernels/register-higher-order-gradients';
export {
  registerWasmTrainingKernels,
  wasmTrainingKernelNames,
} from './kernels/register-wasm-training-kernels';
export { leakyRelu } from './ops/leaky-relu';
export type { TorchCheckpointOptions, TorchTensor } from './pickle/torch-checkpoint';
export { flattenTorchStateDict, isTorchTensor, readTorchCheckpoint } from './pickle/torch-checkpoint';
export type { PickleGlobal, PickleObject, PickleTuple, UnpickleOptions } from './pickle/unpickler';
export { isPickleTuple, PickleError, recordingGlobal, unpickle, withBuild } from './pickle/unpickler';
export type { RandomNormalOptions, RandomUniformOptions } from './random/random-tensors';
export { randomNormalTensor, randomUniformTensor } from './random/random-tensors';
export type { SeededRandomState } from './random/seeded-random';
export { SeededRandom } from './random/seeded-random';
