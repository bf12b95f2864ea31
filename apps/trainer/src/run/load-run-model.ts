import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadedCheckpoint, loadCheckpoint } from '@ratlip/ratlip-gan';
import { loadRunClip, type RunClip } from './run-clip';
import { readCheckpointModelConfig, resolveCheckpoint } from './run-folder';

/** The CLIP weights file an imported official checkpoint recorded (`state.json` `extra.clipWeights`). */
function importedClipWeights(checkpoint: string): string | undefined {
  const state = JSON.parse(readFileSync(join(checkpoint, 'state.json'), 'utf8')) as {
    extra?: { clipWeights?: unknown };
  };
  const path = state.extra?.clipWeights;
  return typeof path === 'string' ? path : undefined;
}

/** A trained model ready to sample, with the CLIP it was trained with. */
export interface RunModel extends LoadedCheckpoint {
  runClip: RunClip;
  /** Frees the model and its CLIP. */
  dispose(): void;
}

/**
 * Loads the generator of a run folder (its newest checkpoint) or of a checkpoint folder, with the
 * run's CLIP as vision tower and sentence encoder: for an imported official checkpoint the CLIP file
 * it was imported with, else the shipped CLIP its config names, else the seeded stand-in. No trainer
 * state is loaded.
 */
export async function loadRunModel(runOrCheckpoint: string): Promise<RunModel> {
  const directory = resolveCheckpoint(runOrCheckpoint);
  const weightsFile = importedClipWeights(directory);
  const runClip = await loadRunClip(
    readCheckpointModelConfig(directory),
    weightsFile === undefined ? {} : { weightsFile },
  );
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
