import { flattenTorchStateDict, readTorchCheckpoint, type TorchTensor } from '@ratlip/runtime';

/**
 * The parts of an official RATLIP/GALIP `state_epoch_*.pth` (`save_models_opt`):
 * `{'model': {'netG', 'netD', 'netC'}, 'optimizers': {'optimizer_G', 'optimizer_D'}, 'epoch'}`.
 */
export interface OfficialCheckpoint {
  /** Flattened state dicts in checkpoint order, the DDP `module.` prefix removed. */
  netG: Map<string, TorchTensor>;
  netD?: Map<string, TorchTensor>;
  netC?: Map<string, TorchTensor>;
  /** PyTorch optimizer state dicts as read (Maps, arrays, tensors), when saved. */
  optimizerG?: unknown;
  optimizerD?: unknown;
  /** The epoch the checkpoint was saved at, when recorded. */
  epoch?: number;
}

const DDP_PREFIX = 'module.';

/** Removes the `module.` prefix DistributedDataParallel adds to every key (as the official loader does). */
function withoutDdpPrefix(dict: Map<string, TorchTensor>): Map<string, TorchTensor> {
  const keys = [...dict.keys()];
  if (keys.length === 0 || !keys.every((key) => key.startsWith(DDP_PREFIX))) return dict;
  return new Map([...dict].map(([key, tensor]) => [key.slice(DDP_PREFIX.length), tensor]));
}

function field(map: unknown, key: string): unknown {
  return map instanceof Map ? map.get(key) : undefined;
}

/**
 * Reads an official checkpoint with the restricted unpickler of `@ratlip/runtime` (only what state dicts
 * and optimizer states need; any other Python global, e.g. `os.system`, is refused with an error naming
 * it, and no code is ever run).
 * @param source names the file in error messages.
 */
export function readOfficialCheckpoint(bytes: Uint8Array, source = 'state_epoch.pth'): OfficialCheckpoint {
  const tree = readTorchCheckpoint(bytes, { source });
  const model = field(tree, 'model');
  if (!(model instanceof Map) || !(field(model, 'netG') instanceof Map)) {
    throw new Error(
      `${source}: not an official RATLIP/GALIP checkpoint (expected {'model': {'netG': state_dict, ...}, ...})`,
    );
  }
  const dict = (name: string) => {
    const value = field(model, name);
    return value instanceof Map ? withoutDdpPrefix(flattenTorchStateDict(value)) : undefined;
  };
  const optimizers = field(tree, 'optimizers');
  const epoch = field(tree, 'epoch');
  return {
    netG: dict('netG')!,
    ...(dict('netD') ? { netD: dict('netD')! } : {}),
    ...(dict('netC') ? { netC: dict('netC')! } : {}),
    ...(field(optimizers, 'optimizer_G') !== undefined
      ? { optimizerG: field(optimizers, 'optimizer_G') }
      : {}),
    ...(field(optimizers, 'optimizer_D') !== undefined
      ? { optimizerD: field(optimizers, 'optimizer_D') }
      : {}),
    ...(typeof epoch === 'number' ? { epoch } : {}),
  };
}
