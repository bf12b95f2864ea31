import { generatorCaptionTensors, type WebModelBytes, type WebModelManifest } from '@ratlip/ratlip-gan';
import { readSafetensors } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { MAX_IMAGES_PER_CALL, MAX_SEED } from './generation-limits';
import { type ImageGenerator, loadImageGenerator } from './image-generator';
import { SentenceEncoder } from './sentence-encoder';

/** Options of {@link TextToImage.generate}. */
export interface TextToImageOptions {
  /** The caption; longer than the text context it is truncated. */
  caption: string;
  /** Noise seed, integer 0 to 2^32-1. */
  seed: number;
  /** Images, 1 to {@link MAX_IMAGES_PER_CALL}. */
  count: number;
}

/** Images of one caption. */
export interface GeneratedImages {
  count: number;
  width: number;
  height: number;
  /** Pixels `[count, height, width, 3]`, row-major, in [-1, 1]. */
  values: Float32Array;
  /** Milliseconds spent encoding the caption and generating (pixels read back included). */
  timings: { encodeMs: number; generateMs: number };
}

/**
 * A web model ready to draw: tokenizer, CLIP text tower and generator on the active tfjs backend.
 * Switching backends afterwards is not supported: load again.
 */
export class TextToImage {
  private constructor(
    readonly manifest: WebModelManifest,
    private readonly encoder: SentenceEncoder,
    private readonly generator: ImageGenerator,
  ) {}

  /** Builds the model from verified bytes (see `readWebModel`) on the active backend. */
  static async load(model: WebModelBytes): Promise<TextToImage> {
    const encoder = await SentenceEncoder.load(model.manifest, model.weights.textEncoder);
    try {
      const weights = readSafetensors(model.weights.generator, {
        source: model.manifest.files.generator.path,
      });
      return new TextToImage(model.manifest, encoder, loadImageGenerator(model.manifest, weights));
    } catch (error) {
      encoder.dispose();
      throw error;
    }
  }

  /**
   * Images for a caption. No tensors stay allocated afterwards.
   * @throws naming the option when seed or count is out of range or the caption is empty.
   */
  async generate(options: TextToImageOptions): Promise<GeneratedImages> {
    const { caption, seed, count } = options;
    if (typeof caption !== 'string' || caption.trim() === '')
      throw new Error('generate: caption must not be empty');
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new Error(`generate: seed must be an integer from 0 to ${MAX_SEED}, got ${seed}`);
    }
    if (!Number.isInteger(count) || count < 1 || count > MAX_IMAGES_PER_CALL) {
      throw new Error(`generate: count must be an integer from 1 to ${MAX_IMAGES_PER_CALL}, got ${count}`);
    }
    const started = performance.now();
    const captions = this.generator.encodeCaptions(this.encoder, [caption]);
    await captions.sentences.data();
    const encoded = performance.now();
    let images: tf.Tensor4D | undefined;
    try {
      images = this.generator.generate({ captions, seed, count });
      const values = (await images.data()) as Float32Array;
      const [, height, width] = images.shape;
      return {
        count,
        width,
        height,
        values,
        timings: { encodeMs: encoded - started, generateMs: performance.now() - encoded },
      };
    } finally {
      tf.dispose([...generatorCaptionTensors(captions), images ?? []]);
    }
  }

  dispose(): void {
    this.encoder.dispose();
    this.generator.dispose();
  }
}
