import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClipModel } from '@ratlip/clip';
import { SeededRandom, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../checkpoint/load-checkpoint';
import { saveCheckpoint } from '../checkpoint/save-checkpoint';
import type { ResolvedRatlipConfig } from '../config/config-schema';
import { namedTensors, namedTrainableVariables } from '../model/named-tensors';
import { netGForward } from '../model/net-g';
import type { RatlipGan } from '../model/ratlip-gan';
import { randomPool, takeBatch, tinySetup } from '../testing/tiny-model.test-support';
import { discriminatorLosses, generatorLosses } from './losses';
import { NonFiniteLossError } from './non-finite-loss-error';
import {
  RatlipTrainer,
  type ReconstructionForegroundOf,
  type TrainBatch,
  type TrainStepLosses,
} from './ratlip-trainer';

const POOL_SIZE = 12;

/** Steps with batches drawn by the trainer's data generator, as a training loop would. */
function runSteps(trainer: RatlipTrainer, pool: TrainBatch, steps: number): TrainStepLosses[] {
  const batchSize = trainer.model.config.training.batchSize;
  const out: TrainStepLosses[] = [];
  for (let i = 0; i < steps; i++) {
    const indices = trainer.dataRandom.permutation(POOL_SIZE).slice(0, batchSize);
    const batch = takeBatch(pool, indices);
    out.push(trainer.step(batch).losses);
    tf.dispose([batch.images, batch.sentences]);
  }
  return out;
}

function snapshot(tree: object): Map<string, Float32Array | Int32Array | Uint8Array> {
  return new Map([...namedTensors(tree)].map(([path, tensor]) => [path, tensor.dataSync().slice()]));
}

describe('RatlipTrainer on ratlip-tiny (wasm)', () => {
  let config: ResolvedRatlipConfig;
  let clip: ClipModel;
  let model: RatlipGan;
  let pool: TrainBatch;
  let directory: string;

  beforeAll(async () => {
    await useBackend('wasm');
    ({ config, clip, model } = tinySetup({ training: { batchSize: 2 } }));
    pool = randomPool(config, new SeededRandom(5), POOL_SIZE);
    directory = mkdtempSync(join(tmpdir(), 'ratlip-trainer-'));
  });

  afterAll(() => {
    model?.dispose();
    clip?.dispose();
    if (pool) tf.dispose([pool.images, pool.sentences]);
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('takes steps with finite losses and a flat tensor count (step, sample, save)', async () => {
    const trainer = new RatlipTrainer(model);
    const first = runSteps(trainer, pool, 1)[0]!;
    for (const [name, value] of Object.entries(first)) expect(Number.isFinite(value), name).toBe(true);
    expect(first.d).toBeCloseTo(first.dReal + (first.dFake + first.dMismatch) / 2 + first.maGp, 5);
    const before = tf.memory().numTensors;
    runSteps(trainer, pool, 1);
    expect(tf.memory().numTensors).toBe(before);
    const sentences = pool.sentences.slice([0, 0], [2, -1]) as tf.Tensor2D;
    const images = model.generate({ sentenceEmbeddings: sentences, seed: 3 });
    expect(images.shape).toEqual([2, config.imageSize, config.imageSize, 3]);
    const values = images.dataSync();
    expect(values.every((v) => v >= -1 && v <= 1)).toBe(true);
    tf.dispose([images, sentences]);
    expect(tf.memory().numTensors).toBe(before);
    await saveCheckpoint(join(directory, 'flat'), model, { trainer });
    expect(tf.memory().numTensors).toBe(before);
    expect(trainer.stepCount).toBe(2);
    trainer.dispose();
  });

  it('resuming from a checkpoint reproduces the next steps exactly', async () => {
    const trainer = new RatlipTrainer(model, { seed: 11 });
    runSteps(trainer, pool, 1);
    const path = await saveCheckpoint(join(directory, 'resume'), model, { trainer, extra: { epoch: 1 } });
    expect(trainer.lastCheckpoint).toBe(path);
    const continued = runSteps(trainer, pool, 2);
    trainer.dispose();
    const loaded = await loadCheckpoint(path, { vision: clip.vision });
    expect(loaded.state.extra).toEqual({ epoch: 1 });
    expect(loaded.trainer?.stepCount).toBe(1);
    const resumed = runSteps(loaded.trainer!, pool, 2);
    expect(resumed).toEqual(continued);
    expect(snapshot(loaded.model.netG)).toEqual(snapshot(model.netG));
    loaded.trainer!.dispose();
    loaded.model.dispose();
  });

  it('an EMA switched on at resume starts from the generator, leaves training unchanged and is saved', async () => {
    expect(config.training.ema.enabled).toBe(false);
    const trainer = new RatlipTrainer(model, { seed: 13 });
    runSteps(trainer, pool, 1);
    const path = await saveCheckpoint(join(directory, 'ema-off'), model, { trainer });
    const continued = runSteps(trainer, pool, 2);
    trainer.dispose();
    const loaded = await loadCheckpoint(path, { vision: clip.vision, ema: { enabled: true, decay: 0.5 } });
    expect(loaded.config.training.ema).toEqual({ enabled: true, decay: 0.5 });
    expect(snapshot(loaded.model.ema!.params)).toEqual(snapshot(loaded.model.netG));
    expect(runSteps(loaded.trainer!, pool, 2)).toEqual(continued);
    expect(snapshot(loaded.model.ema!.params)).not.toEqual(snapshot(loaded.model.netG));
    const withAverage = await saveCheckpoint(join(directory, 'ema-on'), loaded.model, {
      trainer: loaded.trainer!,
    });
    const average = snapshot(loaded.model.ema!.params);
    loaded.trainer!.dispose();
    loaded.model.dispose();

    const reloaded = await loadCheckpoint(withAverage, { vision: clip.vision, trainer: false });
    expect(reloaded.config.training.ema.enabled).toBe(true);
    expect(snapshot(reloaded.model.ema!.params)).toEqual(average);
    reloaded.model.dispose();
    const switchedOff = await loadCheckpoint(withAverage, {
      vision: clip.vision,
      trainer: false,
      ema: { enabled: false, decay: 0.5 },
    });
    expect(switchedOff.model.ema).toBeUndefined();
    switchedOff.model.dispose();
  });

  it('learning rates replaced at resume scale the next updates and are saved with the config', async () => {
    const trainable = (tree: RatlipGan['netG']) =>
      new Map([...namedTrainableVariables(tree, 'netG.')].map(([name, v]) => [name, v.dataSync().slice()]));
    const trainer = new RatlipTrainer(model, { seed: 15 });
    runSteps(trainer, pool, 1);
    const path = await saveCheckpoint(join(directory, 'rates'), model, { trainer });
    const start = trainable(model.netG);
    runSteps(trainer, pool, 1);
    const atOldRate = trainable(model.netG);
    const discriminator = snapshot(model.netD!);
    trainer.dispose();
    const generatorRate = 2 * config.training.learningRateG;
    const loaded = await loadCheckpoint(path, {
      vision: clip.vision,
      learningRates: { generator: generatorRate },
    });
    expect(loaded.config.training).toMatchObject({
      learningRateG: generatorRate,
      learningRateD: config.training.learningRateD,
    });
    runSteps(loaded.trainer!, pool, 1);
    // D steps first at its own unchanged rate, so G gets the same gradients and moves twice as far.
    expect(snapshot(loaded.model.netD!)).toEqual(discriminator);
    let largestStep = 0;
    let largestMismatch = 0;
    for (const [name, after] of trainable(loaded.model.netG)) {
      const from = start.get(name)!;
      const old = atOldRate.get(name)!;
      for (let i = 0; i < after.length; i++) {
        largestStep = Math.max(largestStep, Math.abs(old[i]! - from[i]!));
        largestMismatch = Math.max(
          largestMismatch,
          Math.abs(after[i]! - from[i]! - 2 * (old[i]! - from[i]!)),
        );
      }
    }
    expect(largestStep).toBeGreaterThan(0);
    expect(largestMismatch).toBeLessThan(1e-2 * largestStep);
    const saved = await saveCheckpoint(join(directory, 'rates-saved'), loaded.model, {
      trainer: loaded.trainer!,
    });
    loaded.trainer!.dispose();
    loaded.model.dispose();
    const reloaded = await loadCheckpoint(saved, { vision: clip.vision, trainer: false });
    expect(reloaded.config.training.learningRateG).toBe(generatorRate);
    reloaded.model.dispose();
  });

  it('a replica mean sees the D losses, D gradients, G losses and G gradients, and its result is what is applied', async () => {
    const parameterCount = (variables: Map<string, tf.Variable>) =>
      [...variables.values()].reduce((sum, variable) => sum + variable.size, 0);
    const generatorCount = parameterCount(namedTrainableVariables(model.netG, 'netG.'));
    const discriminatorCount =
      parameterCount(namedTrainableVariables(model.netD!, 'netD.')) +
      parameterCount(namedTrainableVariables(model.netC!, 'netC.'));

    const fresh = new RatlipTrainer(model);
    const path = await saveCheckpoint(join(directory, 'replicas'), model, { trainer: fresh });
    fresh.dispose();
    const single = await loadCheckpoint(path, { vision: clip.vision, trainerOptions: { seed: 14 } });
    const expected = runSteps(single.trainer!, pool, 1);
    const expectedWeights = snapshot(single.model.netG);
    single.trainer!.dispose();
    single.model.dispose();

    const lengths: number[] = [];
    const identity = await loadCheckpoint(path, {
      vision: clip.vision,
      trainerOptions: { seed: 14, replicaMean: (values) => lengths.push(values.length) },
    });
    expect(runSteps(identity.trainer!, pool, 1)).toEqual(expected);
    // One value per loss of the step. Variables that do not reach the loss (none in G) get no
    // gradient, so D may send fewer values.
    const dLosses = ['dReal', 'dFake', 'dMismatch', 'maGp', 'd'];
    const gLosses = Object.keys(expected[0]!).filter((name) => !dLosses.includes(name));
    expect([lengths[0], lengths[2], lengths[3]]).toEqual([dLosses.length, gLosses.length, generatorCount]);
    expect(lengths[1]).toBeGreaterThan(discriminatorCount / 2);
    expect(lengths[1]).toBeLessThanOrEqual(discriminatorCount);
    expect(snapshot(identity.model.netG)).toEqual(expectedWeights);
    identity.trainer!.dispose();
    identity.model.dispose();

    const zeroed = await loadCheckpoint(path, {
      vision: clip.vision,
      trainerOptions: { seed: 14, replicaMean: (values) => values.fill(0) },
    });
    const before = { g: snapshot(zeroed.model.netG), d: snapshot(zeroed.model.netD!) };
    const losses = runSteps(zeroed.trainer!, pool, 1)[0]!;
    expect(Object.values(losses).every((value) => value === 0)).toBe(true);
    const trainable = (tree: object, prefix: string) => new Set(namedTrainableVariables(tree, prefix).keys());
    const keepTrainable = (values: Map<string, unknown>, names: Set<string>, prefix: string) =>
      [...values].filter(([name]) => names.has(`${prefix}${name}`));
    const gNames = trainable(zeroed.model.netG, 'netG.');
    expect(keepTrainable(snapshot(zeroed.model.netG), gNames, 'netG.')).toEqual(
      keepTrainable(before.g, gNames, 'netG.'),
    );
    const dNames = trainable(zeroed.model.netD!, 'netD.');
    expect(keepTrainable(snapshot(zeroed.model.netD!), dNames, 'netD.')).toEqual(
      keepTrainable(before.d, dNames, 'netD.'),
    );
    zeroed.trainer!.dispose();
    zeroed.model.dispose();
  });

  it('the contrastive CLIP term: checks its sentences, reports its loss, adds it to g and frees its tensors', () => {
    const weight = 0.5;
    const official = new RatlipTrainer(model, { seed: 15 });
    expect(runSteps(official, pool, 1)[0]!.clipContrast).toBe(0);
    official.dispose();
    const trainer = new RatlipTrainer(model, { seed: 15, clipContrast: { weight, logitScale: 10 } });
    const batch = takeBatch(pool, [0, 1]);
    const dim = config.clip.text.embedDim;
    expect(() => trainer.step(batch)).toThrow(/needs contrastSentences/);
    const wrong = tf.zeros([2, 1, dim]) as tf.Tensor3D;
    expect(() => trainer.step({ ...batch, contrastSentences: wrong })).toThrow(
      new RegExp(`contrastSentences must be \\[2, choices >= 2, ${dim}\\], got \\[2, 1, ${dim}\\]`),
    );
    // Each image's own sentence, then the other image's and a third pool sentence.
    const contrastSentences = tf.tidy(() =>
      tf.stack([
        tf.stack([pool.sentences.gather(0), pool.sentences.gather(1), pool.sentences.gather(2)]),
        tf.stack([pool.sentences.gather(1), pool.sentences.gather(0), pool.sentences.gather(2)]),
      ]),
    ) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const { losses } = trainer.step({ ...batch, contrastSentences });
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.clipContrast).toBeGreaterThan(0);
    expect(losses.g).toBeCloseTo(
      losses.gAdversarial -
        config.training.clipLossWeight * losses.clipSimilarity +
        weight * losses.clipContrast,
      5,
    );
    expect(() => new RatlipTrainer(model, { clipContrast: { weight, logitScale: 0 } })).toThrow(
      /logitScale > 0, got 0\.5 and 0/,
    );
    tf.dispose([batch.images, batch.sentences, wrong, contrastSentences]);
    trainer.dispose();
  });

  it('the reconstruction term: reports its loss, adds it to g, pulls fakes towards their reals and frees its tensors', () => {
    const weight = 2;
    const official = new RatlipTrainer(model, { seed: 16 });
    expect(runSteps(official, pool, 1)[0]!.reconstruction).toBe(0);
    official.dispose();
    const reconstruction = { weight, foregroundWeight: 5 };
    const trainer = new RatlipTrainer(model, { seed: 16, reconstruction });
    const batch = takeBatch(pool, [0, 1]);
    const before = tf.memory().numTensors;
    const { losses } = trainer.step(batch);
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.reconstruction).toBeGreaterThan(0);
    expect(losses.g).toBeCloseTo(
      losses.gAdversarial -
        config.training.clipLossWeight * losses.clipSimilarity +
        weight * losses.reconstruction,
      5,
    );
    // Mostly the paired term: the fakes move towards the images their sentences came with.
    const heavy = new RatlipTrainer(model, { seed: 16, reconstruction: { weight: 1000 } });
    const distances = Array.from({ length: 4 }, () => heavy.step(batch).losses.reconstruction);
    expect(distances.at(-1)!).toBeLessThan(distances[0]!);
    expect(() => new RatlipTrainer(model, { reconstruction: { weight: -1 } })).toThrow(
      /reconstruction needs weight >= 0, foregroundWeight > 0 and foregroundThreshold >= 0, got -1, 1 and 0\.3/,
    );
    tf.dispose([batch.images, batch.sentences]);
    heavy.dispose();
    trainer.dispose();
  });

  it("foregroundOf 'both' also weighs the fakes' own objects: only the reconstruction term changes", () => {
    const reconstruction = { weight: 2, foregroundWeight: 5 };
    const batch = takeBatch(pool, [0, 1]);
    // Two alike fresh models (tinySetup draws from a fixed seed), one per setting.
    const [realOnly, both] = (['real', 'both'] as const).map((foregroundOf) => {
      const fresh = tinySetup({ training: { batchSize: 2 } });
      const trainer = new RatlipTrainer(fresh.model, {
        seed: 16,
        reconstruction: { ...reconstruction, foregroundOf },
      });
      const before = tf.memory().numTensors;
      const { losses } = trainer.step(batch);
      expect(tf.memory().numTensors).toBe(before);
      trainer.dispose();
      fresh.model.dispose();
      fresh.clip.dispose();
      return losses;
    });
    const { reconstruction: realDistance, g: realG, ...realShared } = realOnly!;
    const { reconstruction: bothDistance, g: bothG, ...bothShared } = both!;
    expect(bothShared).toEqual(realShared);
    expect(bothDistance).not.toBeCloseTo(realDistance, 4);
    expect(bothG - 2 * bothDistance).toBeCloseTo(realG - 2 * realDistance, 4);
    expect(
      () =>
        new RatlipTrainer(model, {
          reconstruction: { weight: 1, foregroundOf: 'fake' as unknown as ReconstructionForegroundOf },
        }),
    ).toThrow('RatlipTrainer: reconstruction.foregroundOf must be one of real, both, got fake');
    tf.dispose([batch.images, batch.sentences]);
  });

  it("the reconstruction term needs fakes of the real images' side", () => {
    const faithful = tinySetup({ clean: false });
    try {
      expect(() => new RatlipTrainer(faithful.model, { reconstruction: { weight: 1 } })).toThrow(
        new RegExp(
          `generator.outputSize ${faithful.config.generator.outputSize}\\) must equal imageSize \\(${faithful.config.imageSize}\\)`,
        ),
      );
    } finally {
      faithful.model.dispose();
      faithful.clip.dispose();
    }
  });

  it('stops on a non-finite loss, naming the step and the last checkpoint, without updating D', async () => {
    const trainer = new RatlipTrainer(model, { seed: 12 });
    const path = await saveCheckpoint(join(directory, 'before-nan'), model, { trainer });
    const before = snapshot(model.netD!);
    const bad = tf.fill([2, config.imageSize, config.imageSize, 3], Number.NaN) as tf.Tensor4D;
    const sentences = pool.sentences.slice([0, 0], [2, -1]) as tf.Tensor2D;
    let error: unknown;
    try {
      trainer.step({ images: bad, sentences });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as Error).message).toMatch(/training step 1: non-finite loss/);
    expect((error as Error).message).toContain(path);
    expect(snapshot(model.netD!)).toEqual(before);
    tf.dispose([bad, sentences]);
    trainer.dispose();
  });
});

describe('one fake per iteration (GALIP tiny, no BatchNorm), wasm', () => {
  it('the fused step equals D step, then a separate G gradient on the same noise with the updated D (and reports their norms)', () => {
    const setup = () => tinySetup({ architecture: 'galip', training: { batchSize: 3 } }, 4);
    const a = setup();
    const b = setup();
    const batch = randomPool(a.config, new SeededRandom(9), 3);
    const trainerA = new RatlipTrainer(a.model, { seed: 2 });
    const trainerB = new RatlipTrainer(b.model, { seed: 2 });
    const { gradientNorms } = trainerA.step(batch);

    // Reference: the two steps computed separately, the fake recomputed from the same noise.
    const { netD, netC } = b.model.requireDiscriminator();
    const training = b.config.training;
    const noise = tf.tensor2d(trainerB.noiseRandom.normalArray(3 * b.config.generator.noiseDim), [
      3,
      b.config.generator.noiseDim,
    ]);
    // Summed in float64 here. On cpu the trainer's norms agree to 1e-7; on wasm the fused and the
    // separate G gradients differ by about 1e-4 relative (different kernels), hence 1e-3.
    const globalNorm = (grads: tf.NamedTensorMap) => {
      let sum = 0;
      for (const grad of Object.values(grads)) for (const value of grad.dataSync()) sum += value * value;
      return Math.sqrt(sum);
    };
    const expectedNorms = { generator: 0, discriminator: 0 };
    tf.tidy(() => {
      const real = b.model.encodeImages(batch.images);
      const fake = netGForward(b.model.netG, b.clip.vision, noise, batch.sentences, { training: true });
      const fakeFeatures = b.model.encodeImages(fake);
      const dStep = tf.variableGrads(
        () =>
          discriminatorLosses(netD, netC, real.localFeatures, fakeFeatures.localFeatures, batch.sentences, {
            weight: training.maGpWeight,
            power: training.maGpPower,
          }).total,
        [...namedTrainableVariables(netD).values(), ...namedTrainableVariables(netC).values()],
      );
      expectedNorms.discriminator = globalNorm(dStep.grads);
      trainerB.optimizerD.apply(dStep.grads);
      const gStep = tf.variableGrads(() => {
        const again = b.model.encodeImages(
          netGForward(b.model.netG, b.clip.vision, noise, batch.sentences, { training: true }),
        );
        return generatorLosses(
          netD,
          netC,
          again.localFeatures,
          again.embedding,
          batch.sentences,
          training.clipLossWeight,
        ).total;
      }, [...namedTrainableVariables(b.model.netG).values()]);
      expectedNorms.generator = globalNorm(gStep.grads);
      trainerB.optimizerG.apply(gStep.grads);
    });
    for (const network of ['generator', 'discriminator'] as const) {
      expect(gradientNorms[network], network).toBeGreaterThan(0);
      expect(Math.abs(gradientNorms[network] - expectedNorms[network]), network).toBeLessThanOrEqual(
        1e-3 * expectedNorms[network],
      );
    }
    const left = snapshot(a.model.netG);
    const right = snapshot(b.model.netG);
    for (const [path, values] of left) {
      const other = right.get(path)!;
      let worst = 0;
      for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]! - other[i]!));
      expect(worst, path).toBeLessThanOrEqual(1e-6);
    }
    tf.dispose([noise, batch.images, batch.sentences]);
    for (const run of [trainerA, trainerB]) run.dispose();
    for (const setupRun of [a, b]) {
      setupRun.model.dispose();
      setupRun.clip.dispose();
    }
  });
});
