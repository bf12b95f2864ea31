import { existsSync } from 'node:fs';
import { CliFailure, UsageError } from '../cli-errors';

/** A parsed `--dataset <kind>:<path>` value. */
export interface DatasetOption {
  /** Registry kind: birds, flowers, faces, folder, manifest, shapes, ... */
  kind: string;
  /** Folder or manifest file; for shapes, optional `key=value,...` generator options. */
  path: string;
  /** Whether the kind reads files (then `path` must exist). */
  readsFiles: boolean;
}

/**
 * Checks a `kind:path` dataset spec against the dataset registry of `@ratlip/datasets`: an unknown
 * kind or a file kind without a path is a {@link UsageError} (exit 2); a path that does not exist is
 * a {@link CliFailure} (exit 1).
 *
 * @param flag the option's name for messages, e.g. `'--dataset'`.
 */
export async function checkDatasetOption(spec: string, flag: string): Promise<DatasetOption> {
  const { datasetKinds, parseDatasetSpec } = await import('@ratlip/datasets');
  const { kind, path } = parseDatasetSpec(spec);
  const registered = datasetKinds().get(kind);
  const known = [...datasetKinds().keys()].join(', ');
  if (!registered) {
    throw new UsageError(
      `${flag}: unknown dataset kind '${kind}' in '${spec}'; known kinds: ${known} (write kind:path, e.g. birds:data/birds or shapes)`,
    );
  }
  if (registered.readsFiles && path.length === 0) {
    throw new UsageError(`${flag}: dataset kind '${kind}' needs a path: ${kind}:<path>`);
  }
  if (registered.readsFiles && !existsSync(path)) {
    throw new CliFailure(`${flag}: ${kind} dataset not found: ${path}`);
  }
  return { kind, path, readsFiles: registered.readsFiles };
}
