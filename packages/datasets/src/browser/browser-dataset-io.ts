import type { DatasetIO, FileSource } from '../types';
import { browserImageDecoder } from './canvas-decoder';

/** `files` plus the browser's image decoders: what file datasets need in a page or worker. */
export function browserDatasetIO(files: FileSource): DatasetIO {
  return { files, decoder: browserImageDecoder() };
}
