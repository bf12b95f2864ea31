import { loadCheckpoint, type RatlipGan } from '@ratlip/ratlip-gan';
import { CliFailure } from '../cli-errors';
import { checkpointClipRecord } from './checkpoint-clip';
import { describeClipSource, type RunClip } from './run-clip';
import { resolveCheckpoint } from './run-folder';

/**
 * The trained model a fresh run's `--init-from` names (a checkpoint, or a run's last checkpoint),
 * loaded without its optimizer state, for `RatlipGan.initializedFrom`. Its CLIP must be the run's:
 * with another, its weights would read other features. The caller disposes the model.
 */
export async function loadInitialWeights(source: string, runClip: RunClip): Promise<RatlipGan> {
  const checkpoint = resolveCheckpoint(source);
  const { clip } = checkpointClipRecord(checkpoint);
  if (clip !== undefined && JSON.stringify(clip) !== JSON.stringify(runClip.source)) {
    throw new CliFailure(
      `--init-from ${source}: trained with the CLIP ${describeClipSource(clip)}, but this run uses ${describeClipSource(runClip.source)}`,
    );
  }
  try {
    const { model } = await loadCheckpoint(checkpoint, { vision: runClip.clip.vision, trainer: false });
    return model;
  } catch (error) {
    throw new CliFailure(`--init-from ${source}: ${(error as Error).message}`);
  }
}
