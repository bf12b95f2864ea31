import { choiceValue } from './option-values';

/** Backends `--backend` accepts in Node (webgl and webgpu exist only in browsers). */
export const NODE_BACKENDS = ['auto', 'tensorflow', 'tensorflow-gpu', 'wasm', 'cpu'] as const;

/** A backend name `--backend` accepts. */
export type NodeBackend = (typeof NODE_BACKENDS)[number];

/** Help text of `--backend`. */
export const BACKEND_HELP =
  'TensorFlow.js backend: auto (tfjs-node if installed, else wasm), tensorflow, tensorflow-gpu, wasm or cpu (default: auto)';

/** zod schema of a `--backend` value. */
export function backendValue() {
  return choiceValue(NODE_BACKENDS);
}
