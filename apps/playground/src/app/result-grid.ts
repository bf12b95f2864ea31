import { imageToRgba } from '../image/image-pixels';
import type { GeneratedResponse } from '../worker/protocol';
import { createElement } from './dom';
import { downloadCanvasPng, imageFileName } from './png-download';

/** Batches kept on the page; older ones are removed so memory stays bounded. */
const MAX_BATCHES = 12;

function formatSeconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(2)} s`;
}

/** One-line summary of a generation: count, total time, caption encoding time, backend. */
export function describeGeneration(result: GeneratedResponse): string {
  const { count, timings } = result.images;
  const total = timings.encodeMs + timings.generateMs;
  return (
    `${count} image${count === 1 ? '' : 's'} in ${formatSeconds(total)} on ${result.backend} ` +
    `(caption ${formatSeconds(timings.encodeMs)}, generator ${formatSeconds(timings.generateMs)})`
  );
}

function renderImage(result: GeneratedResponse, index: number): HTMLElement {
  const { width, height, values } = result.images;
  const canvas = createElement('canvas', '', {
    width: String(width),
    height: String(height),
    role: 'img',
    'aria-label': `"${result.caption}", seed ${result.seed}, image ${index + 1}`,
  });
  canvas
    .getContext('2d')!
    .putImageData(new ImageData(imageToRgba(values, index, width, height), width, height), 0, 0);
  const fileName = imageFileName(result.caption, result.seed, index);
  const download = createElement('button', 'PNG', { type: 'button', title: `Download ${fileName}` });
  download.addEventListener('click', () => {
    void downloadCanvasPng(canvas, fileName);
  });
  const caption = createElement('figcaption');
  caption.append(createElement('span', `seed ${result.seed} · #${index + 1}`), download);
  const figure = createElement('figure', '', { class: 'result', 'data-index': String(index) });
  figure.append(canvas, caption);
  return figure;
}

/** Adds a batch of images at the top of the results section. */
export function showBatch(container: HTMLElement, result: GeneratedResponse): HTMLElement {
  const batch = createElement('section', '', { class: 'batch', 'data-seed': String(result.seed) });
  const heading = createElement('h3', `"${result.caption}" · seed ${result.seed}`);
  const summary = createElement('p', describeGeneration(result), { class: 'hint' });
  const grid = createElement('div', '', { class: 'results' });
  for (let index = 0; index < result.images.count; index++) grid.append(renderImage(result, index));
  batch.append(heading, summary, grid);
  container.prepend(batch);
  while (container.children.length > MAX_BATCHES) container.lastElementChild!.remove();
  return batch;
}
