/**
 * How a tensor stored under some naming relates to the canonical (OpenAI state_dict) tensor it holds:
 * - `same`: identical shape and values.
 * - `transposed`: the 2-D transpose (Hugging Face projections are `[embed, width]`, OpenAI's `[width, embed]`).
 * - `fusedPart`: rows `[part * n / parts, (part + 1) * n / parts)` of the canonical tensor (Hugging Face
 *   q/k/v projections are the three row blocks of OpenAI's fused `in_proj_weight`/`in_proj_bias`).
 */
export type StoredTransform =
  | { kind: 'same' }
  | { kind: 'transposed' }
  | { kind: 'fusedPart'; part: number; parts: number };

/** One tensor of a weight file under a naming. */
export interface StoredTensor {
  /** Key in the file. */
  key: string;
  /** Shape in the file. */
  shape: number[];
  /** Canonical key of the parameter it holds (all or part of). */
  canonicalKey: string;
  transform: StoredTransform;
}

/** Stored shape of (a part of) a canonical tensor. */
export function storedShape(canonicalShape: readonly number[], transform: StoredTransform): number[] {
  switch (transform.kind) {
    case 'same':
      return [...canonicalShape];
    case 'transposed':
      return [...canonicalShape].reverse();
    case 'fusedPart':
      return [canonicalShape[0]! / transform.parts, ...canonicalShape.slice(1)];
  }
}

/** Canonical shape from a stored shape (for `fusedPart`, of the whole fused tensor). */
export function canonicalShapeOf(stored: readonly number[], transform: StoredTransform): number[] {
  switch (transform.kind) {
    case 'same':
      return [...stored];
    case 'transposed':
      return [...stored].reverse();
    case 'fusedPart':
      return [stored[0]! * transform.parts, ...stored.slice(1)];
  }
}

function transpose2d(values: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c]!;
  }
  return out;
}

/**
 * Canonical values from the stored tensors that hold them.
 * @param parts the stored tensors of one canonical key with their values; for `fusedPart`, all parts.
 */
export function canonicalValues(
  canonicalShape: readonly number[],
  parts: readonly { tensor: StoredTensor; values: Float32Array }[],
): Float32Array {
  const first = parts[0]!;
  if (first.tensor.transform.kind === 'same') return first.values;
  if (first.tensor.transform.kind === 'transposed') {
    return transpose2d(first.values, first.tensor.shape[0]!, first.tensor.shape[1]!);
  }
  const out = new Float32Array(canonicalShape.reduce((a, b) => a * b, 1));
  for (const { tensor, values } of parts) {
    if (tensor.transform.kind !== 'fusedPart') throw new Error(`mixed storage for '${tensor.canonicalKey}'`);
    out.set(values, tensor.transform.part * values.length);
  }
  return out;
}

/** Stored values of one stored tensor from the canonical values. */
export function storedValues(
  tensor: StoredTensor,
  canonicalShape: readonly number[],
  canonical: Float32Array,
): Float32Array {
  const transform = tensor.transform;
  switch (transform.kind) {
    case 'same':
      return canonical;
    case 'transposed':
      return transpose2d(canonical, canonicalShape[0]!, canonicalShape[1]!);
    case 'fusedPart': {
      const size = canonical.length / transform.parts;
      return canonical.subarray(transform.part * size, (transform.part + 1) * size);
    }
  }
}
