import { type LoadedCheckpoint, loadCheckpoint } from '@ratlip/ratlip-gan';
import { CliFailure } from '../cli-errors';
import { checkpointClipRecord } from './checkpoint-clip';
import { describeClipSource, loadRunClip, type RunClip } from './run-clip';
import { readCheckpointModelConfig, resolveCheckpoint } from './run-folder';

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
  const record = checkpointClipRecord(directory);
  const weightsFile = typeof record.clipWeights === 'string' ? record.clipWeights : undefined;
  const runClip = await loadRunClip(
    readCheckpointModelConfig(directory),
    weightsFile === undefined ? {} : { weightsFile },
  );
  if (record.clip !== undefined && JSON.stringify(record.clip) !== JSON.stringify(runClip.source)) {
    runClip.clip.dispose();
    throw new CliFailure(
      `${directory}: trained with the CLIP ${describeClipSource(record.clip)}, but finds ${describeClipSource(runClip.source)}; ` +
        'its captions would embed differently from training: restore that CLIP',
    );
  }
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
