import type { ModelSource } from '../model/model-source';
import type {
  BackendChoice,
  GeneratedResponse,
  LoadedResponse,
  ProgressResponse,
  WorkerRequest,
  WorkerResponse,
} from '../worker/protocol';

interface Pending {
  resolve(response: WorkerResponse): void;
  reject(error: Error): void;
  onProgress?: (progress: ProgressResponse) => void;
}

/** Distributive `Omit`, so each request variant keeps its own fields. */
type RequestBody<Request> = Request extends WorkerRequest ? Omit<Request, 'id'> : never;

/** The page's side of the worker: requests as promises, progress as callbacks. */
export class WorkerClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly worker: Worker) {
    worker.addEventListener('message', (event: MessageEvent<WorkerResponse>) => this.receive(event.data));
    worker.addEventListener('error', (event) =>
      this.failAll(`the worker failed: ${event.message || 'unknown error'}`),
    );
  }

  /** Loads a model on a backend (reusing downloaded bytes when only the backend changes). */
  async load(
    source: ModelSource,
    backend: BackendChoice,
    wasmUrl: string,
    onProgress: (progress: ProgressResponse) => void,
  ): Promise<LoadedResponse> {
    return (await this.request({ type: 'load', source, backend, wasmUrl }, onProgress)) as LoadedResponse;
  }

  /** Images for a caption with the loaded model. */
  async generate(caption: string, seed: number, count: number): Promise<GeneratedResponse> {
    return (await this.request({ type: 'generate', caption, seed, count })) as GeneratedResponse;
  }

  private request(
    body: RequestBody<WorkerRequest>,
    onProgress?: (progress: ProgressResponse) => void,
  ): Promise<WorkerResponse> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(onProgress === undefined ? {} : { onProgress }) });
      this.worker.postMessage({ ...body, id } as WorkerRequest);
    });
  }

  private receive(response: WorkerResponse): void {
    const pending = this.pending.get(response.id);
    if (pending === undefined) return;
    if (response.type === 'progress') {
      pending.onProgress?.(response);
      return;
    }
    this.pending.delete(response.id);
    if (response.type === 'error') pending.reject(new Error(response.message));
    else pending.resolve(response);
  }

  private failAll(message: string): void {
    for (const pending of this.pending.values()) pending.reject(new Error(message));
    this.pending.clear();
  }
}
