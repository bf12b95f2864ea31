import { disposeParams } from '@ratlip/rat-blocks';
import { useBackend } from '@ratlip/runtime';
import { readFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetCParams } from '../model/net-c';
import type { NetDParams } from '../model/net-d';
import {
  expectBigModelClose,
  ioTensor,
  loadProceduralDiscriminator,
  printWorstErrors,
} from '../testing/fixture-support.test-support';
import {
  clipContrastLoss,
  cosineSimilarity,
  discriminateReal,
  discriminatorLosses,
  foregroundPixelWeights,
  hingeFakeLoss,
  hingeRealLoss,
  matchingAwareGradientPenalty,
  reconstructionLoss,
  rollBatch,
} from './losses';

const netFile = readFixture('ratlip/06_netd_netc_procedural.safetensors');
const file = readFixture('ratlip/09_ma_gp.safetensors');
const GRADIENT_PREFIX = 'io.d_magp_d.';

describe('small losses', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('hinge losses, rolled batch and cosine similarity', () => {
    tf.tidy(() => {
      const logits = tf.tensor4d([2, 0.5, -3], [3, 1, 1, 1]);
      expect(hingeRealLoss(logits).dataSync()[0]).toBeCloseTo((0 + 0.5 + 4) / 3, 6);
      expect(hingeFakeLoss(logits).dataSync()[0]).toBeCloseTo((3 + 1.5 + 0) / 3, 6);
      expect(Array.from(rollBatch(tf.tensor2d([[1], [2], [3]]), 1).dataSync())).toEqual([2, 3, 1]);
      const cos = cosineSimilarity(
        tf.tensor2d([
          [1, 0],
          [1, 1],
          [0, 0],
        ]),
        tf.tensor2d([
          [2, 0],
          [-1, -1],
          [1, 0],
        ]),
      );
      expect(Array.from(cos.dataSync()).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([1, -1, 0]);
    });
  });

  it('clipContrastLoss is the cross-entropy of CLIP-scaled cosines with choice 0 the target', () => {
    // Image 0 matches choice 0 (cos 1) against choices at cos 0 and -1; image 1 is orthogonal to its
    // caption (cos 0) and parallel to a contrast (cos 1).
    const embeddings = [
      [2, 0],
      [0, 3],
    ];
    const choices = [
      [
        [1, 0],
        [0, 1],
        [-1, 0],
      ],
      [
        [1, 0],
        [0, 2],
        [0, -1],
      ],
    ];
    const scale = 4;
    const crossEntropy = (cosines: number[]) =>
      Math.log(cosines.reduce((sum, c) => sum + Math.exp(scale * c), 0)) - scale * cosines[0]!;
    const expected = (crossEntropy([1, 0, -1]) + crossEntropy([0, 1, -1])) / 2;
    const loss = tf.tidy(() =>
      clipContrastLoss(tf.tensor2d(embeddings), tf.tensor3d(choices), scale).arraySync(),
    );
    expect(loss).toBeCloseTo(expected, 5);
  });

  it('clipContrastLoss stays finite at CLIP scale 100 and its gradient pulls towards choice 0', () => {
    const before = tf.memory().numTensors;
    const { loss, gradient } = tf.tidy(() => {
      const choices = tf.tensor3d([
        [
          [0, 1],
          [1, 0],
        ],
      ]);
      const { value, grad } = tf.valueAndGrad((embedding: tf.Tensor) =>
        clipContrastLoss(embedding, choices, 100),
      )(tf.tensor2d([[1, 0.01]]));
      return { loss: value.arraySync() as number, gradient: grad.arraySync() as number[][] };
    });
    expect(loss).toBeCloseTo(99, 0);
    // Descent moves the embedding towards [0, 1] (the target) and away from [1, 0].
    expect(gradient[0]![1]!).toBeLessThan(0);
    expect(gradient[0]![0]!).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('paired reconstruction term', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  /** A 4 x 4 grey image (-0.2) with one red pixel at (row 1, column 2) and noise of at most `noise` on the grey. */
  function scene(noise: number): tf.Tensor4D {
    const pixels: number[] = [];
    for (let p = 0; p < 16; p++) {
      const grey = -0.2 + noise * Math.sin(7 * p);
      pixels.push(...(p === 6 ? [0.8, -0.9, -0.9] : [grey, grey, grey]));
    }
    return tf.tensor4d(pixels, [1, 4, 4, 3]);
  }

  it('foregroundPixelWeights weighs what stands apart from the frame colour, noise below the threshold is background', () => {
    const before = tf.memory().numTensors;
    const weights = tf.tidy(() => foregroundPixelWeights(scene(0.2), 10, 0.3).arraySync());
    expect(weights.flat(3)).toEqual(Array.from({ length: 16 }, (_, p) => (p === 6 ? 10 : 1)));
    const uniform = tf.tidy(() => foregroundPixelWeights(scene(0.2), 1, 0.3).arraySync());
    expect(uniform.flat(3)).toEqual(Array(16).fill(1));
    // A threshold under the noise makes noisy pixels foreground too.
    const strict = tf.tidy(() => foregroundPixelWeights(scene(0.2), 10, 0.05).arraySync());
    expect(strict.flat(3).filter((w) => w === 10).length).toBeGreaterThan(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('foregroundPixelWeights has zero gradient, so a fake on a tape may be weighed by its own objects', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const image = scene(0.2);
      const weighted = tf.grad((x: tf.Tensor) =>
        tf.sum(tf.mul(foregroundPixelWeights(x as tf.Tensor4D, 10, 0.3), x)),
      );
      const weights = tf.tile(foregroundPixelWeights(image, 10, 0.3), [1, 1, 1, 3]);
      expect(Array.from(weighted(image).dataSync())).toEqual(Array.from(weights.dataSync()));
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reconstructionLoss is the weighted mean absolute difference per channel', () => {
    tf.tidy(() => {
      const real = scene(0);
      const fake = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
      const weights = foregroundPixelWeights(real, 10, 0.3);
      // 15 grey pixels at distance 0.2 (weight 1), the red one at (0.8 + 0.9 + 0.9) / 3 per channel (weight 10).
      const expected = (15 * 0.2 * 3 + 10 * (0.8 + 0.9 + 0.9)) / ((15 + 10) * 3);
      expect(reconstructionLoss(fake, real, weights).dataSync()[0]).toBeCloseTo(expected, 6);
      expect(reconstructionLoss(real, real, weights).dataSync()[0]).toBe(0);
    });
  });
});

// Double backprop through the full-size NetD (768 channels): wasm has every kernel it needs.
describe('MA-GP (fixture 09): value, input gradients and its gradients w.r.t. NetD/NetC (wasm)', () => {
  let netD: NetDParams;
  let netC: NetCParams;

  beforeAll(async () => {
    await useBackend('wasm');
    ({ netD, netC } = loadProceduralDiscriminator(netFile));
  });

  afterAll(() => {
    if (netD) disposeParams([netD, netC]);
    printWorstErrors('fixture 09 MA-GP');
  });

  it('pred_real, errD_real, gradients w.r.t. CLIP features and sentence, their norm, ma_gp', () => {
    const features = ioTensor(file, 'clip_feat');
    const sent = ioTensor(file, 'sent');
    const before = tf.memory().numTensors;
    const real = discriminateReal(netD, netC, features, sent);
    const { penalty, gradNorm } = matchingAwareGradientPenalty(real.gradFeatures, real.gradSentences);
    const errReal = hingeRealLoss(real.predReal);
    expect(tf.memory().numTensors).toBe(before + 7);
    for (const [actual, name] of [
      [real.predReal, 'pred_real'],
      [errReal, 'errD_real'],
      [real.gradFeatures, 'grad_wrt_clip_feat'],
      [real.gradSentences, 'grad_wrt_sent'],
      [gradNorm, 'grad_l2norm'],
      [penalty, 'ma_gp'],
    ] as const) {
      const expected = ioTensor(file, name);
      expectBigModelClose(`09 ${name}`, actual, expected);
      expected.dispose();
    }
    tf.dispose([features, sent, penalty, gradNorm, errReal, ...Object.values(real)]);
  });

  it('hard mismatched sentences add logits without changing the matching ones or their input gradients', () => {
    const features = ioTensor(file, 'clip_feat');
    const sent = ioTensor(file, 'sent');
    const hard = rollBatch(sent, 1);
    const official = discriminateReal(netD, netC, features, sent);
    const withHard = discriminateReal(netD, netC, features, sent, hard);
    const close = (a: tf.Tensor, b: tf.Tensor) =>
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    close(withHard.predReal, official.predReal);
    close(withHard.gradFeatures, official.gradFeatures);
    close(withHard.gradSentences, official.gradSentences);
    // Rolled sentences given as the hard ones give the rolled logits again.
    close(withHard.predHardMismatch!, official.predMismatch);
    expect(official.predHardMismatch).toBeUndefined();
    const fakeFeatures = tf.reverse(features, 0);
    const otherHard = tf.reverse(sent, 0);
    const losses = discriminatorLosses(netD, netC, features, fakeFeatures, sent, {}, otherHard);
    const reference = discriminateReal(netD, netC, features, sent, otherHard);
    const expectedMismatch =
      (hingeFakeLoss(reference.predMismatch).dataSync()[0]! +
        hingeFakeLoss(reference.predHardMismatch!).dataSync()[0]!) /
      2;
    expect(losses.mismatch.dataSync()[0]).toBeCloseTo(expectedMismatch, 5);
    tf.dispose([
      features,
      sent,
      hard,
      fakeFeatures,
      otherHard,
      ...Object.values(official),
      ...Object.values(withHard),
      ...Object.values(losses),
      ...Object.values(reference),
    ]);
  });

  it('d ma_gp / d parameters by double backprop (d_magp_d.*)', () => {
    const features = ioTensor(file, 'clip_feat');
    const sent = ioTensor(file, 'sent');
    // Official parameter name -> (variable, PyTorch layout of its gradient).
    const parameters: Record<string, [tf.Variable, (g: tf.Tensor) => tf.Tensor]> = {
      'netC.joint_conv.0.weight': [netC.joint0.kernel as tf.Variable, (g) => tf.transpose(g, [3, 2, 0, 1])],
      'netC.joint_conv.2.weight': [netC.joint1.kernel as tf.Variable, (g) => tf.transpose(g, [3, 2, 0, 1])],
      ...Object.fromEntries(
        netD.blocks.flatMap((block, i) => [
          [`netD.DBlocks.${i}.gamma`, [block.gamma as tf.Variable, (g: tf.Tensor) => g.clone()]],
          [`netD.DBlocks.${i}.beta`, [block.beta as tf.Variable, (g: tf.Tensor) => g.clone()]],
        ]),
      ),
      'netD.main.gamma': [netD.main.gamma as tf.Variable, (g) => g.clone()],
    };
    const stored = file.names().filter((name) => name.startsWith(GRADIENT_PREFIX));
    expect(stored.map((name) => name.slice(GRADIENT_PREFIX.length)).sort()).toEqual(
      Object.keys(parameters).sort(),
    );
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => {
        const real = discriminateReal(netD, netC, features, sent);
        return matchingAwareGradientPenalty(real.gradFeatures, real.gradSentences).penalty;
      },
      Object.values(parameters).map(([variable]) => variable),
    );
    expect(tf.memory().numTensors).toBe(before + 1 + Object.keys(grads).length);
    for (const [name, [variable, toTorch]] of Object.entries(parameters)) {
      const gradient = grads[variable.name];
      expect(gradient, name).toBeDefined();
      const actual = toTorch(gradient!);
      const expected = file.tensor(`${GRADIENT_PREFIX}${name}`);
      expectBigModelClose(`09 d_magp_d.${name}`, actual, expected);
      tf.dispose([actual, expected]);
    }
    tf.dispose([features, sent, value, ...Object.values(grads)]);
  });
});
