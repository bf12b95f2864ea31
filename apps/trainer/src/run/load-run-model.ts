import { type LoadedCheckpoint, loadCheckpoint } from '@ratlip/ratlip-gan';
import { loadRunClip, type RunClip } from './run-clip';
import { readCheckpointModelConfig, resolveCheckpoint } from './run-folder';

/** A trained model ready to sample, with the CLIP it was trained with. */
export interface RunModel extends LoadedCheckpoint {
  runClip: RunClip;
  /** Frees the model and its CLIP. */
  dispose(): void;
}

/**
 * Loads the generator of a run folder (its newest checkpoint) or of a checkpoint folder, with the
 * run's CLIP (the shipped CLIP its config names, else the seeded stand-in) as vision tower and
 * sentence encoder. No trainer state is loaded.
 */
export async function loadRunModel(runOrCheckpoint: string): Promise<RunModel> {
  const directory = resolveCheckpoint(runOrCheckpoint);
  const runClip = await loadRunClip(readCheckpointModelConfig(directory));
  try {
    const loaded = await loadCheckpoint(directory, {
      vision: runClip.clip.vision,
      sentenceEncoder: runClip.sentenceEncoder,
      trainer: false,
    });
    return {
      ...loaded,
      runClip,
      dispose: () => {
        loaded.model.dispose();
        runClip.clip.dispose();
      },
    };
  } catch (error) {
    runClip.clip.dispose();
    throw error;
  }
}
