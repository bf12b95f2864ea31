import * as tf from '@tensorflow/tfjs';
import { checkBlockList, RATLIP_PROMPT_BLOCKS, RATLIP_TAP_BLOCKS } from './block-selection';
import { type ClipVisionConfig, validateClipVisionConfig, visionGridSize } from './clip-config';
import { layerNorm } from './layer-norm';
import { residualAttentionBlock } from './residual-attention-block';
import {
  type ClipVisionParameters,
  checkVisionParameters,
  visionParameterEntries,
} from './vision-parameters';

/** Options of {@link ClipVisionTransformer.runBlocks}. */
export interface VisionBlocksOptions {
  /** Blocks (0-based) after which the tokens are returned in `taps`, in this order. Default: none. */
  tapBlocks?: readonly number[];
  /**
   * Prompt tokens `[batch, promptBlocks.length, width]`. Token j is appended (without positional
   * embedding) before block `promptBlocks[j]` and removed after it. Default: none.
   */
  prompts?: tf.Tensor3D;
  /** Blocks that receive a prompt token. Default {@link RATLIP_PROMPT_BLOCKS} when `prompts` is given. */
  promptBlocks?: readonly number[];
}

/** Result of {@link ClipVisionTransformer.runBlocks}. */
export type VisionBlocksResult = {
  /** Tokens after the last block, `[batch, grid * grid + 1, width]` (class token first). */
  tokens: tf.Tensor3D;
  /** Tokens after each of `tapBlocks`, each `[batch, grid * grid + 1, width]`. */
  taps: tf.Tensor3D[];
};

/** Result of {@link ClipVisionTransformer.encodeWithLocalFeatures}. */
export type VisionLocalFeatures = {
  /**
   * Patch tokens after each tapped block, class token dropped, patches in row-major grid order:
   * `[batch, taps, grid, grid, width]` (channels-last; the reference's `[B, 3, 768, 7, 7]` is
   * `transpose([0, 1, 4, 2, 3])` of it). Select one tap with `gather`/`slice` on axis 1.
   */
  localFeatures: tf.Tensor5D;
  /** The image embedding `ln_post(CLS) @ proj`, `[batch, embedDim]` (not normalised). */
  embedding: tf.Tensor2D;
};

/** Options of {@link ClipVisionTransformer.encodeWithLocalFeatures}. */
export interface LocalFeaturesOptions {
  /** Blocks (0-based) whose output tokens are returned. Default {@link RATLIP_TAP_BLOCKS} (1, 4, 8). */
  tapBlocks?: readonly number[];
}

/** Options of {@link ClipVisionTransformer.mapFeatures}. */
export interface MapperOptions {
  /** Blocks (0-based) that get a prompt token appended. Default {@link RATLIP_PROMPT_BLOCKS} (1 to 8). */
  promptBlocks?: readonly number[];
}

/**
 * CLIP's image tower (OpenAI `VisionTransformer`), channels-last, with the hooks RATLIP needs. The
 * weights are plain (non-trainable) tensors: gradients flow through them to the inputs, and optimizers
 * never update them. The tower owns its parameters; {@link dispose} frees them.
 */
export class ClipVisionTransformer {
  /** Patches per image side. */
  readonly gridSize: number;

  /**
   * @param config validated here.
   * @param parameters TF.js-layout weights (see {@link ClipVisionParameters}); shapes are checked.
   */
  constructor(
    readonly config: ClipVisionConfig,
    readonly parameters: ClipVisionParameters,
  ) {
    validateClipVisionConfig(config);
    checkVisionParameters(config, parameters);
    this.gridSize = visionGridSize(config);
  }

  /**
   * The patch embedding (OpenAI `conv1`, stride = kernel = patch, no bias) as a matrix product on
   * flattened channels-last patches.
   * @param pixels normalised images `[batch, imageSize, imageSize, 3]`.
   * @returns `[batch, grid, grid, width]`.
   */
  embedPatches(pixels: tf.Tensor4D): tf.Tensor4D {
    this.checkPixels(pixels);
    const { patchSize, width } = this.config;
    const grid = this.gridSize;
    return tf.tidy(() => {
      const batch = pixels.shape[0];
      const patches = pixels
        .reshape([batch, grid, patchSize, grid, patchSize, 3])
        .transpose([0, 1, 3, 2, 4, 5])
        .reshape([batch * grid * grid, patchSize * patchSize * 3]) as tf.Tensor2D;
      return tf
        .matMul(patches, this.parameters.patchEmbedding)
        .reshape([batch, grid, grid, width]) as tf.Tensor4D;
    });
  }

  /**
   * Tokens entering the first block: the grid flattened row-major, the class embedding prepended, the
   * positional embedding added, then `ln_pre`.
   * @param patchGrid `[batch, grid, grid, width]`: patch embeddings, or RATLIP's feature map.
   * @returns `[batch, grid * grid + 1, width]`.
   */
  embedTokens(patchGrid: tf.Tensor4D): tf.Tensor3D {
    this.checkGrid(patchGrid, 'patchGrid');
    const { width } = this.config;
    return tf.tidy(() => {
      const batch = patchGrid.shape[0];
      const patches = patchGrid.reshape([batch, -1, width]);
      const classToken = this.parameters.classEmbedding.reshape([1, 1, width]).tile([batch, 1, 1]);
      const tokens = tf.concat([classToken, patches], 1).add(this.parameters.positionalEmbedding);
      return layerNorm(tokens, this.parameters.preNorm) as tf.Tensor3D;
    });
  }

  /**
   * Runs every residual block, optionally appending prompt tokens before chosen blocks and returning
   * the tokens after chosen blocks.
   * @param tokens `[batch, grid * grid + 1, width]` from {@link embedTokens}.
   */
  runBlocks(tokens: tf.Tensor3D, options: VisionBlocksOptions = {}): VisionBlocksResult {
    const { layers, width, heads } = this.config;
    const tapBlocks = checkBlockList(options.tapBlocks ?? [], layers, 'runBlocks: tapBlocks');
    const promptBlocks = options.prompts
      ? checkBlockList(options.promptBlocks ?? RATLIP_PROMPT_BLOCKS, layers, 'runBlocks: promptBlocks')
      : [];
    const prompts = options.prompts;
    if (prompts) this.checkPrompts(prompts, tokens.shape[0], promptBlocks.length);
    return tf.tidy(() => {
      const taps = new Map<number, tf.Tensor3D>();
      let x = tokens;
      this.parameters.blocks.forEach((block, index) => {
        const promptIndex = promptBlocks.indexOf(index);
        if (prompts && promptIndex >= 0) {
          const prompt = prompts.slice([0, promptIndex, 0], [-1, 1, width]);
          const tokenCount = x.shape[1];
          const withPrompt = residualAttentionBlock(tf.concat([x, prompt], 1), block, heads);
          x = withPrompt.slice([0, 0, 0], [-1, tokenCount, width]);
        } else {
          x = residualAttentionBlock(x, block, heads);
        }
        if (tapBlocks.includes(index)) taps.set(index, x);
      });
      return { tokens: x, taps: tapBlocks.map((block) => taps.get(block)!) };
    });
  }

  /**
   * The class token after `ln_post` and its projection.
   * @param tokens `[batch, grid * grid + 1, width]` after the last block.
   * @returns `classToken` `[batch, width]` and `embedding` `[batch, embedDim]` (not normalised).
   */
  pool(tokens: tf.Tensor3D): { classToken: tf.Tensor2D; embedding: tf.Tensor2D } {
    return tf.tidy(() => {
      const [batch, , width] = tokens.shape;
      const cls = tokens.slice([0, 0, 0], [batch, 1, width]).reshape([batch, width]);
      const classToken = layerNorm(cls, this.parameters.postNorm) as tf.Tensor2D;
      return { classToken, embedding: tf.matMul(classToken, this.parameters.projection) };
    });
  }

  /**
   * The image embedding (OpenAI `encode_image`).
   * @param pixels normalised images `[batch, imageSize, imageSize, 3]`.
   * @returns `[batch, embedDim]`, not normalised.
   */
  encode(pixels: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const { tokens } = this.runBlocks(this.embedTokens(this.embedPatches(pixels)));
      return this.pool(tokens).embedding;
    });
  }

  /**
   * RATLIP's discriminator view of an image: the patch tokens after chosen blocks plus the global
   * embedding, from one forward pass.
   * @param pixels normalised images `[batch, imageSize, imageSize, 3]`.
   */
  encodeWithLocalFeatures(pixels: tf.Tensor4D, options: LocalFeaturesOptions = {}): VisionLocalFeatures {
    const tapBlocks = options.tapBlocks ?? RATLIP_TAP_BLOCKS;
    return tf.tidy(() => {
      const { tokens, taps } = this.runBlocks(this.embedTokens(this.embedPatches(pixels)), { tapBlocks });
      const grids = taps.map((tap) => this.tokensToGrid(tap));
      return {
        localFeatures: tf.stack(grids, 1) as tf.Tensor5D,
        embedding: this.pool(tokens).embedding,
      };
    });
  }

  /**
   * RATLIP's generator "mapper" (`CLIP_Mapper`): the tower run on a feature map instead of patch
   * embeddings, with one prompt token appended before each of `promptBlocks`; no `ln_post`; the class
   * token is dropped. Differentiable in `featureMap` and `prompts`.
   * @param featureMap `[batch, grid, grid, width]`, used in place of the patch embeddings.
   * @param prompts `[batch, promptBlocks.length, width]`; token j goes before block `promptBlocks[j]`.
   * @returns `[batch, grid, grid, width]`.
   */
  mapFeatures(featureMap: tf.Tensor4D, prompts: tf.Tensor3D, options: MapperOptions = {}): tf.Tensor4D {
    const promptBlocks = options.promptBlocks ?? RATLIP_PROMPT_BLOCKS;
    return tf.tidy(() => {
      const { tokens } = this.runBlocks(this.embedTokens(featureMap), { prompts, promptBlocks });
      return this.tokensToGrid(tokens);
    });
  }

  /** Frees the parameters. */
  dispose(): void {
    for (const tensor of visionParameterEntries(this.parameters).values()) tensor.dispose();
  }

  /** Drops the class token and reshapes `[batch, grid * grid + 1, width]` to `[batch, grid, grid, width]`. */
  private tokensToGrid(tokens: tf.Tensor3D): tf.Tensor4D {
    const [batch, count, width] = tokens.shape;
    return tokens
      .slice([0, 1, 0], [batch, count - 1, width])
      .reshape([batch, this.gridSize, this.gridSize, width]);
  }

  private checkPixels(pixels: tf.Tensor): void {
    const size = this.config.imageSize;
    const [, height, breadth, channels] = pixels.shape;
    if (pixels.rank !== 4 || height !== size || breadth !== size || channels !== 3) {
      throw new Error(
        `ClipVisionTransformer: pixels must be [batch, ${size}, ${size}, 3], got [${pixels.shape.join(', ')}]`,
      );
    }
  }

  private checkGrid(grid: tf.Tensor, name: string): void {
    const { width } = this.config;
    const [, rows, columns, channels] = grid.shape;
    if (grid.rank !== 4 || rows !== this.gridSize || columns !== this.gridSize || channels !== width) {
      throw new Error(
        `ClipVisionTransformer: ${name} must be [batch, ${this.gridSize}, ${this.gridSize}, ${width}], got [${grid.shape.join(', ')}]`,
      );
    }
  }

  private checkPrompts(prompts: tf.Tensor, batch: number, count: number): void {
    const { width } = this.config;
    if (
      prompts.rank !== 3 ||
      prompts.shape[0] !== batch ||
      prompts.shape[1] !== count ||
      prompts.shape[2] !== width
    ) {
      throw new Error(
        `ClipVisionTransformer: prompts must be [${batch}, ${count} (one per prompt block), ${width}], got [${prompts.shape.join(', ')}]`,
      );
    }
  }
}
