import { join } from 'node:path';
import { RUN_FILES } from './run-folder';

/** The part of `tf.node.summaryFileWriter`'s writer (in `@tensorflow/tfjs-node`) this log uses. */
interface SummaryFileWriter {
  scalar(name: string, value: number, step: number): void;
  flush(): void;
}

interface TfjsNodeModule {
  node: { summaryFileWriter(logdir: string): SummaryFileWriter };
}

function isTfjsNodeModule(value: unknown): value is TfjsNodeModule {
  const node = (value as { node?: { summaryFileWriter?: unknown } } | null)?.node;
  return typeof node?.summaryFileWriter === 'function';
}

/** Scalars of a run written as TensorBoard event files. */
export interface ScalarLog {
  /** Folder of the event files: `<run>/tensorboard`. */
  readonly folder: string;
  /** Writes each finite value of `values` under its name (`loss/d`, `eval/overall`, ...) at `step`. */
  write(step: number, values: Readonly<Record<string, number>>): void;
  /** Writes the queued events to disk. */
  flush(): void;
}

/** Options of {@link openTensorBoardLog}. */
export interface TensorBoardLogOptions {
  /** `tf.getBackend()` of the run: event files are written only when it is `'tensorflow'`. */
  activeBackend: string;
  /** npm package that provides the backend (`BackendInfo.packageName`), e.g. `@tensorflow/tfjs-node`. */
  packageName: string;
  /**
   * Imports a package by name. Default: a dynamic import that bundlers leave alone, since
   * `@tensorflow/tfjs-node` is optional and absent from browser bundles.
   */
  importPackage?: (name: string) => Promise<unknown>;
}

function importOptionalPackage(name: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ name);
}

/**
 * TensorBoard event files in `<run>/tensorboard` through `tf.node.summaryFileWriter`, when the run
 * trains on the tfjs-node backend (the writer needs TensorFlow's C library); otherwise, or when the
 * package cannot be imported, undefined: no files and no error.
 */
export async function openTensorBoardLog(
  run: string,
  options: TensorBoardLogOptions,
): Promise<ScalarLog | undefined> {
  if (options.activeBackend !== 'tensorflow') return undefined;
  let module: unknown;
  try {
    module = await (options.importPackage ?? importOptionalPackage)(options.packageName);
  } catch {
    return undefined;
  }
  const node = isTfjsNodeModule(module) ? module : (module as { default?: unknown } | null)?.default;
  if (!isTfjsNodeModule(node)) return undefined;
  const folder = join(run, RUN_FILES.tensorboard);
  const writer = node.node.summaryFileWriter(folder);
  return {
    folder,
    write(step, values) {
      for (const [name, value] of Object.entries(values)) {
        if (Number.isFinite(value)) writer.scalar(name, value, step);
      }
    },
    flush: () => writer.flush(),
  };
}
