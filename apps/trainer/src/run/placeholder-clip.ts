import { ClipModel, ClipTokenizer, initializeClipParameters } from '@ratlip/clip';
import { clipSentenceEncoder, type ResolvedRatlipConfig, type SentenceEncoder } from '@ratlip/ratlip-gan';

/**
 * Seed of the placeholder CLIP. Shapes has no pretrained CLIP yet (the shipped Shapes CLIP comes with
 * `ratlip clip pretrain`), so runs use a CLIP of the preset's size initialised from this fixed seed:
 * its towers are deterministic, so a run, its resumption, `sample` and `eval` all see the same CLIP.
 */
export const PLACEHOLDER_CLIP_SEED = 7;

/** Where a run's CLIP comes from, recorded in its `config.json`. */
export interface RunClipSource {
  kind: 'seeded-init';
  seed: number;
}

/** The frozen CLIP of a run and the sentence encoder built on its text tower. */
export interface RunClip {
  clip: ClipModel;
  /** CLIP's tokenizer (the bundled vocabulary). */
  tokenizer: ClipTokenizer;
  sentenceEncoder: SentenceEncoder;
  source: RunClipSource;
}

/** The placeholder CLIP (OpenAI's initialisation from {@link PLACEHOLDER_CLIP_SEED}) for `config.clip`. */
export async function placeholderClip(config: ResolvedRatlipConfig): Promise<RunClip> {
  const clipConfig = { vision: { ...config.clip.vision }, text: { ...config.clip.text } };
  const clip = new ClipModel(
    clipConfig,
    initializeClipParameters(clipConfig, { seed: PLACEHOLDER_CLIP_SEED }),
  );
  const tokenizer = await ClipTokenizer.load();
  return {
    clip,
    tokenizer,
    sentenceEncoder: clipSentenceEncoder(clip.text, tokenizer),
    source: { kind: 'seeded-init', seed: PLACEHOLDER_CLIP_SEED },
  };
}
