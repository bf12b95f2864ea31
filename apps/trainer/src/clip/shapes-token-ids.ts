import type { ClipTokenizer } from '@ratlip/clip';
import { SHAPES_SPLITS, SHAPES_SYNONYMS, ShapesDataset } from '@ratlip/datasets';

/** Scenes per split whose captions are tokenized: every template, lead-in and synonym appears many times. */
const SCENES_PER_SPLIT = 400;

/**
 * Every token id Shapes captions can use, plus the padding id 0 and the start and end tokens: the ids of every synonym of
 * every attribute value and of the captions of {@link SCENES_PER_SPLIT} scenes of each split (10 captions
 * each, so each template's fixed words occur hundreds of times). CLIP's BPE tokenizes word by word, so
 * these cover any caption the Shapes templates produce. Sorted, no repeats.
 */
export function shapesTokenIds(tokenizer: ClipTokenizer): number[] {
  const ids = new Set<number>([0, tokenizer.startOfTextId, tokenizer.endOfTextId]);
  const add = (text: string) => {
    for (const id of tokenizer.encode(text)) ids.add(id);
  };
  for (const table of Object.values(SHAPES_SYNONYMS)) {
    for (const phrases of Object.values(table) as readonly (readonly string[])[]) phrases.forEach(add);
  }
  for (const split of SHAPES_SPLITS) {
    const dataset = new ShapesDataset({ split, size: SCENES_PER_SPLIT });
    for (let index = 0; index < dataset.size; index++) dataset.captions(index).forEach(add);
  }
  return [...ids].sort((a, b) => a - b);
}
