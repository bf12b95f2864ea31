import { useBackend } from '@ratlip/runtime';
import type { CliIO } from '../cli-io';
import type { NodeBackend } from '../options/backend-option';
import { type LoadedClipFile, loadClipFile } from './clip-weights-file';
import { writeEmbeddingsFile } from './embeddings-file';

/** Embeddings `[count, dim]` (row-major, not normalised) and the metadata entries that describe their rows. */
export interface ComputedEmbeddings {
  values: Float32Array;
  dim: number;
  /** Extra metadata next to `weights`, e.g. the image file names or the captions as JSON. */
  metadata: Record<string, string>;
}

/** Where `embedToFile` reads the CLIP from, where it writes, and on which backend. */
export interface EmbedToFileOptions {
  /** The CLIP weights file. */
  weights: string;
  /** The output `.safetensors` file. */
  out: string;
  /** TensorFlow.js backend. */
  backend: NodeBackend;
}

/** What one `ratlip clip embed-*` run embeds. */
export interface EmbeddingRequest {
  /** Tensor name in the output file. */
  name: 'text_embeds' | 'image_embeds';
  /** Rows to embed. */
  count: number;
  /** What a row is, plural, for the report line: `'captions'`, `'images'`. */
  rowsNoun: string;
  /** Computes the embeddings with the loaded CLIP (which `embedToFile` disposes afterwards). */
  embed: (clip: LoadedClipFile) => Promise<ComputedEmbeddings> | ComputedEmbeddings;
}

/**
 * Activates the backend, loads the CLIP of `options.weights`, embeds with it and writes the result to
 * `options.out` (see `writeEmbeddingsFile`), then reports the file on stdout. The model is disposed
 * whether or not embedding succeeds.
 */
export async function embedToFile(
  io: CliIO,
  options: EmbedToFileOptions,
  request: EmbeddingRequest,
): Promise<void> {
  await useBackend(options.backend);
  const clip = loadClipFile(options.weights);
  try {
    const { values, dim, metadata } = await request.embed(clip);
    await writeEmbeddingsFile(options.out, request.name, values, [request.count, dim], {
      weights: options.weights,
      ...metadata,
    });
    io.stdout.write(
      `wrote ${options.out}: ${request.name} [${request.count}, ${dim}] of ${request.count} ${request.rowsNoun} (weights ${options.weights})\n`,
    );
  } finally {
    clip.model.dispose();
  }
}
