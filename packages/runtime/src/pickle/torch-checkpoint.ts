import {
  decodeRaw,
  SAFETENSORS_DTYPE_SIZE,
  type SafetensorsDtype,
  type SafetensorsTypedArray,
} from '../io/safetensors';
import { readZip, type ZipEntry } from '../io/zip';
import { isPickleTuple, PickleError, type PickleGlobal, unpickle } from './unpickler';

/**
 * Reads PyTorch checkpoints (`torch.save` zip format, PyTorch >= 1.6) without Python. The pickle inside
 * is interpreted by the restricted unpickler with an allowlist of exactly what state dicts and
 * optimizer states need; anything else (for example `os.system`) is refused with an error naming it.
 */

/** A tensor read from a checkpoint: contiguous row-major values in the stored dtype. */
export interface TorchTensor {
  kind: 'torch-tensor';
  dtype: SafetensorsDtype;
  shape: number[];
  /** Contiguous values (F16/BF16 as raw 16-bit words, I64 as BigInt64Array). */
  data: SafetensorsTypedArray;
}

/** Options of {@link readTorchCheckpoint}. */
export interface TorchCheckpointOptions {
  /** Name of the file, used in error messages. Default `'checkpoint.pth'`. */
  source?: string;
}

/** PyTorch's legacy storage classes, by the dtype their bytes hold. */
const STORAGE_DTYPES: Readonly<Record<string, SafetensorsDtype>> = {
  DoubleStorage: 'F64',
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/** A storage class named in a persistent id; it is data, never called. */
interface StorageType extends PickleGlobal {
  kind: 'storage-type';
  dtype: SafetensorsDtype;
}

interface Storage {
  kind: 'storage';
  dtype: SafetensorsDtype;
  values: SafetensorsTypedArray;
}

/** True when `value` is a {@link TorchTensor}. */
export function isTorchTensor(value: unknown): value is TorchTensor {
  return typeof value === 'object' && value !== null && (value as TorchTensor).kind === 'torch-tensor';
}

/**
 * Parses a `torch.save` checkpoint and returns its object tree: dicts as Map, lists as arrays, tuples
 * as frozen arrays, tensors as {@link TorchTensor}.
 *
 * @example
 * ```ts
 * const tree = readTorchCheckpoint(readFileSync('state_epoch_1000.pth'), { source: 'state_epoch_1000.pth' });
 * const netG = flattenTorchStateDict((tree as Map<string, unknown>).get('model'));
 * ```
 */
export function readTorchCheckpoint(bytes: Uint8Array, options: TorchCheckpointOptions = {}): unknown {
  const source = options.source ?? 'checkpoint.pth';
  if (bytes.byteLength >= 2 && bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] <= 5) {
    throw new PickleError(
      `${source}: this is a legacy (pre-1.6) PyTorch checkpoint; re-save it with torch.save in PyTorch >= 1.6 (zip format)`,
    );
  }
  const entries = new Map<string, ZipEntry>();
  for (const entry of readZip(bytes, { source })) entries.set(entry.name, entry);
  const pickleName = [...entries.keys()].find((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (!pickleName)
    throw new PickleError(`${source}: no '<archive>/data.pkl' entry: not a torch.save checkpoint`);
  const archive = pickleName.slice(0, -'data.pkl'.length);
  const byteOrder = entries.get(`${archive}byteorder`);
  if (byteOrder && new TextDecoder().decode(byteOrder.read()).trim() !== 'little') {
    throw new PickleError(`${source}: big-endian checkpoints are not supported`);
  }
  const storages = new Map<string, Storage>();
  const loadStorage = (pid: unknown): Storage => {
    if (!isPickleTuple(pid) || pid[0] !== 'storage' || pid.length < 5) {
      throw new PickleError(`${source}: unexpected persistent id ${JSON.stringify(pid)}`);
    }
    const [, type, key] = pid as unknown as readonly [string, StorageType, string];
    if (type?.kind !== 'storage-type' || typeof key !== 'string') {
      throw new PickleError(`${source}: persistent id of storage ${String(key)} has no storage type`);
    }
    const cached = storages.get(key);
    if (cached) return cached;
    const entry = entries.get(`${archive}data/${key}`);
    if (!entry)
      throw new PickleError(`${source}: storage '${archive}data/${key}' is missing from the archive`);
    const raw = entry.read();
    if (raw.byteLength % SAFETENSORS_DTYPE_SIZE[type.dtype] !== 0) {
      throw new PickleError(
        `${source}: storage ${key} has ${raw.byteLength} bytes, not a whole number of ${type.dtype}`,
      );
    }
    const storage: Storage = { kind: 'storage', dtype: type.dtype, values: decodeRaw(type.dtype, raw) };
    storages.set(key, storage);
    return storage;
  };
  return unpickle(entries.get(pickleName)!.read(), {
    source: `${source} (${pickleName})`,
    resolveGlobal: (module, name) => allowedGlobal(module, name, source),
    persistentLoad: loadStorage,
  });
}

function allowedGlobal(module: string, name: string, source: string): PickleGlobal | undefined {
  if (module === 'collections' && name === 'OrderedDict') return { call: () => new Map() };
  if (module === 'torch' && name in STORAGE_DTYPES) {
    const storageType: StorageType = {
      kind: 'storage-type',
      dtype: STORAGE_DTYPES[name]!,
      call: () => {
        throw new PickleError(`${source}: torch.${name} may name a storage type but not be called`);
      },
    };
    return storageType;
  }
  if (module === 'torch._utils' && name === '_rebuild_tensor_v2') {
    return { call: (args) => rebuildTensor(args, source) };
  }
  if (module === 'torch._utils' && name === '_rebuild_parameter') return { call: (args) => args[0] };
  if (module === '_codecs' && name === 'encode') {
    return { call: ([text]) => Uint8Array.from(String(text), (c) => c.charCodeAt(0)) };
  }
  return undefined;
}

function rebuildTensor(args: unknown[], source: string): TorchTensor {
  const [storage, offset, size, stride] = args as [Storage, number, readonly number[], readonly number[]];
  if (storage?.kind !== 'storage' || !Array.isArray(size) || !Array.isArray(stride)) {
    throw new PickleError(`${source}: malformed tensor record (expected storage, offset, size, stride)`);
  }
  const shape = [...size] as number[];
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new (storage.values.constructor as new (length: number) => SafetensorsTypedArray)(count);
  const last = offset + shape.reduce((sum, dim, axis) => sum + (dim - 1) * stride[axis]!, 0);
  if (count > 0 && (offset < 0 || last >= storage.values.length)) {
    throw new PickleError(`${source}: tensor of shape [${shape.join(', ')}] reads past its storage`);
  }
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    let position = offset;
    for (let axis = 0; axis < shape.length; axis++) position += index[axis]! * stride[axis]!;
    (out as unknown as number[])[i] = (storage.values as unknown as number[])[position]!;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++index[axis]! < shape[axis]!) break;
      index[axis] = 0;
    }
  }
  return { kind: 'torch-tensor', dtype: storage.dtype, shape, data: out };
}

/**
 * Flattens nested dicts of tensors into `prefix.key` names, as `state_dict()` keys are written:
 * `flattenTorchStateDict(tree.get('model'))` gives `netG.fc_code.weight`, ... Non-tensor leaves are skipped.
 */
export function flattenTorchStateDict(tree: unknown, prefix = ''): Map<string, TorchTensor> {
  const out = new Map<string, TorchTensor>();
  const visit = (value: unknown, path: string) => {
    if (isTorchTensor(value)) out.set(path, value);
    else if (value instanceof Map) {
      for (const [key, child] of value) visit(child, path ? `${path}.${String(key)}` : String(key));
    }
  };
  visit(tree, prefix);
  return out;
}
