export type { AtomicWriteChunk, AtomicWriteOptions } from './io/atomic-write';
export {
  writeFileAtomic,
  writeFileAtomicFromChunks,
  writeFileAtomicSync,
} from './io/atomic-write';
export { readNpzFile, saveNpzFile } from './io/npz-node';
export {
  openSafetensorsFile,
  SafetensorsFileHandle,
  saveSafetensorsFile,
  withSafetensorsFile,
} from './io/safetensors-node';
