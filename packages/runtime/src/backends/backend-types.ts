/** Every name useBackend() accepts. */
export type BackendName = 'auto' | 'tensorflow' | 'tensorflow-gpu' | 'wasm' | 'cpu' | 'webgl' | 'webgpu';

/** A backend useBackend() can actually switch to ('auto' picks one of these). */
export type ConcreteBackendName = Exclude<BackendName, 'auto'>;

/** Which native package 'auto' tries first in Node, or 'none' to skip native backends. */
export type NativeBackendChoice = 'tensorflow' | 'tensorflow-gpu' | 'none';

/** File names of the three wasm binaries of @tensorflow/tfjs-backend-wasm. */
export type WasmBinaryName =
  | 'tfjs-backend-wasm.wasm'
  | 'tfjs-backend-wasm-simd.wasm'
  | 'tfjs-backend-wasm-threaded-simd.wasm';

/** Options of useBackend(). */
export interface UseBackendOptions {
  /**
   * Native package 'auto' tries in Node before wasm. Only one of @tensorflow/tfjs-node and
   * @tensorflow/tfjs-node-gpu can be loaded per process (both register the 'tensorflow' backend), so
   * 'auto' never tries both. Default: the `RATLIP_NATIVE_BACKEND` environment variable
   * ('tensorflow' | 'tensorflow-gpu' | 'none'), else 'tensorflow'.
   */
  native?: NativeBackendChoice;
  /**
   * Where the wasm binaries are, as for tfjs's setWasmPaths: a folder/URL prefix ending in '/', or a
   * map from binary name to path. Default: Node loads them from the installed
   * @tensorflow/tfjs-backend-wasm package; a browser bundle must serve them and pass this.
   */
  wasmPaths?: string | Partial<Record<WasmBinaryName, string>>;
  /**
   * XNNPACK threads of the wasm backend. Only multi-threaded where the threaded wasm binary can run
   * (a cross-origin-isolated browser page); Node's wasm is single-threaded. Default: logical cores.
   * Takes effect only on the first switch to wasm in a process.
   */
  wasmThreads?: number;
  /**
   * Silences tfjs's one-time "install the node backend" console message when switching to cpu in
   * Node, since choosing cpu is deliberate. Default: true.
   */
  quiet?: boolean;
}

/** A backend that was tried and could not be used, with why. */
export interface BackendFailure {
  name: ConcreteBackendName;
  reason: string;
}

/** What useBackend() switched to. */
export interface BackendInfo {
  /** The backend chosen. */
  name: ConcreteBackendName;
  /** tf.getBackend() afterwards ('tensorflow' for both native packages). */
  tfjsBackend: string;
  /** Version of the @tensorflow/tfjs-core in use. */
  tfjsVersion: string;
  /** npm package that provides the backend. */
  packageName: string;
  /** Its version, or 'unknown' when the package does not say. */
  packageVersion: string;
  /**
   * CPU threads the backend computes with: 1 for cpu, webgl and webgpu (GPU work is issued from one
   * thread), XNNPACK's pool for wasm (1 in Node), TensorFlow's intra-op pool (logical cores) for native.
   */
  threads: number;
  /** Where the arithmetic happens. */
  device: 'cpu' | 'gpu';
  /** wasm only: whether the SIMD binary runs. */
  simd?: boolean;
  /** Backends tried before this one ('auto' only), in order, with why each was skipped. */
  skipped: BackendFailure[];
}

/** What a backend provider reports about itself after activating. */
export type ActivatedBackend = Pick<
  BackendInfo,
  'packageName' | 'packageVersion' | 'threads' | 'device' | 'simd'
>;

/** One entry of the backend registry: how to load and switch to a backend. */
export interface BackendProvider {
  name: ConcreteBackendName;
  /** npm package to install when the backend is missing. */
  packageName: string;
  /** Where it can run. */
  environment: 'node' | 'browser' | 'any';
  /** Loads the package if needed, registers its kernels, makes it the active tfjs backend. */
  activate(options: UseBackendOptions): Promise<ActivatedBackend>;
}
