/**
 * Generator throughput (images/s) and training step time (ms/step) of RATLIP.js on wasm, for the
 * `ratlip-tiny`, `ratlip-shapes-64`, `ratlip-shapes-32` and `ratlip-shapes-32-phrases` (the shipped Shapes
 * generator's: word attention, word context and phrase attention) presets with random CLIP weights and
 * captions (speed does not depend on the values). Prints a table and writes bench/results/ratlip-gan.json
 * at the repository root.
 *
 *   pnpm --filter @ratlip/ratlip-gan bench
 *
 * A training step is the official iteration: real CLIP features, one fake, D step with MA-GP (second
 * order), G step on the same fake. Sampling is `generate` (eval-mode generator, clamped) at the preset's
 * batch size.
 */
import { type BackendInfo, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve-config';
import { RatlipTrainer } from '../src/train/ratlip-trainer';
import { createBenchModel } from './bench-model';
import { writeBenchResults } from './bench-results';

interface PresetResult {
  preset: string;
  batchSize: number;
  imageSize: number;
  generatorParameters: number;
  discriminatorParameters: number;
  trainStepMs: { mean: number; min: number; samples: number[] };
  sampleMs: { mean: number; min: number; samples: number[] };
  imagesPerSecond: number;
  kernelsPerTrainStep: number;
  tensorsAfterLastStep: number;
  tensorsBeforeSteps: number;
}

const PLAN = [
  { preset: 'ratlip-tiny', trainSteps: 4, sampleRuns: 4 },
  { preset: 'ratlip-shapes-64', trainSteps: 2, sampleRuns: 2 },
  { preset: 'ratlip-shapes-32', trainSteps: 4, sampleRuns: 4 },
  { preset: 'ratlip-shapes-32-phrases', trainSteps: 4, sampleRuns: 4 },
] as const;

const summary = (samples: number[]) => ({
  mean: Math.round((samples.reduce((a, b) => a + b, 0) / samples.length) * 10) / 10,
  min: Math.round(Math.min(...samples) * 10) / 10,
  samples: samples.map((s) => Math.round(s * 10) / 10),
});

async function measure(preset: string, trainSteps: number, sampleRuns: number): Promise<PresetResult> {
  const config = resolveConfig(preset);
  const bench = createBenchModel(config);
  const { model, images, captions } = bench;
  const batch = { images, ...captions };
  const trainer = new RatlipTrainer(model);
  const { batchSize } = config.training;
  trainer.step(batch);
  const tensorsBeforeSteps = tf.memory().numTensors;
  const stepMs: number[] = [];
  for (let i = 0; i < trainSteps; i++) {
    const start = performance.now();
    trainer.step(batch);
    stepMs.push(performance.now() - start);
  }
  const tensorsAfterLastStep = tf.memory().numTensors;
  const profile = await tf.profile(() => {
    trainer.step(batch);
  });
  const { sentences, words, phrases } = captions;
  const sample = () => {
    const out = model.generate({
      sentenceEmbeddings: sentences,
      ...(words ? { words } : {}),
      ...(phrases ? { phrases } : {}),
      seed: 3,
    });
    out.dataSync();
    out.dispose();
  };
  sample();
  const sampleMs: number[] = [];
  for (let i = 0; i < sampleRuns; i++) {
    const start = performance.now();
    sample();
    sampleMs.push(performance.now() - start);
  }
  const counts = model.parameterCounts();
  trainer.dispose();
  bench.dispose();
  const sampling = summary(sampleMs);
  return {
    preset,
    batchSize,
    imageSize: config.generator.outputSize,
    generatorParameters: counts.generator,
    discriminatorParameters: counts.discriminator,
    trainStepMs: summary(stepMs),
    sampleMs: sampling,
    imagesPerSecond: Math.round((batchSize / (sampling.mean / 1000)) * 10) / 10,
    kernelsPerTrainStep: profile.kernels.length,
    tensorsAfterLastStep,
    tensorsBeforeSteps,
  };
}

it('benchmarks ratlip-tiny, ratlip-shapes-64, ratlip-shapes-32 and ratlip-shapes-32-phrases on wasm', async () => {
  const backend: BackendInfo = await useBackend('wasm');
  const results: PresetResult[] = [];
  for (const { preset, trainSteps, sampleRuns } of PLAN) {
    results.push(await measure(preset, trainSteps, sampleRuns));
    console.log(`${preset}: ${JSON.stringify(results[results.length - 1])}`);
  }
  const table = results.map(
    (r) =>
      `${r.preset.padEnd(25)} batch ${String(r.batchSize).padStart(3)}  ${r.imageSize}px  ` +
      `train ${r.trainStepMs.mean.toFixed(0).padStart(6)} ms/step (min ${r.trainStepMs.min.toFixed(0)})  ` +
      `sample ${r.imagesPerSecond.toFixed(1).padStart(6)} images/s  ` +
      `G ${r.generatorParameters.toLocaleString('en-US')} D+C ${r.discriminatorParameters.toLocaleString('en-US')} params  ` +
      `${r.kernelsPerTrainStep} kernels/step`,
  );
  console.log(`RATLIP.js on ${backend.name} (threads ${backend.threads ?? '?'}):\n${table.join('\n')}`);
  writeBenchResults(
    'ratlip-gan',
    'RATLIP training step (D with MA-GP + G on one fake) and generator sampling on wasm, random CLIP weights',
    backend,
    results,
  );
  for (const r of results) expect(r.tensorsAfterLastStep).toBe(r.tensorsBeforeSteps);
});
