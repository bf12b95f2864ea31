import { readZip } from '@ratlip/runtime';
import { CliFailure } from '../cli-errors';
import { readFileBytes, readFilePrefix, requireFile } from '../options/input-files';
import { describeFirstBytes, type FileKind, SNIFF_BYTES, sniffFileKind } from './sniff-file-kind';
import { summariseNpz } from './summarise-npz';
import { summariseSafetensors } from './summarise-safetensors';
import { summariseTorchCheckpoint } from './summarise-torch-checkpoint';
import type { WeightFileSummary } from './weight-file-summary';

/** A `torch.save` zip holds `<archive>/data.pkl`; an `.npz` holds only `NAME.npy` entries. */
function summariseZip(path: string): WeightFileSummary {
  const bytes = readFileBytes(path);
  const isTorch = readZip(bytes, { source: path }).some((entry) => /^[^/]+\/data\.pkl$/.test(entry.name));
  return isTorch ? summariseTorchCheckpoint(path, bytes) : summariseNpz(path, bytes);
}

/** How each kind of file is summarised. */
const SUMMARISERS: Readonly<Record<FileKind, (path: string) => WeightFileSummary>> = {
  safetensors: summariseSafetensors,
  zip: summariseZip,
  // Pre-1.6 checkpoints: readTorchCheckpoint explains how to re-save them.
  pickle: (path) => summariseTorchCheckpoint(path, readFileBytes(path)),
};

/**
 * Names, dtypes, shapes and parameter count of a `.safetensors`, `.npz` or `.pth` file. The format is
 * recognised from the content, whatever the extension; safetensors files are summarised from the
 * header without reading tensor data.
 *
 * @throws CliFailure for a missing, empty or unrecognised file; the format readers' errors for malformed ones.
 */
export function summariseWeightFile(path: string): WeightFileSummary {
  requireFile(path);
  const prefix = readFilePrefix(path, SNIFF_BYTES);
  if (prefix.byteLength === 0) throw new CliFailure(`${path}: the file is empty`);
  const kind = sniffFileKind(prefix);
  if (!kind) {
    throw new CliFailure(
      `${path}: not a safetensors, .npz or .pth file (it starts with bytes ${describeFirstBytes(prefix)})`,
    );
  }
  return SUMMARISERS[kind](path);
}
