import { type ClipTextTransformer, ClipTokenizer, loadClipTextWeights } from '@ratlip/clip';
import { clipSentenceEncoder, type EncodedCaptions, type WebModelManifest } from '@ratlip/ratlip-gan';
import { readSafetensors } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';

/** Captions to sentence embeddings: CLIP's tokenizer and a CLIP text tower. */
export class SentenceEncoder {
  private constructor(
    readonly tokenizer: ClipTokenizer,
    readonly textTower: ClipTextTransformer,
  ) {}

  /**
   * Loads the text tower of a web model (`files.textEncoder`, OpenAI or Hugging Face names) and CLIP's
   * bundled tokenizer.
   *
   * @param bytes the text encoder's safetensors.
   * @throws when the tower's context length differs from the manifest's `tokenizer.contextLength`.
   */
  static async load(manifest: WebModelManifest, bytes: Uint8Array): Promise<SentenceEncoder> {
    const source = manifest.files.textEncoder.path;
    const { model } = loadClipTextWeights(readSafetensors(bytes, { source }));
    if (model.config.contextLength !== manifest.tokenizer.contextLength) {
      model.dispose();
      throw new Error(
        `${source}: the text tower's context length is ${model.config.contextLength}, manifest tokenizer.contextLength says ${manifest.tokenizer.contextLength}`,
      );
    }
    return new SentenceEncoder(await ClipTokenizer.load(), model);
  }

  /** Size of a sentence embedding. */
  get embedDim(): number {
    return this.textTower.config.embedDim;
  }

  /**
   * Sentence embeddings of captions; captions longer than the context are truncated, as in training.
   * @returns `[captions.length, embedDim]`, not normalised (RATLIP's conditioning). The caller disposes it.
   */
  encode(captions: readonly string[]): tf.Tensor2D {
    const { contextLength } = this.textTower.config;
    const { ids, count } = this.tokenizer.tokenize(captions, { contextLength, truncate: true });
    return tf.tidy(() => this.textTower.encode(tf.tensor2d(ids, [count, contextLength], 'int32')));
  }

  /**
   * Sentence embeddings and word features (the text tokens after `ln_final`, with their mask), for
   * generators with word attention. The caller disposes them.
   */
  encodeWithWords(captions: readonly string[]): EncodedCaptions {
    return clipSentenceEncoder(this.textTower, this.tokenizer).encodeWithWords!(captions);
  }

  dispose(): void {
    this.textTower.dispose();
  }
}
