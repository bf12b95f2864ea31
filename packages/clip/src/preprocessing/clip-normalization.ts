/** CLIP's per-channel RGB mean of [0, 1] pixels (OpenAI's `Normalize`). */
export const CLIP_MEAN: readonly [number, number, number] = Object.freeze([
  0.48145466, 0.4578275, 0.40821073,
]) as readonly [number, number, number];

/** CLIP's per-channel RGB standard deviation of [0, 1] pixels. */
export const CLIP_STD: readonly [number, number, number] = Object.freeze([
  0.26862954, 0.26130258, 0.27577711,
]) as readonly [number, number, number];
