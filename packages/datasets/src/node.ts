export { nodeDatasetIO } from './node/node-dataset-io';
export { nodeFileSource } from './node/node-file-source';
export { sharpImageDecoder } from './node/sharp-decoder';
