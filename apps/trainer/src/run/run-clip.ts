import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ClipModel,
  ClipTokenizer,
  clipWeightsTokenIds,
  initializeClipParameters,
  loadClipWeights,
} from '@ratlip/clip';
import { clipSentenceEncoder, type ResolvedRatlipConfig, type SentenceEncoder } from '@ratlip/ratlip-gan';
import { readSafetensors } from '@ratlip/runtime';
import { CliFailure } from '../cli-errors';
import { trainerAssetsFolder } from './trainer-assets';

/**
 * CLIPs shipped with the trainer in its `assets/` folder, by the `clip.model` name a config records.
 * Each was trained by `ratlip clip pretrain` in this repository; its folder's README gives the command.
 */
export const SHIPPED_CLIPS: Readonly<Record<string, string>> = {
  shapes: 'shapes-clip/clip.safetensors',
};

/**
 * Seed of the stand-in CLIP for configs without a shipped or user-given CLIP (for example the
 * `ratlip-tiny` test preset): a CLIP of the config's size initialised from this fixed seed, so a run,
 * its resumption, `sample` and `eval` all see the same towers.
 */
export const SEEDED_CLIP_SEED = 7;

/** Where a run's CLIP comes from, recorded in its `config.json`. */
export type RunClipSource =
  | {
      kind: 'shipped';
      /** The `clip.model` name (a key of {@link SHIPPED_CLIPS}). */
      name: string;
      /** SHA-256 of the weights file, so a run records exactly which CLIP it used. */
      sha256: string;
    }
  | {
      kind: 'file';
      /** A CLIP weights file the user gave (e.g. ViT-B/32 for an imported official checkpoint). */
      path: string;
      sha256: string;
    }
  | { kind: 'seeded-init'; seed: number };

/** The frozen CLIP of a run and the sentence encoder built on its text tower. */
export interface RunClip {
  clip: ClipModel;
  /** CLIP's tokenizer (the bundled vocabulary). */
  tokenizer: ClipTokenizer;
  sentenceEncoder: SentenceEncoder;
  source: RunClipSource;
  /** The token ids whose embedding rows the CLIP's file keeps (a compact file), or undefined for all. */
  tokenIds: Int32Array | undefined;
}

/** Path of the shipped CLIP `name`, or undefined when none is shipped under that name. */
export function shippedClipPath(name: string): string | undefined {
  const relative = SHIPPED_CLIPS[name];
  return relative === undefined ? undefined : join(trainerAssetsFolder(), relative);
}

function sizedLike(config: ResolvedRatlipConfig) {
  return { vision: { ...config.clip.vision }, text: { ...config.clip.text } };
}

/** A CLIP weights file, checked against the config's sizes. */
function loadClipFile(
  path: string,
  config: ResolvedRatlipConfig,
): { clip: ClipModel; sha256: string; tokenIds: Int32Array | undefined } {
  const bytes = readFileSync(path);
  const file = readSafetensors(bytes, { source: path });
  const loaded = loadClipWeights(file);
  const expected = sizedLike(config);
  if (JSON.stringify(loaded.config) !== JSON.stringify(expected)) {
    loaded.model.dispose();
    throw new CliFailure(
      `${path}: its CLIP is ${JSON.stringify(loaded.config)}, but the config's clip section asks for ${JSON.stringify(expected)}`,
    );
  }
  return {
    clip: loaded.model,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    tokenIds: clipWeightsTokenIds(file),
  };
}

/** Options of {@link loadRunClip}. */
export interface LoadRunClipOptions {
  /**
   * A whole-CLIP weights file to use instead (an imported official checkpoint records the ViT-B/32 file
   * it was checked against as `extra.clipWeights`). Default: none.
   */
  weightsFile?: string;
}

/**
 * The CLIP of a run with config `config`: `options.weightsFile` when given; else the shipped CLIP named
 * by `config.clip.model` when the trainer ships one (e.g. `shapes`); else a CLIP of the config's size
 * initialised from {@link SEEDED_CLIP_SEED}.
 */
export async function loadRunClip(
  config: ResolvedRatlipConfig,
  options: LoadRunClipOptions = {},
): Promise<RunClip> {
  const tokenizer = await ClipTokenizer.load();
  if (options.weightsFile !== undefined) {
    if (!existsSync(options.weightsFile))
      throw new CliFailure(`CLIP weights file not found: ${options.weightsFile}`);
    const loaded = loadClipFile(options.weightsFile, config);
    return {
      clip: loaded.clip,
      tokenizer,
      sentenceEncoder: clipSentenceEncoder(loaded.clip.text, tokenizer),
      source: { kind: 'file', path: options.weightsFile, sha256: loaded.sha256 },
      tokenIds: loaded.tokenIds,
    };
  }
  const path = shippedClipPath(config.clip.model);
  let clip: ClipModel;
  let source: RunClipSource;
  let tokenIds: Int32Array | undefined;
  if (path === undefined) {
    const clipConfig = sizedLike(config);
    clip = new ClipModel(clipConfig, initializeClipParameters(clipConfig, { seed: SEEDED_CLIP_SEED }));
    source = { kind: 'seeded-init', seed: SEEDED_CLIP_SEED };
  } else {
    if (!existsSync(path)) {
      throw new CliFailure(
        `the shipped '${config.clip.model}' CLIP is missing (${path}); train it with 'ratlip clip pretrain --preset ${config.clip.model}' (see assets/shapes-clip/README.md)`,
      );
    }
    const shipped = loadClipFile(path, config);
    clip = shipped.clip;
    tokenIds = shipped.tokenIds;
    source = { kind: 'shipped', name: config.clip.model, sha256: shipped.sha256 };
  }
  return { clip, tokenizer, sentenceEncoder: clipSentenceEncoder(clip.text, tokenizer), source, tokenIds };
}

/** A change of CLIP recorded in a run's `config.json`. */
export interface RunClipChange {
  /** Checkpoint step from which the run trained with the new CLIP. */
  step: number;
  /** The CLIP it had trained with until then. */
  from: unknown;
}

/**
 * Checks that a resumed run finds the CLIP its `config.json` records (a shipped CLIP may have been
 * replaced since): its text embeddings are what the generator learned to draw from. With `accept`, a
 * new CLIP is taken on and the `config.json` fields to write are returned: `clip` and the `clipChanges`
 * history. Undefined when nothing changed.
 */
export function checkResumedClip(
  run: string,
  source: RunClipSource,
  step: number,
  accept: boolean,
): { clip: RunClipSource; clipChanges: RunClipChange[] } | undefined {
  const configPath = join(run, 'config.json');
  const saved = JSON.parse(readFileSync(configPath, 'utf8')) as { clip?: unknown; clipChanges?: unknown };
  if (saved.clip === undefined || JSON.stringify(saved.clip) === JSON.stringify(source)) return undefined;
  if (!accept) {
    throw new CliFailure(
      `--resume ${run}: the run trained with the CLIP ${describeClipSource(saved.clip)} (${configPath}), but finds ${describeClipSource(source)}; ` +
        'restore that CLIP, or add --new-clip to go on training with this one (the networks then adapt to its embeddings)',
    );
  }
  const history = Array.isArray(saved.clipChanges) ? (saved.clipChanges as RunClipChange[]) : [];
  return { clip: source, clipChanges: [...history, { step, from: saved.clip }] };
}

/** A CLIP source in a few words: "shipped 'shapes' sha256 a5f7b748a5d0". */
export function describeClipSource(source: unknown): string {
  const { kind, name, path, sha256, seed } = (source ?? {}) as Record<string, unknown>;
  const what = kind === 'shipped' ? `shipped '${name}'` : kind === 'file' ? String(path) : `seeded (${seed})`;
  return typeof sha256 === 'string' ? `${what} sha256 ${sha256.slice(0, 12)}` : what;
}
