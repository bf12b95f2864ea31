/**
 * Folder, relative to the page, where the app serves the tfjs wasm binaries (the Vite plugin in
 * `vite/tfjs-wasm-assets.ts` copies them there), so the wasm backend never fetches from a CDN.
 */
export const TFJS_WASM_FOLDER = 'tfjs-wasm';
