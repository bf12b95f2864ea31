import type { TorchTensor } from '@ratlip/runtime';
import type { RatlipConfigOverrides } from '../config/config-schema';
import type { OfficialCheckpoint } from './official-checkpoint';

function shapeOf(dict: ReadonlyMap<string, TorchTensor>, key: string, source: string): number[] {
  const tensor = dict.get(key);
  if (!tensor) throw new Error(`${source}: missing '${key}' (not an official RATLIP/GALIP generator?)`);
  return tensor.shape;
}

function countIndexed(dict: ReadonlyMap<string, TorchTensor>, prefix: string): number {
  let count = 0;
  const keys = [...dict.keys()];
  while (keys.some((key) => key.startsWith(`${prefix}${count}.`))) count++;
  return count;
}

/**
 * The config fields an official checkpoint determines, read from its tensor shapes: architecture
 * (RATLIP with legacy RAT when the adapter holds `rnn.*` LSTMs, GALIP when its convs are plain), noise
 * and sentence sizes, code/middle channels, adapter depth and kernels, G-block channels (the image size
 * follows the official rule of one G-block per doubling from 4 px), NetD output and NetC sizes.
 * @param source names the checkpoint in error messages.
 */
export function inferOfficialOverrides(
  checkpoint: OfficialCheckpoint,
  source: string,
): RatlipConfigOverrides {
  const g = checkpoint.netG;
  const rnnKey = 'mapping.FBlocks.0.fuse1.affine0.rnn.weight_hh_l0';
  const architecture = g.has('mapping.FBlocks.0.conv2.weight') ? 'galip' : 'ratlip';
  const noiseDim = shapeOf(g, 'fc_code.weight', source)[1]!;
  const [midChannels, codeChannels, adapterKernel] = shapeOf(g, 'mapping.FBlocks.0.conv1.weight', source);
  const [width, , fuseKernel] = shapeOf(g, 'mapping.conv_fuse.weight', source);
  const [promptValues, condDim] = shapeOf(g, 'mapping.fc_prompt.weight', source);
  const promptCount = promptValues! / width!;
  const blocks = countIndexed(g, 'GBlocks.');
  const convKey = architecture === 'galip' ? 'c1.weight' : 'c1.conv.weight';
  const blockChannels = Array.from({ length: blocks }, (_, i): [number, number] => {
    const [out, input] = shapeOf(g, `GBlocks.${i}.${convKey}`, source);
    return [input!, out!];
  });
  const [imageChannels, ngf] = shapeOf(g, 'to_rgb.1.weight', source);
  const sentenceDim = condDim! - noiseDim;
  const overrides: RatlipConfigOverrides = {
    architecture,
    imageSize: 4 * 2 ** blocks,
    imageChannels,
    clip: {
      text: { embedDim: sentenceDim },
      ...(promptCount === 8 ? {} : { promptBlocks: Array.from({ length: promptCount }, (_, i) => i + 1) }),
    },
    generator: {
      ngf,
      noiseDim,
      codeChannels,
      midChannels,
      adapterBlocks: countIndexed(g, 'mapping.FBlocks.'),
      adapterKernel,
      fuseKernel,
      blockChannels,
      ...(g.has(rnnKey) ? { rat: { mode: 'legacy', hiddenSize: shapeOf(g, rnnKey, source)[1]! } } : {}),
    },
  };
  const d = checkpoint.netD;
  const c = checkpoint.netC;
  if (d && c) {
    const [hidden, , k1] = shapeOf(c, 'joint_conv.0.weight', source);
    const k2 = shapeOf(c, 'joint_conv.2.weight', source)[2]!;
    overrides.discriminator = {
      outChannels: shapeOf(d, 'main.conv_r.0.weight', source)[0]!,
      netCHiddenChannels: hidden!,
      netCKernels: [k1!, k2],
    };
  }
  return overrides;
}
