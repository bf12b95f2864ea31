import type { WebModelReadProgress } from '@ratlip/ratlip-gan';
import type { ModelSource } from '../model/model-source';
import type { GeneratedImages } from '../pipeline/text-to-image';

/** Backends the page offers; 'auto' tries webgpu, webgl, wasm, then cpu. */
export const BACKEND_CHOICES = ['auto', 'webgpu', 'webgl', 'wasm'] as const;

/** One of {@link BACKEND_CHOICES}. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** Loads (or reloads on another backend) a model; answered by `loaded` or `error`. */
export interface LoadRequest {
  type: 'load';
  id: number;
  source: ModelSource;
  backend: BackendChoice;
  /** Absolute URL of the folder serving the tfjs wasm binaries, ending in '/'. */
  wasmUrl: string;
}

/** Images for a caption with the loaded model; answered by `generated` or `error`. */
export interface GenerateRequest {
  type: 'generate';
  id: number;
  caption: string;
  seed: number;
  count: number;
}

/** Messages the page sends to the worker. */
export type WorkerRequest = LoadRequest | GenerateRequest;

/** The backend the worker runs on. */
export interface BackendReport {
  /** What the page asked for. */
  requested: BackendChoice;
  /** What runs (may differ when the requested one failed). */
  name: string;
  /** Why the requested backend (or, for 'auto', earlier ones) could not be used. */
  skipped: { name: string; reason: string }[];
  threads: number;
  simd?: boolean;
}

/** What the page shows about a loaded model. */
export interface LoadedModelInfo {
  name: string;
  description?: string;
  preset: string;
  sampleCaptions: string[];
  /** Manifest URL or 'local files'. */
  label: string;
  /** Bytes of the weight files. */
  weightBytes: number;
}

/** Loading progress; `stage` 'backend' and 'build' come from the worker itself. */
export interface ProgressResponse {
  type: 'progress';
  id: number;
  stage: WebModelReadProgress['stage'] | 'backend' | 'build';
  loadedBytes: number;
  totalBytes: number;
  file: string;
}

export interface LoadedResponse {
  type: 'loaded';
  id: number;
  model: LoadedModelInfo;
  backend: BackendReport;
  /** Milliseconds from request to ready, downloads included. */
  loadMs: number;
}

export interface GeneratedResponse {
  type: 'generated';
  id: number;
  caption: string;
  seed: number;
  images: GeneratedImages;
  backend: string;
}

export interface ErrorResponse {
  type: 'error';
  id: number;
  message: string;
}

/** Messages the worker sends to the page. */
export type WorkerResponse = ProgressResponse | LoadedResponse | GeneratedResponse | ErrorResponse;
