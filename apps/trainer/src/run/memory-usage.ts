import * as tf from '@tensorflow/tfjs';

/** Memory figures logged with every training step, to spot tensor leaks and growing process memory. */
export interface MemoryUsage {
  /** Live tfjs tensors. */
  numTensors: number;
  /** Bytes held by live tfjs tensors. */
  numBytes: number;
  /** Resident set size of the process, in bytes. */
  rssBytes: number;
}

/** The current tfjs tensor count and bytes and the process's resident memory. */
export function memoryUsage(): MemoryUsage {
  const { numTensors, numBytes } = tf.memory();
  return { numTensors, numBytes, rssBytes: process.memoryUsage().rss };
}
