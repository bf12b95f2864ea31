import { saveSafetensorsFile } from '@ratlip/runtime/node';

/** Format tag in the metadata of the files `clip embed-text` and `clip embed-image` write. */
export const EMBEDDINGS_FORMAT = 'ratlip-clip-embeddings-1';

/**
 * Writes embeddings `[count, dim]` (float32, as the CLIP's projections give them, not L2-normalised) as
 * `<name>` in a safetensors file, atomically. Metadata: `format`, `normalized: "false"` and the given
 * entries (`weights`, and the captions' token ids or the image file names as JSON).
 */
export async function writeEmbeddingsFile(
  path: string,
  name: 'text_embeds' | 'image_embeds',
  values: Float32Array,
  shape: [number, number],
  metadata: { weights: string } & Record<string, string>,
): Promise<void> {
  await saveSafetensorsFile(
    path,
    { [name]: { dtype: 'F32', shape, data: values } },
    { format: EMBEDDINGS_FORMAT, normalized: 'false', ...metadata },
  );
}
