import type { ModelSource } from '../model/model-source';
import { MAX_IMAGES_PER_CALL, MAX_SEED } from '../pipeline/generation-limits';
import { BACKEND_CHOICES, type BackendChoice, type ProgressResponse } from '../worker/protocol';
import { createElement, requireElement } from './dom';
import { type CatalogModel, loadModelCatalog } from './model-catalog';
import type { PageState, PlaygroundInspection } from './page-state';
import { describeGeneration, showBatch } from './result-grid';
import type { WorkerClient } from './worker-client';

/** `<select>` value of the model opened from local files. */
const LOCAL_MODEL = 'local-files';

/** Settings the page reads from its URL query, so a link can reproduce a generation. */
export interface PageQuery {
  model?: string;
  backend?: BackendChoice;
  caption?: string;
  seed?: number;
  count?: number;
}

/** Reads `?model=&backend=&caption=&seed=&count=`; values out of range are ignored. */
export function parsePageQuery(search: string): PageQuery {
  const params = new URLSearchParams(search);
  const query: PageQuery = {};
  const model = params.get('model');
  if (model !== null) query.model = model;
  const backend = params.get('backend');
  if (backend !== null && (BACKEND_CHOICES as readonly string[]).includes(backend)) {
    query.backend = backend as BackendChoice;
  }
  const caption = params.get('caption');
  if (caption !== null && caption.trim() !== '') query.caption = caption;
  const seed = Number(params.get('seed') ?? Number.NaN);
  if (Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED) query.seed = seed;
  const count = Number(params.get('count') ?? Number.NaN);
  if (Number.isInteger(count) && count >= 1 && count <= MAX_IMAGES_PER_CALL) query.count = count;
  return query;
}

function describeProgress(progress: ProgressResponse): { message: string; fraction?: number } {
  const megabytes = (bytes: number) => (bytes / 1_000_000).toFixed(1);
  const fraction = progress.totalBytes > 0 ? progress.loadedBytes / progress.totalBytes : undefined;
  const described: Record<ProgressResponse['stage'], string> = {
    backend: 'Starting the backend…',
    manifest: 'Reading the model manifest…',
    download: `Downloading ${progress.file}: ${megabytes(progress.loadedBytes)} of ${megabytes(progress.totalBytes)} MB`,
    verify: `Checking ${progress.file}…`,
    build: 'Building the model…',
  };
  return { message: described[progress.stage], ...(fraction === undefined ? {} : { fraction }) };
}

/** The page: model and backend pickers, caption form and results, driving the worker. */
export class PlaygroundApp {
  private readonly modelSelect = requireElement('model-select', HTMLSelectElement);
  private readonly backendSelect = requireElement('backend-select', HTMLSelectElement);
  private readonly filesInput = requireElement('model-files', HTMLInputElement);
  private readonly folderInput = requireElement('model-folder', HTMLInputElement);
  private readonly modelDescription = requireElement('model-description', HTMLParagraphElement);
  private readonly loadStatus = requireElement('load-status', HTMLDivElement);
  private readonly loadProgress = requireElement('load-progress', HTMLProgressElement);
  private readonly loadMessage = requireElement('load-message', HTMLSpanElement);
  private readonly form = requireElement('generate-form', HTMLFormElement);
  private readonly caption = requireElement('caption', HTMLTextAreaElement);
  private readonly examples = requireElement('examples', HTMLDivElement);
  private readonly seed = requireElement('seed', HTMLInputElement);
  private readonly randomSeed = requireElement('random-seed', HTMLButtonElement);
  private readonly count = requireElement('count', HTMLInputElement);
  private readonly generateButton = requireElement('generate', HTMLButtonElement);
  private readonly newSeedsButton = requireElement('new-seeds', HTMLButtonElement);
  private readonly generateStatus = requireElement('generate-status', HTMLParagraphElement);
  private readonly results = requireElement('results', HTMLElement);

  private catalog: CatalogModel[] = [];
  private localFiles: File[] | undefined;
  private readonly inspection: PlaygroundInspection = { state: 'starting' };
  /** Bumped on every load, so the progress of a superseded load is ignored. */
  private loadGeneration = 0;

  constructor(
    private readonly worker: WorkerClient,
    private readonly baseUrl: string,
    private readonly wasmUrl: string,
  ) {
    window.ratlipPlayground = this.inspection;
  }

  /** Wires the controls, reads the model list and loads the first (or the URL's) model. */
  async start(query: PageQuery): Promise<void> {
    this.bindControls();
    if (query.backend !== undefined) this.backendSelect.value = query.backend;
    if (query.caption !== undefined) this.caption.value = query.caption;
    if (query.seed !== undefined) this.seed.value = String(query.seed);
    if (query.count !== undefined) this.count.value = String(query.count);
    try {
      this.catalog = await loadModelCatalog(this.baseUrl);
    } catch (error) {
      this.showLoadError(error);
      return;
    }
    this.renderModelOptions();
    if (this.catalog.length === 0) {
      this.setState('no-model');
      this.loadMessage.textContent =
        'No model is served with this build. Open the folder written by `ratlip export --web <run>`.';
      return;
    }
    const chosen = this.catalog.find((model) => model.id === query.model) ?? this.catalog[0]!;
    this.modelSelect.value = chosen.id;
    await this.loadSelected();
  }

  private bindControls(): void {
    this.modelSelect.addEventListener('change', () => void this.loadSelected());
    this.backendSelect.addEventListener('change', () => void this.loadSelected());
    for (const input of [this.filesInput, this.folderInput]) {
      input.addEventListener('change', () => {
        const files = [...(input.files ?? [])];
        input.value = '';
        if (files.length === 0) return;
        this.localFiles = files;
        this.renderModelOptions();
        this.modelSelect.value = LOCAL_MODEL;
        void this.loadSelected();
      });
    }
    this.randomSeed.addEventListener('click', () => {
      this.seed.value = String(crypto.getRandomValues(new Uint32Array(1))[0]!);
    });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.generate();
    });
    this.newSeedsButton.addEventListener('click', () => {
      const last = this.inspection.lastGeneration;
      const seed = last === undefined ? this.readSeed() : last.seed + last.images.count;
      this.seed.value = String(seed % (MAX_SEED + 1));
      if (last !== undefined) this.caption.value = last.caption;
      void this.generate();
    });
  }

  private renderModelOptions(): void {
    this.modelSelect.replaceChildren(
      ...this.catalog.map((model) => createElement('option', model.name, { value: model.id })),
    );
    if (this.localFiles !== undefined) {
      this.modelSelect.append(createElement('option', 'Opened local files', { value: LOCAL_MODEL }));
    }
    this.modelSelect.disabled = this.modelSelect.options.length === 0;
  }

  private selectedSource(): ModelSource | undefined {
    if (this.modelSelect.value === LOCAL_MODEL && this.localFiles !== undefined) {
      return { kind: 'files', files: this.localFiles };
    }
    const model = this.catalog.find((entry) => entry.id === this.modelSelect.value);
    return model === undefined ? undefined : { kind: 'url', manifestUrl: model.manifestUrl };
  }

  private setState(state: PageState): void {
    this.inspection.state = state;
    document.body.dataset['state'] = state;
    const busy = state === 'loading' || state === 'generating';
    this.generateButton.disabled = state !== 'ready';
    this.newSeedsButton.disabled = state !== 'ready' || this.inspection.lastGeneration === undefined;
    this.modelSelect.disabled = busy || this.modelSelect.options.length === 0;
    this.backendSelect.disabled = busy;
  }

  private showLoadError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.inspection.lastError = message;
    this.loadStatus.classList.add('error');
    this.loadProgress.hidden = true;
    this.loadMessage.textContent = message;
    this.setState('error');
  }

  private async loadSelected(): Promise<void> {
    const source = this.selectedSource();
    if (source === undefined) return;
    const generation = ++this.loadGeneration;
    this.setState('loading');
    this.loadStatus.classList.remove('error');
    this.loadProgress.hidden = false;
    this.loadProgress.removeAttribute('value');
    this.loadMessage.textContent = 'Loading…';
    const backend = this.backendSelect.value as BackendChoice;
    try {
      const loaded = await this.worker.load(source, backend, this.wasmUrl, (progress) => {
        if (generation !== this.loadGeneration) return;
        const { message, fraction } = describeProgress(progress);
        this.loadMessage.textContent = message;
        if (fraction === undefined) this.loadProgress.removeAttribute('value');
        else this.loadProgress.value = fraction;
      });
      if (generation !== this.loadGeneration) return;
      this.inspection.loaded = loaded;
      document.body.dataset['backend'] = loaded.backend.name;
      this.loadProgress.hidden = true;
      const fallback = loaded.backend.skipped
        .map((skip) => `${skip.name} unavailable (${skip.reason})`)
        .join('; ');
      this.loadMessage.textContent =
        `${loaded.model.name} ready on ${loaded.backend.name} in ${(loaded.loadMs / 1000).toFixed(1)} s` +
        (fallback === '' ? '' : `. ${fallback}`);
      this.modelDescription.textContent = loaded.model.description ?? `Preset ${loaded.model.preset}.`;
      this.renderExamples(loaded.model.sampleCaptions);
      if (this.caption.value.trim() === '') this.caption.value = loaded.model.sampleCaptions[0] ?? '';
      this.setState('ready');
    } catch (error) {
      if (generation === this.loadGeneration) this.showLoadError(error);
    }
  }

  private renderExamples(captions: readonly string[]): void {
    this.examples.replaceChildren(
      ...captions.map((caption) => {
        const button = createElement('button', caption, { type: 'button' });
        button.addEventListener('click', () => {
          this.caption.value = caption;
          this.caption.focus();
        });
        return button;
      }),
    );
  }

  private readSeed(): number {
    const seed = Number(this.seed.value);
    return Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED ? seed : 0;
  }

  private async generate(): Promise<void> {
    if (this.inspection.state !== 'ready') return;
    if (!this.form.reportValidity()) return;
    const caption = this.caption.value.trim();
    const seed = this.readSeed();
    const count = Math.min(MAX_IMAGES_PER_CALL, Math.max(1, Math.round(Number(this.count.value)) || 1));
    this.setState('generating');
    this.generateStatus.classList.remove('error');
    this.generateStatus.textContent = `Generating ${count} image${count === 1 ? '' : 's'}…`;
    try {
      const result = await this.worker.generate(caption, seed, count);
      this.inspection.lastGeneration = result;
      showBatch(this.results, result);
      this.generateStatus.textContent = describeGeneration(result);
      this.setState('ready');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.inspection.lastError = message;
      this.generateStatus.classList.add('error');
      this.generateStatus.textContent = message;
      this.setState('ready');
    }
  }
}
