import { type ClipModel, clipWeightsTokenIds, loadClipWeights } from '@ratlip/clip';
import { openSafetensorsFile } from '@ratlip/runtime/node';
import { CliFailure } from '../cli-errors';
import { requireFile } from '../options/input-files';

/** A whole CLIP read from a weights file. */
export interface LoadedClipFile {
  /** The model (the caller disposes it). */
  model: ClipModel;
  /** The token ids a compact file keeps (other ids embed as zero rows), or undefined for a full file. */
  tokenIds: Int32Array | undefined;
}

/**
 * Loads a whole CLIP from a `.safetensors` file with OpenAI or Hugging Face names (compact files from
 * `ratlip clip pretrain` included). A missing file, a malformed file or one that is not a whole CLIP is
 * a {@link CliFailure} (or `SafetensorsError`) naming the file.
 */
export function loadClipFile(path: string): LoadedClipFile {
  requireFile(path, 'weights file');
  const file = openSafetensorsFile(path);
  try {
    const tokenIds = clipWeightsTokenIds(file);
    return { model: loadClipWeights(file).model, tokenIds };
  } catch (error) {
    const message = (error as Error).message;
    throw new CliFailure(message.includes(path) ? message : `${path}: ${message}`);
  } finally {
    file.close();
  }
}
