import { BpeVocabulary } from './bpe-vocabulary';

let bundled: Promise<BpeVocabulary> | undefined;

/**
 * CLIP's BPE vocabulary from the merges shipped in this package (`assets/clip-bpe-merges.ts`, OpenAI's
 * first 48,894 merges, MIT licence in `assets/CLIP-LICENSE.txt`). The data is imported on first call,
 * so bundles that never tokenize can leave it out, and decoded once; later calls share the result.
 */
export function loadClipVocabulary(): Promise<BpeVocabulary> {
  if (bundled === undefined) {
    bundled = import('../../assets/clip-bpe-merges').then(
      ({ CLIP_BPE_MERGES_BASE64, CLIP_BPE_MERGE_COUNT }) => {
        const vocabulary = BpeVocabulary.fromBase64MergePairs(CLIP_BPE_MERGES_BASE64, 'bundled CLIP merges');
        if (vocabulary.mergeCount !== CLIP_BPE_MERGE_COUNT) {
          throw new Error(
            `bundled CLIP merges: decoded ${vocabulary.mergeCount} merges, expected ${CLIP_BPE_MERGE_COUNT}`,
          );
        }
        return vocabulary;
      },
    );
    bundled.catch(() => {
      bundled = undefined;
    });
  }
  return bundled;
}
