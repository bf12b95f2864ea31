import { type NpyDtype, readNpz } from '@ratlip/runtime';
import { elementCount, summaryOf, type WeightFileSummary } from './weight-file-summary';

/** numpy dtype codes in the safetensors spelling used for every format. */
const NPY_DTYPE_NAMES: Readonly<Record<NpyDtype, string>> = {
  f2: 'F16',
  f4: 'F32',
  f8: 'F64',
  i1: 'I8',
  i2: 'I16',
  i4: 'I32',
  i8: 'I64',
  u1: 'U8',
  u2: 'U16',
  u4: 'U32',
  u8: 'U64',
  b1: 'BOOL',
};

/** Summarises the arrays of an `.npz` archive already read into memory. */
export function summariseNpz(path: string, bytes: Uint8Array): WeightFileSummary {
  const tensors = [...readNpz(bytes, { source: path })].map(([name, array]) => ({
    name,
    dtype: NPY_DTYPE_NAMES[array.dtype],
    shape: [...array.shape],
    count: elementCount(array.shape),
  }));
  return summaryOf(path, 'npz', bytes.byteLength, tensors, {});
}
