import { ClipTokenizer } from '@ratlip/clip';
import { useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { clipSentenceEncoder } from '../model/sentence-encoder';
import { tinySetup } from '../testing/tiny-model.test-support';
import { RatlipTrainer } from './ratlip-trainer';

const SCENES = [
  { caption: 'a red square on the left', colour: [1, -1, -1], shape: 'square', left: true },
  { caption: 'a blue circle on the right', colour: [-1, -1, 1], shape: 'circle', left: false },
  { caption: 'a green circle on the left', colour: [-1, 1, -1], shape: 'circle', left: true },
  { caption: 'a yellow square on the right', colour: [1, 1, -1], shape: 'square', left: false },
] as const;

/** A Shapes-style scene: one coloured square or circle on a grey background, in [-1, 1]. */
function renderScene(scene: (typeof SCENES)[number], size: number): Float32Array {
  const pixels = new Float32Array(size * size * 3).fill(0);
  const centreX = scene.left ? size * 0.3 : size * 0.7;
  const centreY = size * 0.5;
  const radius = size * 0.2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x + 0.5 - centreX;
      const dy = y + 0.5 - centreY;
      const inside =
        scene.shape === 'square'
          ? Math.max(Math.abs(dx), Math.abs(dy)) <= radius
          : dx * dx + dy * dy <= radius * radius;
      if (inside) pixels.set(scene.colour, (y * size + x) * 3);
    }
  }
  return pixels;
}

describe('overfitting 4 captioned images (ratlip-tiny, wasm)', () => {
  it("raises the generator's CLIP similarity to its captions", async () => {
    await useBackend('wasm');
    const { config, clip, model } = tinySetup({ training: { batchSize: 4, learningRateG: 1e-3 } }, 3);
    const encoder = clipSentenceEncoder(clip.text, await ClipTokenizer.load());
    const sentences = encoder.encode(SCENES.map((scene) => scene.caption));
    const size = config.imageSize;
    const images = tf.tensor4d(
      Float32Array.from(SCENES.flatMap((scene) => Array.from(renderScene(scene, size)))),
      [SCENES.length, size, size, 3],
    );
    const trainer = new RatlipTrainer(model, { seed: 5 });
    // The similarity of each step's fakes (training-mode BatchNorm, as the G loss sees them).
    const similarities: number[] = [];
    for (let step = 0; step < 6; step++) {
      similarities.push(trainer.step({ images, sentences }).losses.clipSimilarity);
    }
    console.log(
      `[overfit] CLIP similarity of the fakes per step: ${similarities.map((v) => v.toFixed(3)).join(' ')}`,
    );
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(similarities.slice(-2))).toBeGreaterThan(mean(similarities.slice(0, 2)) + 0.03);
    tf.dispose([sentences, images]);
    trainer.dispose();
    model.dispose();
    clip.dispose();
  });
});
