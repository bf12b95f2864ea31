import type { GeneratedResponse, LoadedResponse } from '../worker/protocol';

/** What the page is doing; mirrored on `<body data-state>` for styling and automation. */
export type PageState = 'starting' | 'no-model' | 'loading' | 'ready' | 'generating' | 'error';

/**
 * Read-only view of the page for automation and debugging, as `window.ratlipPlayground`: the e2e
 * test reads the exact pixel values of the last generation from it.
 */
export interface PlaygroundInspection {
  state: PageState;
  /** The loaded model and backend, once loaded. */
  loaded?: LoadedResponse;
  /** The last generation, pixels `[count, height, width, 3]` in [-1, 1] included. */
  lastGeneration?: GeneratedResponse;
  /** The last error message shown. */
  lastError?: string;
}

declare global {
  interface Window {
    ratlipPlayground?: PlaygroundInspection;
  }
}
