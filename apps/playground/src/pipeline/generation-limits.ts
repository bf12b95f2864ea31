/** Largest noise seed: seeds are integers from 0 to 2^32-1. */
export const MAX_SEED = 2 ** 32 - 1;

/** Most images one generation makes. */
export const MAX_IMAGES_PER_CALL = 16;
