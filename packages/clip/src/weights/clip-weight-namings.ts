import type { ClipWeightNaming, ClipWeightNamingName } from './clip-weight-naming';
import { HUGGINGFACE_NAMING } from './huggingface-naming';
import { OPENAI_NAMING } from './openai-naming';

/** Every supported naming, in detection order (Hugging Face first: its keys also end like OpenAI's). */
export const CLIP_WEIGHT_NAMINGS: Readonly<Record<ClipWeightNamingName, ClipWeightNaming>> = {
  huggingface: HUGGINGFACE_NAMING,
  openai: OPENAI_NAMING,
};

/** The naming registered under `name`; throws listing the known names otherwise. */
export function clipWeightNaming(name: ClipWeightNamingName): ClipWeightNaming {
  const naming = (CLIP_WEIGHT_NAMINGS as Record<string, ClipWeightNaming | undefined>)[name];
  if (!naming) {
    throw new Error(
      `unknown CLIP weight naming '${name}'; known: ${Object.keys(CLIP_WEIGHT_NAMINGS).join(', ')}`,
    );
  }
  return naming;
}

/**
 * Tells the naming of a file from its keys.
 * @param source names the file in the error thrown when no naming fits.
 */
export function detectClipWeightNaming(keys: readonly string[], source: string): ClipWeightNaming {
  const naming = Object.values(CLIP_WEIGHT_NAMINGS).find((candidate) => candidate.recognizes(keys));
  if (!naming) {
    const sample = keys.slice(0, 5).map((key) => `'${key}'`);
    throw new Error(
      `${source}: no OpenAI or Hugging Face CLIP keys found (first keys: ${sample.join(', ') || 'none'}); pass 'naming' explicitly`,
    );
  }
  return naming;
}
