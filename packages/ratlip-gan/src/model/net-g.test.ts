import type { ClipVisionTransformer } from '@ratlip/clip';
import { countTrainableParameters, disposeParams } from '@ratlip/rat-blocks';
import { SeededRandom, useBackend } from '@ratlip/runtime';
import { readFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve-config';
import {
  expectBigModelClose,
  expectSameValues,
  ioTensor,
  metadataJson,
  type ProceduralRules,
  printWorstErrors,
  proceduralStateDict,
  proceduralVitB32Vision,
} from '../testing/fixture-support.test-support';
import {
  exportNetGToStateDict,
  initNetG,
  loadNetGFromStateDict,
  NET_G_CLIP_PREFIX,
  type NetGParams,
  netGForward,
  netGForwardWithIntermediates,
} from './net-g';

const file = readFixture('ratlip/07_netg_procedural.safetensors');
const reference = metadataJson<{
  ngf: number;
  nz: number;
  cond_dim: number;
  imsize: number;
  ch_size: number;
}>(file, 'config');
const stateDictShapes = metadataJson<Record<string, number[]>>(file, 'netG_state_dict_keys');
const ownShapes = Object.fromEntries(
  Object.entries(stateDictShapes).filter(([key]) => !key.startsWith(NET_G_CLIP_PREFIX)),
);
// Official RATLIP in legacy RAT mode, with the fixture's sizes (faithful: last G-block at 224 px).
const config = resolveConfig('ratlip-birds-256', {
  imageSize: reference.imsize,
  imageChannels: reference.ch_size,
  generator: { ngf: reference.ngf, noiseDim: reference.nz, rat: { mode: 'legacy' } },
});

// The whole generator at 224 px with the full-size CLIP mapper: seconds on wasm, minutes on cpu.
describe('NetG (fixture 07: official RATLIP NetG, legacy RAT, procedural weights) on wasm', () => {
  let vision: ClipVisionTransformer;
  let netG: NetGParams;
  let dict: Record<string, tf.Tensor>;

  beforeAll(async () => {
    await useBackend('wasm');
    dict = proceduralStateDict(
      ownShapes,
      metadataJson<ProceduralRules>(file, 'netG_rules'),
      file.metadata['netG_hash_prefix']!,
    );
    netG = loadNetGFromStateDict(dict, config);
    vision = proceduralVitB32Vision(metadataJson<ProceduralRules>(file, 'clip_rules'));
  });

  afterAll(() => {
    tf.dispose(Object.values(dict ?? {}));
    if (netG) disposeParams(netG);
    vision?.dispose();
    printWorstErrors('fixture 07 NetG');
  });

  it('derives the fixture layout from the config (G-block channels and sizes, sentence size)', () => {
    expect(config.generator.blockChannels).toEqual(metadataJson(file, 'gblock_in_out'));
    expect(config.generator.blockSizes).toEqual(metadataJson(file, 'gblock_sizes'));
    expect(config.clip.text.embedDim).toBe(reference.cond_dim);
  });

  it('regenerates the procedural weights bit-exactly (netG_check) and round-trips every official key', () => {
    const checks = metadataJson<Record<string, number>>(file, 'netG_check');
    for (const [key, first] of Object.entries(checks)) {
      if (key.startsWith(NET_G_CLIP_PREFIX)) continue;
      expect(dict[key]!.dataSync()[0], key).toBe(Math.fround(first));
    }
    const exported = exportNetGToStateDict(netG);
    expect(Object.keys(exported).sort()).toEqual(Object.keys(ownShapes).sort());
    for (const [key, tensor] of Object.entries(exported)) {
      expect(tensor.shape, key).toEqual(ownShapes[key]);
      expectSameValues(key, tensor, dict[key]!);
    }
    tf.dispose(Object.values(exported));
  });

  it('init has the official parameter count (state-dict floats minus BatchNorm statistics)', () => {
    const fresh = initNetG(config, new SeededRandom(0));
    const statistics = Object.entries(ownShapes)
      .filter(([key]) => key.endsWith('running_mean') || key.endsWith('running_var'))
      .reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0);
    expect(countTrainableParameters(fresh) + statistics).toBe(Number(file.metadata['netG_own_param_count']));
    disposeParams(fresh);
  });

  it('matches every stored intermediate and the output', () => {
    const noise = ioTensor(file, 'noise');
    const sent = ioTensor(file, 'sent');
    const before = tf.memory().numTensors;
    const { image, intermediates } = netGForwardWithIntermediates(netG, vision, noise, sent);
    expect(tf.memory().numTensors).toBe(before + 1 + Object.keys(intermediates).length);
    for (const [name, actual] of Object.entries({ ...intermediates, out: image })) {
      const expected = ioTensor(file, name);
      expectBigModelClose(`07 ${name}`, actual, expected);
      expected.dispose();
    }
    tf.dispose([noise, sent, image, ...Object.values(intermediates)]);
  });

  it('reproduces the batch-order and batch-size dependence of legacy RAT (out_batch_reversed, out_each_alone)', () => {
    const noise = ioTensor(file, 'noise');
    const sent = ioTensor(file, 'sent');
    const reversed = netGForward(netG, vision, tf.reverse(noise, 0), tf.reverse(sent, 0));
    const expectedReversed = ioTensor(file, 'out_batch_reversed');
    expectBigModelClose('07 out_batch_reversed', reversed, expectedReversed);
    const alone = tf.tidy(() =>
      tf.concat(
        Array.from({ length: noise.shape[0]! }, (_, i) =>
          netGForward(netG, vision, noise.slice([i, 0], [1, -1]), sent.slice([i, 0], [1, -1])),
        ),
      ),
    );
    const expectedAlone = ioTensor(file, 'out_each_alone');
    expectBigModelClose('07 out_each_alone', alone, expectedAlone);
    tf.dispose([noise, sent, reversed, expectedReversed, alone, expectedAlone]);
  });
});
