import { WEB_MODEL_FILE_ROLES, type WebModelBytes } from '@ratlip/ratlip-gan';
import { useBackend } from '@ratlip/runtime';
import { type ModelSource, readWebModel } from '../model/model-source';
import { TextToImage } from '../pipeline/text-to-image';
import type {
  BackendChoice,
  BackendReport,
  GenerateRequest,
  LoadRequest,
  WorkerRequest,
  WorkerResponse,
} from './protocol';

/** Sends a response to the page, transferring the listed buffers. */
export type PostResponse = (response: WorkerResponse, transfer: Transferable[]) => void;

function sourceKey(source: ModelSource): string {
  if (source.kind === 'url') return source.manifestUrl;
  return source.files
    .map((file) => `${file.webkitRelativePath || file.name}:${file.size}:${file.lastModified}`)
    .join('|');
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}

/**
 * The worker's state: one model on one backend. Requests run one at a time in arrival order, so a
 * generate sent right after a load waits for it. The bytes of the last model read are kept, so a
 * backend switch rebuilds it without downloading again.
 */
export class PlaygroundSession {
  private model: TextToImage | undefined;
  private bytes: { key: string; model: WebModelBytes } | undefined;
  private backend: BackendReport | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly post: PostResponse) {}

  /** Queues a request; its answer (or an `error` response) is posted when it has run. */
  handle(request: WorkerRequest): Promise<void> {
    this.queue = this.queue.then(() => this.run(request));
    return this.queue;
  }

  private async run(request: WorkerRequest): Promise<void> {
    try {
      if (request.type === 'load') await this.load(request);
      else await this.generate(request);
    } catch (error) {
      this.post({ type: 'error', id: request.id, message: describeError(error) }, []);
    }
  }

  private async switchBackend(requested: BackendChoice, wasmUrl: string): Promise<BackendReport> {
    const options = { wasmPaths: wasmUrl };
    const skipped: BackendReport['skipped'] = [];
    let info: Awaited<ReturnType<typeof useBackend>>;
    try {
      info = await useBackend(requested, options);
    } catch (error) {
      if (requested === 'auto') throw error;
      skipped.push({ name: requested, reason: describeError(error) });
      info = await useBackend('auto', options);
    }
    skipped.push(...info.skipped);
    return {
      requested,
      name: info.name,
      skipped,
      threads: info.threads,
      ...(info.simd === undefined ? {} : { simd: info.simd }),
    };
  }

  private async load(request: LoadRequest): Promise<void> {
    const started = performance.now();
    const { id } = request;
    this.model?.dispose();
    this.model = undefined;
    this.post({ type: 'progress', id, stage: 'backend', loadedBytes: 0, totalBytes: 0, file: '' }, []);
    this.backend = await this.switchBackend(request.backend, request.wasmUrl);
    const key = sourceKey(request.source);
    if (this.bytes?.key !== key) {
      this.bytes = undefined;
      const model = await readWebModel(request.source, {
        onProgress: (progress) => this.post({ type: 'progress', id, ...progress }, []),
      });
      this.bytes = { key, model };
    }
    const { manifest, label } = this.bytes.model;
    const weightBytes = WEB_MODEL_FILE_ROLES.reduce((sum, role) => sum + manifest.files[role].bytes, 0);
    this.post(
      { type: 'progress', id, stage: 'build', loadedBytes: weightBytes, totalBytes: weightBytes, file: '' },
      [],
    );
    this.model = await TextToImage.load(this.bytes.model);
    this.post(
      {
        type: 'loaded',
        id,
        model: {
          name: manifest.name,
          ...(manifest.description === undefined ? {} : { description: manifest.description }),
          preset: manifest.preset,
          sampleCaptions: manifest.sampleCaptions,
          label,
          weightBytes,
        },
        backend: this.backend,
        loadMs: performance.now() - started,
      },
      [],
    );
  }

  private async generate(request: GenerateRequest): Promise<void> {
    if (this.model === undefined || this.backend === undefined) {
      throw new Error('no model is loaded: pick a model first');
    }
    const images = await this.model.generate(request);
    this.post(
      {
        type: 'generated',
        id: request.id,
        caption: request.caption,
        seed: request.seed,
        images,
        backend: this.backend.name,
      },
      [images.values.buffer],
    );
  }
}
