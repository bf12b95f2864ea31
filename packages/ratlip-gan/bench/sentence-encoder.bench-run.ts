/**
 * Sentence encoding time (ms per batch of captions) on wasm: CLIP's text tower on the full 77-token
 * context against `clipSentenceEncoder`, which runs it only up to the batch's last end-of-text token.
 * For the Shapes CLIP of `ratlip-shapes-32` and the ViT-B/32 text tower of the 256 px presets, random
 * weights (speed does not depend on the values). Prints a table and writes
 * bench/results/sentence-encoder.json at the repository root.
 *
 *   pnpm --filter @ratlip/ratlip-gan bench
 */
import { ClipModel, ClipTokenizer, initializeClipParameters } from '@ratlip/clip';
import { type BackendInfo, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve-config';
import { clipSentenceEncoder } from '../src/model/sentence-encoder';
import { writeBenchResults } from './bench-results';

/** Shapes-style captions (one and two objects): a batch and its contrast captions are about this long. */
const CAPTIONS = [
  'a small red circle in the top left',
  'there is a large blue star at the bottom',
  'an image of a medium green hexagon on the right',
  'in the centre, there is a big violet rhombus',
  'a tiny plus sign coloured orange at the top edge on a speckled background',
  'a small red circle in the top left and a large blue star at the bottom',
  'there is a huge white cross near the bottom and a medium-sized cyan triangle in the upper right',
  'a drawing of a little brown square on the left and a big pink disc in the middle',
];

/** Captions per encoded batch: 8 images with 8 contrast captions each, plus their own 8. */
const BATCH = 80;

const PLAN = [
  { preset: 'ratlip-shapes-32', runs: 10 },
  { preset: 'ratlip-birds-256', runs: 2 },
] as const;

const mean = (samples: number[]) =>
  Math.round((samples.reduce((a, b) => a + b, 0) / samples.length) * 10) / 10;

function timeRuns(runs: number, encode: () => tf.Tensor): number[] {
  tf.dispose(encode());
  return Array.from({ length: runs }, () => {
    const start = performance.now();
    const out = encode();
    out.dataSync();
    out.dispose();
    return performance.now() - start;
  });
}

it('benchmarks sentence encoding with and without the end-of-text crop on wasm', async () => {
  const backend: BackendInfo = await useBackend('wasm');
  const tokenizer = await ClipTokenizer.load();
  const texts = Array.from({ length: BATCH }, (_, i) => CAPTIONS[i % CAPTIONS.length]!);
  const results = [];
  for (const { preset, runs } of PLAN) {
    const { clip: clipSettings } = resolveConfig(preset);
    const config = { vision: { ...clipSettings.vision }, text: { ...clipSettings.text } };
    const clip = new ClipModel(config, initializeClipParameters(config, { seed: 1 }));
    const { ids, count, contextLength } = tokenizer.tokenize(texts, {
      contextLength: config.text.contextLength,
      truncate: true,
    });
    const fullIds = tf.tensor2d(ids, [count, contextLength], 'int32');
    const encoder = clipSentenceEncoder(clip.text, tokenizer);
    const before = tf.memory().numTensors;
    const fullMs = mean(timeRuns(runs, () => clip.text.encode(fullIds)));
    const croppedMs = mean(timeRuns(runs, () => encoder.encode(texts)));
    expect(tf.memory().numTensors).toBe(before);
    fullIds.dispose();
    clip.dispose();
    results.push({
      preset,
      captions: BATCH,
      contextLength,
      fullMs,
      croppedMs,
      speedUp: mean([fullMs / croppedMs]),
    });
  }
  const table = results.map(
    (r) =>
      `${r.preset.padEnd(18)} ${r.captions} captions  full ${String(r.fullMs).padStart(7)} ms  ` +
      `cropped ${String(r.croppedMs).padStart(7)} ms  (${r.speedUp}x)`,
  );
  console.log(`sentence encoding on ${backend.name}:\n${table.join('\n')}`);
  writeBenchResults(
    'sentence-encoder',
    'CLIP text tower on the full 77-token context vs clipSentenceEncoder (cropped after the last end-of-text token), wasm, random weights',
    backend,
    results,
  );
});
