import { type ClipVisionTransformer, generatedImagesToClipInput } from '@ratlip/clip';
import { disposeParams } from '@ratlip/rat-blocks';
import { useBackend } from '@ratlip/runtime';
import { readFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedRatlipConfig } from '../config/config-schema';
import {
  expectBigModelClose,
  ioTensor,
  loadProceduralDiscriminator,
  metadataJson,
  type ProceduralRules,
  printWorstErrors,
  proceduralVitB32Vision,
} from '../testing/fixture-support.test-support';
import { rollBatch } from '../train/losses';
import { encodeImagesForDiscriminator } from './clip-image-features';
import { type NetCParams, netCForward } from './net-c';
import { type NetDParams, netDForwardWithIntermediates } from './net-d';

const netFile = readFixture('ratlip/06_netd_netc_procedural.safetensors');
const encoderFile = readFixture('ratlip/08_clip_img_encoder_procedural.safetensors');

describe('NetD + NetC (fixture 06) and the CLIP image encoder path (fixture 08) on wasm', () => {
  let config: ResolvedRatlipConfig;
  let netD: NetDParams;
  let netC: NetCParams;
  let vision: ClipVisionTransformer;

  beforeAll(async () => {
    await useBackend('wasm');
    ({ config, netD, netC } = loadProceduralDiscriminator(netFile));
    vision = proceduralVitB32Vision(metadataJson<ProceduralRules>(encoderFile, 'clip_rules'));
  });

  afterAll(() => {
    if (netD) disposeParams([netD, netC]);
    vision?.dispose();
    printWorstErrors('fixtures 06 + 08');
  });

  it('06: NetD block outputs, NetD and NetC outputs', () => {
    const h = ioTensor(netFile, 'h');
    const sent = ioTensor(netFile, 'sent');
    const before = tf.memory().numTensors;
    const { blockOutputs, output } = netDForwardWithIntermediates(netD, h);
    const logits = netCForward(netC, output, sent);
    expect(tf.memory().numTensors).toBe(before + blockOutputs.length + 2);
    blockOutputs.forEach((actual, i) => {
      const expected = ioTensor(netFile, `netD.block${i}_out`);
      expectBigModelClose(`06 netD.block${i}_out`, actual, expected);
      expected.dispose();
    });
    for (const [actual, name] of [
      [output, 'netD_out'],
      [logits, 'netC_out'],
    ] as const) {
      const expected = ioTensor(netFile, name);
      expectBigModelClose(`06 ${name}`, actual, expected);
      expected.dispose();
    }
    tf.dispose([h, sent, output, logits, ...blockOutputs]);
  });

  it('08: CLIP input (double shift, nearest 224), taps 1/4/8, embedding, NetD, NetC, mismatched NetC', () => {
    const image = ioTensor(encoderFile, 'image') as tf.Tensor4D;
    const sent = ioTensor(encoderFile, 'sent');
    const before = tf.memory().numTensors;
    const { localFeatures, embedding } = encodeImagesForDiscriminator(vision, image, {
      quirk: config.clip.inputQuirk,
      tapBlocks: config.clip.tapBlocks,
    });
    expect(tf.memory().numTensors).toBe(before + 2);
    const clipInput = generatedImagesToClipInput(image, {
      imageSize: vision.config.imageSize,
      quirk: 'ratlip',
    });
    const { output } = netDForwardWithIntermediates(netD, localFeatures);
    const logits = netCForward(netC, output, sent);
    const mismatched = rollBatch(sent, 1);
    const mismatchLogits = netCForward(netC, output, mismatched);
    for (const [actual, name] of [
      [clipInput, 'clip_input'],
      [localFeatures, 'local_features'],
      [embedding, 'embedding'],
      [output, 'netD_out'],
      [logits, 'netC_out'],
      [mismatchLogits, 'netC_out_mismatch'],
    ] as const) {
      const expected = ioTensor(encoderFile, name);
      expectBigModelClose(`08 ${name}`, actual, expected);
      expected.dispose();
    }
    tf.dispose([
      image,
      sent,
      localFeatures,
      embedding,
      clipInput,
      output,
      logits,
      mismatched,
      mismatchLogits,
    ]);
  });
});
