import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadClipVisionWeights } from '@ratlip/clip';
import { importOfficialCheckpoint, type RatlipConfigOverrides, saveCheckpoint } from '@ratlip/ratlip-gan';
import { readSafetensors } from '@ratlip/runtime';

/** Options of {@link importOfficialRun}. */
export interface ImportOfficialRunOptions {
  /** The official `state_epoch_*.pth`. */
  checkpoint: string;
  /** CLIP weights (`.safetensors`, OpenAI or Hugging Face naming) holding the image tower the model was trained with. */
  clipWeights: string;
  /** Checkpoint folder to write. */
  out: string;
  /** Preset for what shapes cannot tell. Default: ratlip-gan's (`ratlip-birds-256` / `galip-birds-256`). */
  preset?: string;
  /** Config changes, e.g. `{ clip: { tapBlocks: [0, 1, 2] } }`. */
  overrides?: RatlipConfigOverrides;
}

/** What {@link importOfficialRun} wrote. */
export interface ImportOfficialRunResult {
  out: string;
  preset: string;
  architecture: string;
  epoch: number | null;
  parameters: { generator: number; discriminator: number };
}

/**
 * Converts an official RATLIP/GALIP checkpoint into a checkpoint folder of this project (weights,
 * both Adam optimizers, config), checking that its embedded CLIP image tower equals `clipWeights`.
 * The CLIP weights' path is recorded in the checkpoint's `state.json` (`extra.clipWeights`).
 */
export async function importOfficialRun(options: ImportOfficialRunOptions): Promise<ImportOfficialRunResult> {
  const clipFile = readSafetensors(new Uint8Array(readFileSync(options.clipWeights)), {
    source: options.clipWeights,
  });
  const vision = loadClipVisionWeights(clipFile).model;
  try {
    const imported = importOfficialCheckpoint(new Uint8Array(readFileSync(options.checkpoint)), {
      vision,
      verifyClip: 'values',
      trainer: true,
      source: options.checkpoint,
      ...(options.preset === undefined ? {} : { preset: options.preset }),
      ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
    });
    try {
      await saveCheckpoint(options.out, imported.model, {
        ...(imported.trainer ? { trainer: imported.trainer } : {}),
        extra: { clipWeights: resolve(options.clipWeights), importedFrom: resolve(options.checkpoint) },
      });
      return {
        out: options.out,
        preset: imported.config.name,
        architecture: imported.config.architecture,
        epoch: imported.epoch ?? null,
        parameters: imported.model.parameterCounts(),
      };
    } finally {
      imported.trainer?.dispose();
      imported.model.dispose();
    }
  } finally {
    vision.dispose();
  }
}
