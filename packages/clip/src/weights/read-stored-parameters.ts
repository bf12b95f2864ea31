import type * as tf from '@tensorflow/tfjs';
import { type ParameterSlot, slotTensorFromTorch } from '../model/parameter-layout';
import type { ClipWeightNaming, ClipWeightPart, KeyRoots } from './clip-weight-naming';
import { canonicalValues, type StoredTensor, storedShape } from './stored-tensor';
import type { ClipTensorSource } from './tensor-source';

/** Most problems listed in one error message. */
const MAX_LISTED_PROBLEMS = 20;

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? -1) - (b[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The stored tensors expected for the slots under a naming, in the naming's usual file order. */
export function expectedStoredTensors(
  slots: readonly ParameterSlot[],
  naming: ClipWeightNaming,
  roots: KeyRoots,
): StoredTensor[] {
  return slots
    .flatMap((slot) =>
      naming.storedFor(slot.key, roots).map(({ key, transform }) => ({
        key,
        shape: storedShape(slot.torchShape, transform),
        canonicalKey: slot.key,
        transform,
      })),
    )
    .map((tensor, index) => ({ tensor, index, rank: naming.orderRank(tensor.key, roots) }))
    .sort((a, b) => compareRanks(a.rank, b.rank) || a.index - b.index)
    .map(({ tensor }) => tensor);
}

/**
 * Checks a source against the expected stored tensors: every one present with its shape, and no other
 * tensor inside the part being loaded (outside it, e.g. the text tower when loading the image tower,
 * tensors are ignored). Throws one Error naming the source and every offending tensor.
 */
export function checkStoredTensors(
  source: ClipTensorSource,
  expected: readonly StoredTensor[],
  naming: ClipWeightNaming,
  part: ClipWeightPart,
  roots: KeyRoots,
): void {
  const names = new Set(source.names());
  const problems: string[] = [];
  for (const tensor of expected) {
    if (!names.has(tensor.key)) {
      problems.push(`missing tensor '${tensor.key}' (shape [${tensor.shape.join(', ')}])`);
      continue;
    }
    const shape = source.shape(tensor.key);
    if (shape.length !== tensor.shape.length || shape.some((d, i) => d !== tensor.shape[i])) {
      problems.push(
        `tensor '${tensor.key}' has shape [${shape.join(', ')}], expected [${tensor.shape.join(', ')}]`,
      );
    }
  }
  const known = new Set(expected.map((tensor) => tensor.key));
  for (const name of names) {
    if (!known.has(name) && naming.inScope(name, part, roots) && !naming.isIgnorable(name, roots)) {
      problems.push(`unexpected tensor '${name}'`);
    }
  }
  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => `  - ${problem}`);
    if (problems.length > MAX_LISTED_PROBLEMS)
      listed.push(`  - and ${problems.length - MAX_LISTED_PROBLEMS} more`);
    throw new Error(
      `${source.source}: cannot load CLIP ${part === 'all' ? 'model' : part} weights (${naming.name} naming):\n${listed.join('\n')}`,
    );
  }
}

/**
 * Reads the slots' values from checked stored tensors and converts them to TF.js-layout tensors,
 * keyed by canonical key. On failure every tensor created so far is disposed.
 */
export function readStoredParameters(
  source: ClipTensorSource,
  slots: readonly ParameterSlot[],
  expected: readonly StoredTensor[],
): Map<string, tf.Tensor> {
  const byCanonical = new Map<string, StoredTensor[]>();
  for (const tensor of expected) {
    const list = byCanonical.get(tensor.canonicalKey) ?? [];
    list.push(tensor);
    byCanonical.set(tensor.canonicalKey, list);
  }
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const slot of slots) {
      const parts = (byCanonical.get(slot.key) ?? []).map((tensor) => ({
        tensor,
        values: source.float32(tensor.key),
      }));
      tensors.set(slot.key, slotTensorFromTorch(slot, canonicalValues(slot.torchShape, parts)));
    }
  } catch (error) {
    for (const tensor of tensors.values()) tensor.dispose();
    throw error;
  }
  return tensors;
}
