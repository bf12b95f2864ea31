import {
  assembleClipParameters,
  type ClipConfig,
  ClipModel,
  type ClipParameters,
  type ClipWeightsFile,
  clipParameterEntries,
  clipWeightsToSafetensors,
  type TokenizedTexts,
} from '@ratlip/clip';
import * as tf from '@tensorflow/tfjs';

const TOKEN_EMBEDDING_KEY = 'token_embedding.weight';

/**
 * A closed vocabulary to train a CLIP on: the model's token embedding holds one row per kept id (in
 * increasing order) instead of 49,408, and captions are mapped to those rows. For a dataset with a
 * fixed vocabulary this trains exactly the same CLIP, faster: embedding rows of unused ids get no
 * gradient (so they add nothing to the gradient norm, and AdamW updates rows independently), while
 * updating and checkpointing the full table costs about a fifth of a Shapes CLIP step. The ids must
 * include the end-of-text id as the largest, so CLIP's argmax pooling finds the same position.
 */
export class TrainingVocabulary {
  /** Kept token ids, strictly increasing. */
  readonly ids: Int32Array;
  /** Compact row of each full id, -1 for ids not kept. */
  private readonly rows: Int32Array;

  /**
   * @param ids token ids in any order (repeats allowed); must contain `endOfTextId`, the largest id.
   * @param vocabSize size of the full vocabulary.
   */
  constructor(
    ids: Iterable<number>,
    readonly vocabSize: number,
    endOfTextId: number,
  ) {
    this.ids = Int32Array.from(new Set(ids)).sort();
    if (this.ids.at(-1) !== endOfTextId || this.ids[0]! < 0 || this.ids.at(-1)! >= vocabSize) {
      throw new Error(
        `TrainingVocabulary: ids must lie in [0, ${vocabSize}) and end with the end-of-text id ${endOfTextId}`,
      );
    }
    this.rows = new Int32Array(vocabSize).fill(-1);
    this.ids.forEach((id, row) => {
      this.rows[id] = row;
    });
  }

  /** Rows of the compact token embedding. */
  get size(): number {
    return this.ids.length;
  }

  /** `config` with the compact vocabulary. */
  compactConfig(config: ClipConfig): ClipConfig {
    return { vision: { ...config.vision }, text: { ...config.text, vocabSize: this.size } };
  }

  /**
   * Full-vocabulary token ids mapped to compact rows (a new array).
   * @param what names the texts in the error thrown for an id outside the vocabulary.
   */
  map(ids: Int32Array, what: string): Int32Array {
    return ids.map((id) => {
      const row = this.rows[id] ?? -1;
      if (row < 0)
        throw new Error(`${what}: token id ${id} is not in the training vocabulary of ${this.size} ids`);
      return row;
    });
  }

  /** {@link map} applied to tokenizer output. */
  mapTokenized(tokens: TokenizedTexts, what: string): TokenizedTexts {
    return { ...tokens, ids: this.map(tokens.ids, what) };
  }

  /**
   * Compact parameters from full-vocabulary ones: the kept rows of the token embedding, every other
   * tensor shared with `full`. The caller disposes the returned embedding (`parameters.text.tokenEmbedding`)
   * and `full`.
   */
  compactParameters(fullConfig: ClipConfig, full: ClipParameters): ClipParameters {
    const entries = clipParameterEntries(full);
    const rows = tf.tidy(() => tf.gather(entries.get(TOKEN_EMBEDDING_KEY)!, tf.tensor1d(this.ids, 'int32')));
    entries.set(TOKEN_EMBEDDING_KEY, rows);
    return assembleClipParameters(this.compactConfig(fullConfig), (key) => entries.get(key)!);
  }

  /**
   * The weight file of a compact model as a full-vocabulary CLIP that keeps only this vocabulary's token
   * rows (`SaveClipWeightsOptions.tokenIds`): the loaders expand it to 49,408 rows, zero for other ids.
   */
  compactWeightsFile(compact: ClipModel): ClipWeightsFile {
    const width = compact.config.text.width;
    const config: ClipConfig = {
      vision: { ...compact.config.vision },
      text: { ...compact.config.text, vocabSize: this.vocabSize },
    };
    let file: ClipWeightsFile | undefined;
    // The full table and the model's causal mask are temporaries; the other tensors stay the trainer's.
    tf.tidy(() => {
      const entries = clipParameterEntries(compact.parameters);
      const ids = tf.tensor2d(this.ids, [this.size, 1], 'int32');
      entries.set(
        TOKEN_EMBEDDING_KEY,
        tf.scatterND(ids, entries.get(TOKEN_EMBEDDING_KEY)!, [this.vocabSize, width]),
      );
      const model = new ClipModel(
        config,
        assembleClipParameters(config, (key) => entries.get(key)!),
      );
      file = clipWeightsToSafetensors(model, { tokenIds: this.ids });
    });
    return file!;
  }
}
