import {
  type DBlockParams,
  dBlockForward,
  exportDBlockToStateDict,
  initDBlock,
  loadDBlockFromStateDict,
  type MutableStateDict,
  mergeStateDicts,
  type StateDict,
} from '@ratlip/rat-blocks';
import type { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import type { ResolvedRatlipConfig } from '../config/config-schema';

/**
 * The official `NetD` on CLIP features: `out = h[:, 0]`, then one D-block per further tap adding
 * `beta * h[:, i + 1]` (learnable residual scale gamma and CLIP-feature scale beta, both starting at 0),
 * then the main D-block (width -> outChannels, gamma only).
 */
export interface NetDParams {
  /** `DBlocks.<i>.`: width -> width with gamma and beta. */
  readonly blocks: readonly DBlockParams[];
  /** `main.`: width -> outChannels with gamma. */
  readonly main: DBlockParams;
}

/** PyTorch-default convs, gamma = beta = 0 (the official 768 -> 768 blocks keep their unused conv_s). */
export function initNetD(config: ResolvedRatlipConfig, rng: SeededRandom): NetDParams {
  const width = config.clip.vision.width;
  const blocks = Array.from({ length: config.clip.tapBlocks.length - 1 }, () =>
    initDBlock({ inChannels: width, outChannels: width, residual: true, clipFeature: true }, rng),
  );
  const main = initDBlock(
    { inChannels: width, outChannels: config.discriminator.outChannels, residual: true, clipFeature: false },
    rng,
  );
  return { blocks, main };
}

/** Outputs of {@link netDForwardWithIntermediates}. */
export interface NetDOutputs {
  /** Output of each `DBlocks.<i>`, `[batch, grid, grid, width]`. */
  readonly blockOutputs: tf.Tensor4D[];
  /** `[batch, grid, grid, outChannels]`. */
  readonly output: tf.Tensor4D;
}

function checkFeatures(params: NetDParams, features: tf.Tensor): void {
  const taps = params.blocks.length + 1;
  const width = params.main.conv0.kernel.shape[2];
  if (features.rank !== 5 || features.shape[1] !== taps || features.shape[4] !== width) {
    throw new Error(
      `NetD: CLIP features must be [batch, ${taps} taps, grid, grid, ${width}], got [${features.shape.join(', ')}]`,
    );
  }
}

/** Like {@link netDForward}, also returning each D-block's output. */
export function netDForwardWithIntermediates(params: NetDParams, features: tf.Tensor): NetDOutputs {
  checkFeatures(params, features);
  return tf.tidy(() => {
    // Slices rather than tf.unstack: the wasm Unpack kernel is orders of magnitude slower.
    const [batch, , grid, gridWidth, width] = features.shape as number[];
    const tap = (i: number) =>
      tf.reshape(tf.slice(features, [0, i, 0, 0, 0], [-1, 1, -1, -1, -1]), [
        batch!,
        grid!,
        gridWidth!,
        width!,
      ]);
    let out = tap(0) as tf.Tensor4D;
    const blockOutputs = params.blocks.map((block, i) => {
      out = dBlockForward(block, out, tap(i + 1));
      return out;
    });
    return { blockOutputs, output: dBlockForward(params.main, out) };
  });
}

/**
 * @param features the CLIP local features `[batch, taps, grid, grid, width]` (channels-last).
 * @returns `[batch, grid, grid, outChannels]`. Twice differentiable (MA-GP).
 */
export function netDForward(params: NetDParams, features: tf.Tensor): tf.Tensor4D {
  const { blockOutputs, output } = netDForwardWithIntermediates(params, features);
  tf.dispose(blockOutputs);
  return output;
}

/** Reads the official `NetD` keys (`DBlocks.<i>.*`, `main.*`); `taps` = number of CLIP taps. */
export function loadNetDFromStateDict(dict: StateDict, taps: number): NetDParams {
  return {
    blocks: Array.from({ length: taps - 1 }, (_, i) => loadDBlockFromStateDict(dict, `DBlocks.${i}.`)),
    main: loadDBlockFromStateDict(dict, 'main.'),
  };
}

/** Writes the official `NetD` keys (new tensors the caller disposes). */
export function exportNetDToStateDict(params: NetDParams): MutableStateDict {
  return mergeStateDicts(
    ...params.blocks.map((block, i) => exportDBlockToStateDict(block, `DBlocks.${i}.`)),
    exportDBlockToStateDict(params.main, 'main.'),
  );
}
