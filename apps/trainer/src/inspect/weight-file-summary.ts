/** What `ratlip inspect` reports about one tensor. */
export interface TensorSummary {
  name: string;
  /** Element type in safetensors spelling for every format: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, ... */
  dtype: string;
  /** Shape in the file's own layout (PyTorch layout for .pth); `[]` for a scalar. */
  shape: number[];
  /** Elements: the product of the shape (1 for a scalar). */
  count: number;
}

/** A non-tensor value recorded in a file: safetensors `__metadata__` strings, or a checkpoint's scalars. */
export type MetadataValue = string | number | boolean | null;

/** Weight file formats `ratlip inspect` reads. */
export type WeightFileFormat = 'safetensors' | 'npz' | 'pth';

/** What `ratlip inspect` reports about a weight file (the `--json` output). */
export interface WeightFileSummary {
  /** The path as given. */
  file: string;
  format: WeightFileFormat;
  /** Size of the file in bytes. */
  fileBytes: number;
  /** Tensors in file order. */
  tensors: TensorSummary[];
  /** Sum of the tensors' element counts (for a .pth this includes optimizer state). */
  parameters: number;
  /**
   * safetensors: the `__metadata__` strings. pth: every non-tensor leaf of the pickled tree by its
   * dotted path (`epoch`, `optimizers.optimizer_G.param_groups.0.lr`, ...). npz: empty.
   */
  metadata: Record<string, MetadataValue>;
}

/** Elements of a tensor of `shape`. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** A summary from its tensors, with the parameter total filled in. */
export function summaryOf(
  file: string,
  format: WeightFileFormat,
  fileBytes: number,
  tensors: TensorSummary[],
  metadata: Record<string, MetadataValue>,
): WeightFileSummary {
  const parameters = tensors.reduce((total, tensor) => total + tensor.count, 0);
  return { file, format, fileBytes, tensors, parameters, metadata };
}
