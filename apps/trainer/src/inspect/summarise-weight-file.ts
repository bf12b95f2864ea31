import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { readZip } from '@ratlip/runtime';
import { CliFailure } from '../cli-errors';
import { requireFile } from '../options/input-files';
import { summariseNpz } from './summarise-npz';
import { summariseSafetensors } from './summarise-safetensors';
import { summariseTorchCheckpoint } from './summarise-torch-checkpoint';
import type { WeightFileSummary } from './weight-file-summary';

/** Bytes read to recognise a format. */
const SNIFF_BYTES = 16;

/** A way to recognise a format by its first bytes, and to summarise it. */
interface ContentKind {
  /** Whether the file's first bytes (up to {@link SNIFF_BYTES}) are of this kind. */
  matches(prefix: Uint8Array): boolean;
  summarise(path: string): WeightFileSummary;
}

/** A `torch.save` zip holds `<archive>/data.pkl`; an `.npz` holds only `NAME.npy` entries. */
function summariseZip(path: string): WeightFileSummary {
  const bytes = readFileSync(path);
  const isTorch = readZip(bytes, { source: path }).some((entry) => /^[^/]+\/data\.pkl$/.test(entry.name));
  return isTorch ? summariseTorchCheckpoint(path, bytes) : summariseNpz(path, bytes);
}

/** Content kinds, tried in order. */
const CONTENT_KINDS: readonly ContentKind[] = [
  {
    // Little-endian u64 header length, then the JSON header's opening brace.
    matches: (prefix) => prefix.byteLength > 8 && prefix[8] === 0x7b && prefix[6] === 0 && prefix[7] === 0,
    summarise: summariseSafetensors,
  },
  {
    // Zip local file header or empty-archive record: .npz and torch.save checkpoints.
    matches: (prefix) =>
      prefix[0] === 0x50 && prefix[1] === 0x4b && (prefix[2] === 0x03 || prefix[2] === 0x05),
    summarise: summariseZip,
  },
  {
    // A bare pickle: a pre-1.6 torch.save checkpoint, which readTorchCheckpoint explains.
    matches: (prefix) => prefix[0] === 0x80 && (prefix[1] ?? 0xff) <= 5,
    summarise: (path) => summariseTorchCheckpoint(path, readFileSync(path)),
  },
];

function readPrefix(path: string): Uint8Array {
  const prefix = new Uint8Array(SNIFF_BYTES);
  const fd = openSync(path, 'r');
  try {
    return prefix.subarray(0, readSync(fd, prefix, 0, SNIFF_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Names, dtypes, shapes and parameter count of a `.safetensors`, `.npz` or `.pth` file. The format is
 * recognised from the content, whatever the extension; safetensors files are summarised from the
 * header without reading tensor data.
 *
 * @throws CliFailure for a missing, empty or unrecognised file; the format readers' errors for malformed ones.
 */
export function summariseWeightFile(path: string): WeightFileSummary {
  requireFile(path);
  const prefix = readPrefix(path);
  if (prefix.byteLength === 0) throw new CliFailure(`${path}: the file is empty`);
  const kind = CONTENT_KINDS.find((candidate) => candidate.matches(prefix));
  if (!kind) {
    const hex = [...prefix.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
    throw new CliFailure(`${path}: not a safetensors, .npz or .pth file (it starts with bytes ${hex})`);
  }
  return kind.summarise(path);
}
