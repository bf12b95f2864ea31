import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ClipTensorSource,
  type ClipVisionTransformer,
  initializeClipParameters,
  loadClipVisionWeights,
  ClipVisionTransformer as VisionTower,
} from '@ratlip/clip';
import { type TorchTensor, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NET_G_CLIP_PREFIX } from '../model/net-g';
import { importOfficialCheckpoint } from './import-official-checkpoint';
import { readOfficialCheckpoint } from './official-checkpoint';
import { parameterKeys } from './official-optimizer-state';
import { torchStateDictToTensors } from './state-dict-tensors';

const FIXTURES = join(import.meta.dirname, '__fixtures__');
const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'tiny_official_checkpoint.pth')));
const evil = new Uint8Array(readFileSync(join(FIXTURES, 'evil_official_checkpoint.pth')));
const checkpoint = readOfficialCheckpoint(bytes, 'tiny_official_checkpoint.pth');

/**
 * The CLIP image tower the checkpoint embeds (`mapping.CLIP_ViT.*`), completed with the `ln_post` and
 * `proj` the mapper does not hold (the model never uses them for these tests' assertions).
 */
function embeddedTower(embedDim: number, heads: number): ClipVisionTransformer {
  const embedded = new Map<string, TorchTensor>();
  for (const [key, tensor] of checkpoint.netG) {
    if (key.startsWith(NET_G_CLIP_PREFIX))
      embedded.set(`visual.${key.slice(NET_G_CLIP_PREFIX.length)}`, tensor);
  }
  const width = embedded.get('visual.class_embedding')!.shape[0]!;
  const extra: Record<string, [number[], number]> = {
    'visual.ln_post.weight': [[width], 1],
    'visual.ln_post.bias': [[width], 0],
    'visual.proj': [[width, embedDim], 0.1],
  };
  const source: ClipTensorSource = {
    source: 'embedded CLIP tower',
    metadata: { config: JSON.stringify({ vision_heads: heads }) },
    names: () => [...embedded.keys(), ...Object.keys(extra)],
    shape: (name) => embedded.get(name)?.shape ?? extra[name]![0],
    float32: (name) => {
      const tensor = embedded.get(name);
      if (tensor) return Float32Array.from(tensor.data as Float32Array);
      const [shape, value] = extra[name]!;
      return new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value);
    },
  };
  return loadClipVisionWeights(source).model;
}

describe('importing an official RATLIP state_epoch_*.pth (written by PyTorch), wasm', () => {
  let vision: ClipVisionTransformer;
  const overrides = { clip: { tapBlocks: [0, 1, 2] } };

  beforeAll(async () => {
    await useBackend('wasm');
    vision = embeddedTower(checkpoint.netG.get('fc_prompt.weight')?.shape[1] ?? 8, 2);
  });

  afterAll(() => vision?.dispose());

  it('reads the config from the shapes (legacy RAT) and imports every tensor exactly', () => {
    const before = tf.memory().numTensors;
    const { model, config, epoch } = importOfficialCheckpoint(bytes, {
      vision,
      overrides,
      verifyClip: 'values',
    });
    expect(epoch).toBe(7);
    expect(config.architecture).toBe('ratlip');
    expect(config.generator.rat.mode).toBe('legacy');
    expect(config.generator.noiseDim).toBe(checkpoint.netG.get('fc_code.weight')!.shape[1]);
    expect(config.generator.ngf).toBe(checkpoint.netG.get('to_rgb.1.weight')!.shape[1]);
    const exported = model.exportStateDicts();
    for (const [network, dict] of [
      ['netG', checkpoint.netG],
      ['netD', checkpoint.netD!],
      ['netC', checkpoint.netC!],
    ] as const) {
      const reference = torchStateDictToTensors(dict, 'pth', [NET_G_CLIP_PREFIX]);
      const mine = exported[network]!;
      expect(Object.keys(mine).sort(), network).toEqual(Object.keys(reference).sort());
      for (const [key, tensor] of Object.entries(reference)) {
        expect(mine[key]!.shape, key).toEqual(tensor.shape);
        expect(Array.from(mine[key]!.dataSync()), key).toEqual(Array.from(tensor.dataSync()));
      }
      tf.dispose([...Object.values(reference), ...Object.values(mine)]);
    }
    const images = model.generate({
      sentenceEmbeddings: tf.zeros([1, config.clip.text.embedDim]) as tf.Tensor2D,
      seed: 1,
    });
    expect(images.shape).toEqual([1, config.generator.outputSize, config.generator.outputSize, 3]);
    images.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before + 1);
  });

  it('restores the Adam moments by parameter index (frozen CLIP and gradient-less parameters stay zero)', () => {
    const { model, trainer } = importOfficialCheckpoint(bytes, { vision, overrides, trainer: true });
    expect(trainer!.optimizerG.step).toBe(2);
    const moments = { ...trainer!.optimizerG.stateTensors(), ...trainer!.optimizerD.stateTensors() };
    const state = (optimizer: unknown, dicts: Map<string, TorchTensor>[], key: string) => {
      const index = dicts.flatMap((dict) => parameterKeys(dict)).indexOf(key);
      const entry = (
        (optimizer as Map<string, unknown>).get('state') as Map<number, Map<string, TorchTensor>>
      ).get(index)!;
      return torchStateDictToTensors(new Map([['m', entry.get('exp_avg')!]]), 'pth')['m']!;
    };
    const d = [checkpoint.netD!, checkpoint.netC!];
    for (const [name, torch, layout] of [
      [
        'exp_avg.netG.fcCode.weight',
        state(checkpoint.optimizerG, [checkpoint.netG], 'fc_code.weight'),
        [1, 0],
      ],
      [
        'exp_avg.netG.toRgb.kernel',
        state(checkpoint.optimizerG, [checkpoint.netG], 'to_rgb.1.weight'),
        [2, 3, 1, 0],
      ],
      ['exp_avg.netC.joint0.kernel', state(checkpoint.optimizerD, d, 'joint_conv.0.weight'), [2, 3, 1, 0]],
      ['exp_avg.netD.main.gamma', state(checkpoint.optimizerD, d, 'main.gamma'), [0]],
    ] as const) {
      const expected = tf.transpose(torch, [...layout]);
      expect(Array.from(moments[name]!.dataSync()), name).toEqual(Array.from(expected.dataSync()));
      expect(expected.abs().sum().dataSync()[0], name).toBeGreaterThan(0);
      tf.dispose([torch, expected]);
    }
    expect(moments['exp_avg.netG.fcCode.bias']!.abs().sum().dataSync()[0]).toBe(0);
    tf.dispose(Object.values(moments));
    trainer!.dispose();
    model.dispose();
  });

  it('checks the embedded CLIP tower against the given one, and the checkpoint against the config', () => {
    const other = new VisionTower(
      vision.config,
      initializeClipParameters(
        {
          vision: vision.config,
          text: {
            contextLength: 77,
            vocabSize: 49408,
            width: 8,
            layers: 1,
            heads: 2,
            embedDim: vision.config.embedDim,
          },
        },
        { seed: 3 },
      ).vision,
    );
    expect(() => importOfficialCheckpoint(bytes, { vision: other, overrides, verifyClip: 'values' })).toThrow(
      /embedded CLIP tower's 'mapping\.CLIP_ViT\.[^']+' differs/,
    );
    importOfficialCheckpoint(bytes, { vision: other, overrides, verifyClip: 'shapes' }).model.dispose();
    expect(() =>
      importOfficialCheckpoint(bytes, {
        vision,
        overrides: { ...overrides, generator: { adapterBlocks: 2 } },
      }),
    ).toThrow(/mapping\.FBlocks\.1\./);
    other.dispose();
  });

  it('refuses a pickle that names any other Python global (os.system), without running it', () => {
    expect(() => importOfficialCheckpoint(evil, { vision, source: 'evil.pth' })).toThrow(
      /evil\.pth.*refusing global '(posix|os|nt)\.system'/,
    );
  });
});
