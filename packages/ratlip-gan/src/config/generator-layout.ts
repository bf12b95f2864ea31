/**
 * The official layout rules of the generator and NetC, as functions of the config.
 */

/**
 * The official `get_G_in_out_chs(nf, imsize)`: channel counts `nf * min(2^i, 8)` for
 * i < log2(imsize) - 1, reversed, taken as consecutive (in, out) pairs. (64, 256) gives
 * [[512, 512], [512, 512], [512, 512], [512, 256], [256, 128], [128, 64]].
 * @param ngf base channel count.
 * @param imageSize training image side in px (a power of two in the official presets).
 */
export function generatorBlockChannels(ngf: number, imageSize: number): [number, number][] {
  const layers = Math.floor(Math.log2(imageSize)) - 1;
  if (layers < 2) {
    throw new Error(`generatorBlockChannels: imageSize ${imageSize} is too small (needs at least 8 px)`);
  }
  const channels = Array.from({ length: layers }, (_, i) => ngf * Math.min(2 ** i, 8)).reverse();
  return channels.slice(1).map((out, i) => [channels[i]!, out]);
}

/**
 * Output side of each G-block's nearest upsample: 8, 16, 32, ... (the official sizes start at 4 and
 * double per block), except the last, which is `outputSize` (official: the hard-coded 224).
 * @param blocks number of G-blocks.
 * @param outputSize side of the generated image in px.
 */
export function generatorBlockSizes(blocks: number, outputSize: number): number[] {
  return Array.from({ length: blocks }, (_, i) => (i === blocks - 1 ? outputSize : 4 * 2 ** (i + 1)));
}

/**
 * NetC's two valid convolution kernels for a `grid x grid` feature map, so that the output is 1 x 1:
 * k1 + k2 - 1 = grid, k1 = ceil((grid + 1) / 2). The official 7 x 7 grid gives [4, 4].
 */
export function netCKernelSizes(grid: number): [number, number] {
  if (!Number.isInteger(grid) || grid < 1) {
    throw new Error(`netCKernelSizes: grid must be a positive integer, got ${grid}`);
  }
  const first = Math.ceil((grid + 1) / 2);
  return [first, grid + 1 - first];
}
