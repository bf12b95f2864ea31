import {
  SHAPES_BACKGROUND_LEVELS,
  SHAPES_COLOURS,
  SHAPES_KINDS,
  SHAPES_NOISE_AMPLITUDE,
  SHAPES_OUTLINES,
  SHAPES_POSITIONS,
  SHAPES_SIZES,
} from '@ratlip/datasets';

/** FNV-1a, 32 bits, over the UTF-16 code units of `text` (all ASCII here). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/**
 * A short hash of the Shapes geometry the checker relies on (shapes, palette, sizes, positions,
 * outlines, background levels), written into reports: two alignment figures are comparable only
 * when it matches, whatever the package versions.
 * @returns 8 lowercase hex digits.
 */
export function shapesVocabularyFingerprint(): string {
  const geometry = JSON.stringify({
    kinds: SHAPES_KINDS,
    colours: SHAPES_COLOURS,
    sizes: SHAPES_SIZES,
    positions: SHAPES_POSITIONS,
    outlines: SHAPES_OUTLINES,
    background: SHAPES_BACKGROUND_LEVELS,
    noise: SHAPES_NOISE_AMPLITUDE,
  });
  return fnv1a(geometry).toString(16).padStart(8, '0');
}
