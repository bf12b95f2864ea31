import { countTrainableParameters, disposeParams } from '@ratlip/rat-blocks';
import { SeededRandom } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNetC } from '../model/net-c';
import { initNetD } from '../model/net-d';
import { initNetG } from '../model/net-g';
import { ratlipConfigSchema } from './config-schema';
import { generatorBlockChannels } from './generator-layout';
import { ratlipPresetNames } from './presets';
import { parseRatlipConfig, resolveConfig } from './resolve-config';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function generatorCount(preset: string, overrides = {}): number {
  const config = resolveConfig(preset, overrides);
  const params = initNetG(config, new SeededRandom(0));
  const count = countTrainableParameters(params);
  disposeParams(params);
  return count;
}

describe('config and presets', () => {
  it('resolves every preset; a resolved config is JSON, has no nulls and resolves to itself', () => {
    for (const name of ratlipPresetNames()) {
      const config = resolveConfig(name);
      expect(config.name).toBe(name);
      const json = JSON.parse(JSON.stringify(config));
      expect(JSON.stringify(json)).not.toContain('null');
      expect(parseRatlipConfig(json, `${name}.json`)).toEqual(config);
      expect(ratlipConfigSchema.parse(json)).toEqual(config);
    }
  });

  it('faithful 256 presets: official G-block layout, 224 px output, ratlip CLIP input; clean: exact size, standard input', () => {
    const faithful = resolveConfig('ratlip-birds-256');
    expect(faithful.generator.blockChannels).toEqual([
      [512, 512],
      [512, 512],
      [512, 512],
      [512, 256],
      [256, 128],
      [128, 64],
    ]);
    expect(faithful.generator.blockSizes).toEqual([8, 16, 32, 64, 128, 224]);
    expect(faithful.clip.inputQuirk).toBe('ratlip');
    expect(faithful.generator.codeSize).toBe(7);
    expect(faithful.discriminator.netCKernels).toEqual([4, 4]);
    expect(faithful.generator.rat.mode).toBe('paper');
    expect(faithful.training.ema.enabled).toBe(false);
    const clean = resolveConfig('ratlip-birds-256', { clean: true });
    expect(clean.generator.blockSizes).toEqual([8, 16, 32, 64, 128, 256]);
    expect(clean.clip.inputQuirk).toBe('standard');
    const tiny = resolveConfig('ratlip-tiny');
    expect(tiny.generator.blockSizes[tiny.generator.blockSizes.length - 1]).toBe(tiny.imageSize);
    expect(generatorBlockChannels(16, 64)).toEqual([
      [128, 128],
      [128, 64],
      [64, 32],
      [32, 16],
    ]);
  });

  it('errors name the field and what was expected', () => {
    expect(() => resolveConfig('ratlip-nope')).toThrow(/unknown 'ratlip-nope'; known: ratlip-birds-256/);
    expect(() => resolveConfig('ratlip-tiny', { generator: { ngf: -1 } })).toThrow(/'generator\.ngf'/);
    expect(() => resolveConfig('ratlip-tiny', { generator: { codeSize: 9 } })).toThrow(
      /'generator\.codeSize' \(9\) must equal the CLIP token grid \(4\)/,
    );
    expect(() => resolveConfig('ratlip-tiny', { clip: { tapBlocks: [1, 12] } })).toThrow(
      /'clip\.tapBlocks' lists block 12/,
    );
    expect(() => resolveConfig('ratlip-tiny', { generator: { ngf: 8 } })).toThrow(/multiple of 16/);
    const gBlocks = resolveConfig('ratlip-tiny').generator.blockChannels.length;
    expect(() =>
      resolveConfig('ratlip-tiny', { generator: { wordAttention: { blocks: [gBlocks] } } }),
    ).toThrow(
      new RegExp(
        `'generator\\.wordAttention\\.blocks' lists block ${gBlocks}, but the generator has ${gBlocks} blocks`,
      ),
    );
    expect(() =>
      resolveConfig('ratlip-tiny', { generator: { wordAttention: { contextLayers: 1 } } }),
    ).toThrow(/'generator\.wordAttention\.contextLayers' needs word attention/);
    expect(() =>
      resolveConfig('ratlip-tiny', { generator: { wordAttention: { placeModulation: true } } }),
    ).toThrow(/'generator\.wordAttention\.placeModulation' needs word attention/);
    const textWidth = resolveConfig('ratlip-tiny').clip.text.width;
    expect(() =>
      resolveConfig('ratlip-tiny', {
        generator: { wordAttention: { blocks: [0], contextLayers: 1, contextHeads: textWidth + 1 } },
      }),
    ).toThrow(
      `'generator.wordAttention.contextHeads' (${textWidth + 1}) must divide the CLIP text width (${textWidth})`,
    );
    expect(() => resolveConfig('ratlip-tiny', { unknownField: 1 } as never)).toThrow(/Unrecognized key/);
    expect(() => resolveConfig(undefined, {})).toThrow(/'clip'/);
  });

  it('parameter counts from init match the reference (G 53,771,379 legacy RAT; GALIP 51,830,211; D+C 30,806,021)', () => {
    expect(generatorCount('ratlip-birds-256', { generator: { rat: { mode: 'legacy' } } })).toBe(53_771_379);
    expect(generatorCount('galip-birds-256')).toBe(51_830_211);
    const config = resolveConfig('ratlip-birds-256');
    const rng = new SeededRandom(0);
    const discriminator = [initNetD(config, rng), initNetC(config, rng)];
    expect(countTrainableParameters(discriminator)).toBe(30_806_021);
    disposeParams(discriminator);
  });
});
