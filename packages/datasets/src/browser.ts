export { browserDatasetIO } from './browser/browser-dataset-io';
export { browserImageDecoder } from './browser/canvas-decoder';
export { fetchFileSource } from './browser/fetch-file-source';
export { fileListSource } from './browser/file-list-source';
