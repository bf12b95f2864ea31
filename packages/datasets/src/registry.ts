import { openImageFolder } from './custom/image-folder';
import { openManifest } from './custom/manifest';
import { DatasetError } from './errors';
import { openBirds } from './layouts/cub-birds';
import { openFaces, openFlowers } from './layouts/keyed-layout';
import { ShapesDataset, type ShapesDatasetOptions } from './shapes/shapes-dataset';
import type { DatasetIO, TextImageDataset } from './types';

/** Options of {@link openDataset}; each kind reads the ones that concern it. */
export interface OpenDatasetOptions {
  /** Split to open. Default `train` for birds/flowers/faces/shapes, `all` for folder/manifest. */
  split?: string;
  /** File access and image decoding; required by every kind but `shapes`. */
  io?: DatasetIO;
  /** birds: apply the official bounding-box crop. Default true. */
  boundingBoxCrop?: boolean;
  /** folder/manifest without split labels: hashed test fraction. Default 0.1. */
  testFraction?: number;
  /** shapes: generator options (the spec string's `key=value` pairs override them). */
  shapes?: ShapesDatasetOptions;
}

/** A dataset described as an object instead of a `kind:path` string. */
export interface DatasetSpec extends OpenDatasetOptions {
  kind: string;
  /** Root folder (birds, flowers, faces, folder) or manifest file; for shapes, optional `key=value,...`. */
  path?: string;
}

/** One entry of the dataset registry. */
export interface DatasetKind {
  /** One line for help texts. */
  description: string;
  /** Whether the kind reads files (then `io` and a path are required). */
  readsFiles: boolean;
  open(path: string, options: OpenDatasetOptions & { io: DatasetIO }): Promise<TextImageDataset>;
}

const SHAPES_NUMERIC_KEYS = [
  'seed',
  'size',
  'imageSize',
  'maxObjects',
  'twoObjectProbability',
  'jitter',
  'captionsPerImage',
];

/** Parses shapes' `key=value,key=value` options, e.g. `seed=3,imageSize=64,split=heldout`. */
function parseShapesOptions(text: string, base: OpenDatasetOptions): ShapesDatasetOptions {
  const options: Record<string, unknown> = { ...base.shapes };
  if (base.split !== undefined) options['split'] = base.split;
  for (const pair of text.split(',').filter((part) => part.trim().length > 0)) {
    const [key, value, ...rest] = pair.split('=').map((part) => part.trim());
    if (key === undefined || value === undefined || rest.length > 0) {
      throw new DatasetError(
        'bad-option',
        text,
        `shapes options "${text}": expected key=value pairs separated by commas`,
      );
    }
    if (key === 'split') options['split'] = value;
    else if (SHAPES_NUMERIC_KEYS.includes(key) && value !== '' && Number.isFinite(Number(value)))
      options[key] = Number(value);
    else {
      throw new DatasetError(
        'bad-option',
        text,
        `shapes options "${text}": unknown key or non-numeric value "${pair}" (keys: split, ${SHAPES_NUMERIC_KEYS.join(', ')})`,
      );
    }
  }
  return options as ShapesDatasetOptions;
}

const kinds = new Map<string, DatasetKind>([
  [
    'birds',
    {
      description: 'CUB-200-2011 in the DF-GAN/RATLIP layout, with the bounding-box crop',
      readsFiles: true,
      open: (path, options) => openBirds(path, options.io, options),
    },
  ],
  [
    'flowers',
    {
      description: 'Oxford-102 flowers in the DF-GAN/RATLIP layout',
      readsFiles: true,
      open: (path, options) => openFlowers(path, options.io, options),
    },
  ],
  [
    'faces',
    {
      description: 'Multi-Modal CelebA-HQ ("CelebA-tiny") in the RATLIP layout',
      readsFiles: true,
      open: (path, options) => openFaces(path, options.io, options),
    },
  ],
  [
    'folder',
    {
      description: 'a folder of images, each with a .txt caption file beside it',
      readsFiles: true,
      open: (path, options) => openImageFolder(path, options.io, options),
    },
  ],
  [
    'manifest',
    {
      description: 'a JSONL/JSON/CSV manifest of images and captions',
      readsFiles: true,
      open: (path, options) => openManifest(path, options.io, options),
    },
  ],
  [
    'shapes',
    {
      description: 'procedural coloured shapes with template captions (no files needed)',
      readsFiles: false,
      open: async (path, options) => new ShapesDataset(parseShapesOptions(path, options)),
    },
  ],
]);

/** The registered dataset kinds by name (`birds`, `flowers`, `faces`, `folder`, `manifest`, `shapes`). */
export function datasetKinds(): ReadonlyMap<string, DatasetKind> {
  return kinds;
}

/** Adds (or replaces) a dataset kind, making `openDataset('<name>:<path>')` work for it. */
export function registerDatasetKind(name: string, kind: DatasetKind): void {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    throw new Error(`registerDatasetKind: name must be lower-case letters, digits and dashes, got "${name}"`);
  }
  kinds.set(name, kind);
}

/** Splits `kind:path` at the first colon (`birds:/data/birds`, `folder:C:\pics`, `shapes`). */
export function parseDatasetSpec(spec: string): { kind: string; path: string } {
  const colon = spec.indexOf(':');
  return colon < 0
    ? { kind: spec.trim(), path: '' }
    : { kind: spec.slice(0, colon).trim(), path: spec.slice(colon + 1) };
}

/**
 * Opens a dataset by registry kind.
 *
 * @param spec `'kind:path'` (for example `'birds:data/birds'`, `'manifest:my/captions.jsonl'`,
 *   `'shapes:seed=1,imageSize=64'`) or a {@link DatasetSpec}.
 * @param options merged under the spec object's own fields. In Node, pass `io: nodeDatasetIO()` from
 *   `@ratlip/datasets/node` (the local disk and sharp).
 * @throws DatasetError `bad-option` for an unknown kind, a missing path or missing `io`.
 */
export async function openDataset(
  spec: string | DatasetSpec,
  options: OpenDatasetOptions = {},
): Promise<TextImageDataset> {
  const parsed =
    typeof spec === 'string' ? { ...options, ...parseDatasetSpec(spec) } : { ...options, ...spec };
  const kind = kinds.get(parsed.kind);
  if (!kind) {
    throw new DatasetError(
      'bad-option',
      parsed.kind,
      `unknown dataset kind "${parsed.kind}"; known kinds: ${[...kinds.keys()].join(', ')} (write kind:path)`,
    );
  }
  const path = parsed.path ?? '';
  if (kind.readsFiles && path.length === 0) {
    throw new DatasetError(
      'bad-option',
      parsed.kind,
      `dataset kind "${parsed.kind}" needs a path: ${parsed.kind}:<path>`,
    );
  }
  if (kind.readsFiles && !parsed.io) {
    throw new DatasetError(
      'bad-option',
      'io',
      `dataset kind "${parsed.kind}" reads files: pass options.io (in Node: io: nodeDatasetIO() from @ratlip/datasets/node)`,
    );
  }
  return kind.open(path, { ...parsed, io: parsed.io ?? { files: noFiles } });
}

const noFiles = {
  description: 'no file source',
  read: async () => undefined,
};
