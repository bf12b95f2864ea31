export { BpeVocabulary, CLIP_MERGE_COUNT, END_OF_TEXT, START_OF_TEXT } from './tokenizer/bpe-vocabulary';
export { loadClipVocabulary } from './tokenizer/bundled-vocabulary';
export { cleanText } from './tokenizer/clean-text';
export type {
  ClipTokenizerOptions,
  DecodeOptions,
  TokenizedTexts,
  TokenizeOptions,
} from './tokenizer/clip-tokenizer';
export { CLIP_CONTEXT_LENGTH, ClipTokenizer } from './tokenizer/clip-tokenizer';
export { fixText } from './tokenizer/fix-text';
export { splitWords } from './tokenizer/split-words';
