import { isTorchTensor, readTorchCheckpoint } from '@ratlip/runtime';
import {
  elementCount,
  type MetadataValue,
  summaryOf,
  type TensorSummary,
  type WeightFileSummary,
} from './weight-file-summary';

/** Longest string kept as a metadata value; longer ones are cut with an ellipsis. */
const MAX_TEXT = 200;

function abbreviate(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 3)}...`;
}

function isScalar(value: unknown): value is string | number | boolean | bigint | null {
  return value === null || ['string', 'number', 'boolean', 'bigint'].includes(typeof value);
}

/** A pickled scalar as a JSON-safe value (big ints and non-finite floats become strings). */
function scalarValue(value: string | number | boolean | bigint | null): MetadataValue {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value === 'string' ? abbreviate(value) : value;
}

/** A one-line description of a non-tensor, non-container leaf. */
function leafValue(value: unknown): MetadataValue {
  if (isScalar(value)) return scalarValue(value);
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  const global = (value as { kind?: unknown; global?: unknown }).global;
  if (typeof global === 'string') return `<object ${global}>`;
  return `<${typeof value}>`;
}

interface TreeSummary {
  tensors: TensorSummary[];
  metadata: Record<string, MetadataValue>;
  /** Containers on the current path: a pickle may refer back to one, which must not loop forever. */
  ancestors: Set<unknown>;
}

/**
 * Walks a checkpoint tree: tensors are listed under their dotted path, lists of scalars (such as
 * Adam's `betas`) become one JSON string, and every other leaf is recorded as metadata.
 */
function walk(value: unknown, path: string, summary: TreeSummary): void {
  const child = (key: unknown) => (path ? `${path}.${String(key)}` : String(key));
  const isContainer = value instanceof Map || value instanceof Set || Array.isArray(value);
  if (isTorchTensor(value)) {
    summary.tensors.push({
      name: path,
      dtype: value.dtype,
      shape: [...value.shape],
      count: elementCount(value.shape),
    });
  } else if (isContainer && summary.ancestors.has(value)) {
    summary.metadata[path] = '<reference to an enclosing container>';
  } else if (value instanceof Map) {
    summary.ancestors.add(value);
    for (const [key, item] of value) walk(item, child(key), summary);
    summary.ancestors.delete(value);
  } else if (Array.isArray(value) || value instanceof Set) {
    const items = [...value];
    if (items.length > 0 && items.every(isScalar)) {
      summary.metadata[path] = abbreviate(JSON.stringify(items.map(scalarValue)));
      return;
    }
    summary.ancestors.add(value);
    for (const [index, item] of items.entries()) walk(item, child(index), summary);
    summary.ancestors.delete(value);
  } else {
    summary.metadata[path || '(root)'] = leafValue(value);
  }
}

/** Summarises a `torch.save` checkpoint already read into memory: every tensor of the tree and its scalars. */
export function summariseTorchCheckpoint(path: string, bytes: Uint8Array): WeightFileSummary {
  const tree = readTorchCheckpoint(bytes, { source: path });
  const summary: TreeSummary = { tensors: [], metadata: {}, ancestors: new Set() };
  walk(tree, '', summary);
  return summaryOf(path, 'pth', bytes.byteLength, summary.tensors, summary.metadata);
}
