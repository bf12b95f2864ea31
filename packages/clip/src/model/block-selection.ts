/**
 * Which blocks of CLIP's image tower RATLIP reads and conditions (0-based indices into the resblocks).
 * These are the reference's choices for ViT-B/32; other depths pass their own lists.
 */

/** Blocks after which the discriminator reads local features (RATLIP/GALIP: 1, 4 and 8). */
export const RATLIP_TAP_BLOCKS: readonly number[] = Object.freeze([1, 4, 8]);

/** Blocks before which the generator's mapper appends one prompt token each (RATLIP/GALIP: 1 to 8). */
export const RATLIP_PROMPT_BLOCKS: readonly number[] = Object.freeze([1, 2, 3, 4, 5, 6, 7, 8]);

/**
 * Checks a list of block indices: integers in [0, layers), no repeats. Returns it.
 * @param option the option's name, for the error message.
 */
export function checkBlockList(blocks: readonly number[], layers: number, option: string): readonly number[] {
  if (!Array.isArray(blocks)) throw new Error(`${option}: expected an array of block indices`);
  const seen = new Set<number>();
  for (const block of blocks) {
    if (!Number.isInteger(block) || block < 0 || block >= layers) {
      throw new Error(
        `${option}: block ${block} is not an integer in [0, ${layers}) for a ${layers}-block tower`,
      );
    }
    if (seen.has(block)) throw new Error(`${option}: block ${block} is listed twice`);
    seen.add(block);
  }
  return blocks;
}
