import type { DatasetIO } from '../types';
import { nodeFileSource } from './node-file-source';
import { sharpImageDecoder } from './sharp-decoder';

/**
 * The local disk and sharp: what file datasets need in Node, e.g.
 * `await openDataset('birds:data/birds', { io: nodeDatasetIO(), split: 'test' })`.
 */
export function nodeDatasetIO(): DatasetIO {
  return { files: nodeFileSource(), decoder: sharpImageDecoder() };
}
