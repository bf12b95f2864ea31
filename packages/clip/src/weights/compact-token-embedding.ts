import type { ClipTensorSource } from './tensor-source';

/**
 * `__metadata__` key of a compact token embedding: JSON `{"tensor": <stored key>, "vocab_size": <rows
 * of the full embedding>, "ids": [<kept token ids, strictly increasing>]}`. Row `i` of the stored tensor
 * is the embedding of token `ids[i]`.
 */
export const COMPACT_TOKEN_EMBEDDING_METADATA = 'compact_token_embedding';

/** A compact token embedding as recorded in a weight file's metadata. */
export interface CompactTokenEmbedding {
  /** Key of the stored (compact) token-embedding tensor, `[ids.length, width]`. */
  tensor: string;
  /** Rows of the full embedding: the tokenizer's vocabulary size. */
  vocabSize: number;
  /** The kept token ids, strictly increasing, each in `[0, vocabSize)`. */
  ids: Int32Array;
}

/**
 * The sorted, de-duplicated ids to keep, checked against the vocabulary.
 * @param ids token ids in any order, repeats allowed.
 * @param vocabSize rows of the full embedding.
 * @param where names the caller in errors.
 */
export function keptTokenIds(ids: Iterable<number>, vocabSize: number, where: string): Int32Array {
  const unique = new Set<number>();
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new Error(`${where}: token id ${id} is not an integer in [0, ${vocabSize})`);
    }
    unique.add(id);
  }
  if (unique.size === 0) throw new Error(`${where}: needs at least one token id to keep`);
  return Int32Array.from([...unique].sort((a, b) => a - b));
}

/**
 * Rows `ids` of a row-major `[vocabSize, width]` embedding.
 * @returns `[ids.length, width]` values, row-major.
 */
export function gatherEmbeddingRows(values: Float32Array, width: number, ids: Int32Array): Float32Array {
  const rows = new Float32Array(ids.length * width);
  ids.forEach((id, row) => {
    rows.set(values.subarray(id * width, (id + 1) * width), row * width);
  });
  return rows;
}

/** The metadata value recording a compact token embedding. */
export function compactTokenEmbeddingMetadata(compact: CompactTokenEmbedding): string {
  return JSON.stringify({ tensor: compact.tensor, vocab_size: compact.vocabSize, ids: [...compact.ids] });
}

/**
 * The compact token embedding a source records, or `undefined` for an ordinary file. The record is
 * checked against the file: a malformed or inconsistent id list throws an Error naming the file, the
 * metadata key and the problem.
 */
export function readCompactTokenEmbedding(source: ClipTensorSource): CompactTokenEmbedding | undefined {
  const text = source.metadata[COMPACT_TOKEN_EMBEDDING_METADATA];
  if (text === undefined) return undefined;
  const where = `${source.source}: metadata '${COMPACT_TOKEN_EMBEDDING_METADATA}'`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${where} must be a JSON object with 'tensor', 'vocab_size' and 'ids'`);
  }
  const record = parsed as Record<string, unknown>;
  const tensor = record['tensor'];
  if (typeof tensor !== 'string' || !source.names().includes(tensor)) {
    throw new Error(`${where}: 'tensor' must name a tensor of the file, got ${JSON.stringify(tensor)}`);
  }
  const vocabSize = record['vocab_size'];
  if (typeof vocabSize !== 'number' || !Number.isInteger(vocabSize) || vocabSize < 1) {
    throw new Error(`${where}: 'vocab_size' must be a positive integer, got ${JSON.stringify(vocabSize)}`);
  }
  const ids = record['ids'];
  if (!Array.isArray(ids)) throw new Error(`${where}: 'ids' must be an array of token ids`);
  ids.forEach((id: unknown, index) => {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new Error(
        `${where}: ids[${index}] = ${JSON.stringify(id)} is not an integer in [0, ${vocabSize})`,
      );
    }
    if (index > 0 && id <= (ids[index - 1] as number)) {
      throw new Error(
        `${where}: ids[${index}] = ${id} follows ${ids[index - 1]}; the ids must be strictly increasing`,
      );
    }
  });
  const shape = source.shape(tensor);
  if (shape.length !== 2 || shape[0] !== ids.length) {
    throw new Error(
      `${where}: lists ${ids.length} ids but tensor '${tensor}' has shape [${shape.join(', ')}], expected [${ids.length}, width]`,
    );
  }
  return { tensor, vocabSize, ids: Int32Array.from(ids as number[]) };
}

/**
 * A source whose compact token embedding (if any) reads as the full `[vocabSize, width]` embedding:
 * the kept rows in place, every other row zero. Other tensors pass through unchanged.
 */
export function expandCompactTokenEmbedding(source: ClipTensorSource): ClipTensorSource {
  const compact = readCompactTokenEmbedding(source);
  if (!compact) return source;
  const width = source.shape(compact.tensor)[1]!;
  return {
    source: source.source,
    metadata: source.metadata,
    names: () => source.names(),
    shape: (name) => (name === compact.tensor ? [compact.vocabSize, width] : source.shape(name)),
    float32: (name) => {
      if (name !== compact.tensor) return source.float32(name);
      const rows = source.float32(name);
      const full = new Float32Array(compact.vocabSize * width);
      compact.ids.forEach((id, row) => {
        full.set(rows.subarray(row * width, (row + 1) * width), id * width);
      });
      return full;
    },
  };
}
