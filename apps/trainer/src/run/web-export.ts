import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
// The web-model writer lives with the playground (its only reader); imported by path until it moves to a package.
import { exportWebModel } from '../../../playground/src/model/export-web-model';
import { loadRunModel } from './load-run-model';

/** Captions shown by the playground when the run did not record its own. */
const DEFAULT_SAMPLE_CAPTIONS = [
  'a red circle on the left',
  'a small blue square at the top',
  'a green triangle',
];

/** What {@link exportRunForWeb} wrote. */
export interface WebExportResult {
  out: string;
  files: string[];
  step: number;
}

/**
 * Writes a run's newest checkpoint (or a checkpoint folder) as a web model for the playground:
 * `manifest.json`, the generator with its CLIP image tower, and the CLIP text tower.
 * @param sampleCaptions example captions for the page. Default: a few Shapes captions.
 */
export async function exportRunForWeb(
  runOrCheckpoint: string,
  out: string,
  sampleCaptions: string[] = DEFAULT_SAMPLE_CAPTIONS,
): Promise<WebExportResult> {
  const loaded = await loadRunModel(runOrCheckpoint);
  try {
    const folder = await exportWebModel({
      model: loaded.model,
      textTower: loaded.runClip.clip.text,
      name: `${loaded.config.name} (step ${loaded.state.step})`,
      sampleCaptions,
      provenance: {
        tool: 'ratlip export --web',
        run: runOrCheckpoint,
        step: loaded.state.step,
        createdAt: new Date().toISOString(),
      },
    });
    const files: string[] = [];
    for (const [relative, bytes] of folder.files) {
      const path = join(out, relative);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
      files.push(relative);
    }
    return { out, files, step: loaded.state.step };
  } finally {
    loaded.dispose();
  }
}
