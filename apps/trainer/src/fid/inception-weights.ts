import type { InceptionConventionName, TensorSource } from '@ratlip/eval';
import { flattenTorchStateDict, readTorchCheckpoint, toFloat32 } from '@ratlip/runtime';
import { openSafetensorsFile } from '@ratlip/runtime/node';
import { CliFailure } from '../cli-errors';
import { describeFirstBytes, type FileKind, SNIFF_BYTES, sniffFileKind } from '../inspect/sniff-file-kind';
import { readFileBytes, readFilePrefix, requireFile } from '../options/input-files';

/** `--inception` values and the `@ratlip/eval` convention each names. */
export const INCEPTION_CHOICES: Readonly<Record<'fid' | 'torchvision', InceptionConventionName>> = {
  fid: 'pytorch-fid',
  torchvision: 'torchvision-imagenet',
};

/** Classifier rows of each convention's weights, which tell them apart when `--inception auto`. */
const CONVENTION_BY_CLASSES: Readonly<Record<number, InceptionConventionName>> = {
  1008: 'pytorch-fid',
  1000: 'torchvision-imagenet',
};

/** Weights opened for the Inception loader; `close` releases the file. */
export interface OpenedWeights extends TensorSource {
  close(): void;
}

function safetensorsWeights(path: string): OpenedWeights {
  const file = openSafetensorsFile(path);
  return {
    source: path,
    has: (name) => file.has(name),
    shape: (name) => file.entry(name).shape,
    float32: (name) => file.float32(name),
    close: () => file.close(),
  };
}

function torchWeights(path: string): OpenedWeights {
  const tensors = flattenTorchStateDict(readTorchCheckpoint(readFileBytes(path), { source: path }));
  const tensor = (name: string) => {
    const found = tensors.get(name);
    if (!found) throw new CliFailure(`${path}: no tensor named '${name}'`);
    return found;
  };
  return {
    source: path,
    has: (name) => tensors.has(name),
    shape: (name) => tensor(name).shape,
    float32: (name) => toFloat32(tensor(name).dtype, tensor(name).data),
    close: () => tensors.clear(),
  };
}

/** How each kind of weights file is opened (zip and bare pickles are torch.save checkpoints). */
const WEIGHT_OPENERS: Readonly<Record<FileKind, (path: string) => OpenedWeights>> = {
  safetensors: safetensorsWeights,
  zip: torchWeights,
  pickle: torchWeights,
};

/**
 * Opens Inception-v3 weights: a `.safetensors` file (read tensor by tensor) or a `torch.save`
 * state_dict (`.pth`), recognised by content.
 *
 * @throws CliFailure for a missing file or one of another format.
 */
export function openInceptionWeights(path: string): OpenedWeights {
  requireFile(path, 'weights file');
  const prefix = readFilePrefix(path, SNIFF_BYTES);
  const kind = sniffFileKind(prefix);
  if (kind !== undefined) return WEIGHT_OPENERS[kind](path);
  throw new CliFailure(
    `weights file ${path}: not a safetensors or torch .pth file (it starts with bytes ${describeFirstBytes(prefix)})`,
  );
}

/**
 * The weight convention: the one `--inception` names, or for `auto` the one whose classifier size
 * `fc.weight` has (1008 rows: pytorch-fid, 1000: torchvision).
 */
export function inceptionConventionOf(
  weights: TensorSource,
  choice: 'auto' | keyof typeof INCEPTION_CHOICES,
): InceptionConventionName {
  if (choice !== 'auto') return INCEPTION_CHOICES[choice];
  const classes = weights.has('fc.weight') ? weights.shape('fc.weight')[0] : undefined;
  const convention = classes === undefined ? undefined : CONVENTION_BY_CLASSES[classes];
  if (!convention) {
    throw new CliFailure(
      `${weights.source}: cannot tell which Inception-v3 the weights are (fc.weight ${classes === undefined ? 'missing' : `has ${classes} rows`}); pass --inception fid or --inception torchvision`,
    );
  }
  return convention;
}
