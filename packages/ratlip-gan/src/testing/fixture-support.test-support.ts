import { type ClipTensorSource, type ClipVisionTransformer, loadClipVisionWeights } from '@ratlip/clip';
import { disposeParams } from '@ratlip/rat-blocks';
import { type SafetensorsFile, SeededRandom } from '@ratlip/runtime';
import { proceduralValues, readJsonFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { ResolvedRatlipConfig } from '../config/config-schema';
import { resolveConfig } from '../config/resolve-config';
import { exportNetCToStateDict, initNetC, loadNetCFromStateDict, type NetCParams } from '../model/net-c';
import { exportNetDToStateDict, initNetD, loadNetDFromStateDict, type NetDParams } from '../model/net-d';

/** `(offset, scale)` per key, as the fixtures' `*_rules` metadata. */
export type ProceduralRules = Record<string, [number, number]>;

/** A JSON metadata field of a fixture, parsed; throws naming it when absent. */
export function metadataJson<T>(file: SafetensorsFile, field: string): T {
  const text = file.metadata[field];
  if (text === undefined) throw new Error(`${file.source}: metadata '${field}' is missing`);
  return JSON.parse(text) as T;
}

/**
 * A state dict of procedural weights (the fixtures' counter hash): hash key = `hashPrefix + key`,
 * `(offset, scale)` from `rules`; `*.num_batches_tracked` = 0 (int32). PyTorch layouts.
 */
export function proceduralStateDict(
  shapes: Readonly<Record<string, readonly number[]>>,
  rules: ProceduralRules,
  hashPrefix: string,
): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [key, shape] of Object.entries(shapes)) {
    if (key.endsWith('num_batches_tracked')) {
      out[key] = tf.zeros([...shape], 'int32');
      continue;
    }
    const rule = rules[key];
    if (!rule) throw new Error(`no procedural rule for '${key}'`);
    const count = shape.reduce((a, b) => a * b, 1);
    out[key] = tf.tensor(proceduralValues(`${hashPrefix}${key}`, count, rule[0], rule[1]), [...shape]);
  }
  return out;
}

interface VitLayout {
  config: Record<string, number>;
  openai_keys: Record<string, number[]>;
}

/**
 * The full-size ViT-B/32 image tower with the fixtures' procedural CLIP weights (hash key = OpenAI key
 * `visual.<k>`, rules = a fixture's `clip_rules`), shapes from `clip/vit_b32_layout.json`.
 */
export function proceduralVitB32Vision(clipRules: ProceduralRules): ClipVisionTransformer {
  const layout = readJsonFixture<VitLayout>('clip/vit_b32_layout.json');
  const names = Object.keys(layout.openai_keys).filter((key) => key.startsWith('visual.'));
  const source: ClipTensorSource = {
    source: 'procedural ViT-B/32 image tower',
    metadata: { config: JSON.stringify(layout.config) },
    names: () => names,
    shape: (name) => layout.openai_keys[name]!,
    float32: (name) => {
      const rule = clipRules[name];
      if (!rule) throw new Error(`no CLIP rule for '${name}'`);
      const count = layout.openai_keys[name]!.reduce((a, b) => a * b, 1);
      return proceduralValues(name, count, rule[0], rule[1]);
    },
  };
  return loadClipVisionWeights(source).model;
}

/** PyTorch layout to channels-last: 4-D NCHW -> NHWC, 5-D [B, T, C, H, W] -> [B, T, H, W, C]. */
export function toChannelsLast(tensor: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    if (tensor.rank === 4) return tf.transpose(tensor, [0, 2, 3, 1]);
    if (tensor.rank === 5) return tf.transpose(tensor, [0, 1, 3, 4, 2]);
    return tensor.clone();
  });
}

/** A fixture `io.*` tensor in channels-last layout (the caller disposes it). */
export function ioTensor(file: SafetensorsFile, name: string): tf.Tensor {
  const raw = file.tensor(`io.${name}`);
  const out = toChannelsLast(raw);
  raw.dispose();
  return out;
}

/** Worst errors seen by {@link expectBigModelClose}, for the report. */
export const worstErrors = new Map<string, { maxAbs: number; relative: number }>();

/**
 * Asserts the big-model tolerance of the fixtures README: |actual - expected| <= 1e-4 * max|expected|
 * (or `relativeTolerance`), and records the worst difference. Disposes nothing.
 */
export function expectBigModelClose(
  label: string,
  actual: tf.Tensor,
  expected: tf.Tensor,
  relativeTolerance = 1e-4,
): number {
  expect(actual.shape, `${label}: shape`).toEqual(expected.shape);
  const a = actual.dataSync();
  const b = expected.dataSync();
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= maxAbs)) maxAbs = d;
    maxRef = Math.max(maxRef, Math.abs(b[i]!));
  }
  worstErrors.set(label, { maxAbs, relative: maxAbs / maxRef });
  expect(
    maxAbs,
    `${label}: max |d| ${maxAbs} vs 1e-4 * max|ref| ${relativeTolerance * maxRef}`,
  ).toBeLessThanOrEqual(relativeTolerance * maxRef);
  return maxAbs;
}

/** Prints the recorded worst errors (vitest shows it in the run log). */
export function printWorstErrors(title: string): void {
  const lines = [...worstErrors].map(
    ([label, { maxAbs, relative }]) =>
      `  ${label}: max|d| ${maxAbs.toExponential(2)} (${relative.toExponential(2)} of max|ref|)`,
  );
  console.log(`[${title}] worst errors:\n${lines.join('\n')}`);
}

/** Asserts two tensors hold exactly the same values (fast on millions of elements). */
export function expectSameValues(label: string, actual: tf.Tensor, expected: tf.Tensor): void {
  expect(actual.shape, `${label}: shape`).toEqual(expected.shape);
  const a = actual.dataSync();
  const b = expected.dataSync();
  let mismatch = -1;
  for (let i = 0; i < b.length; i++) {
    if (a[i] !== b[i]) {
      mismatch = i;
      break;
    }
  }
  expect(mismatch, `${label}: first differing element (value ${a[mismatch]} vs ${b[mismatch]})`).toBe(-1);
}

/** Sizes of the official discriminator read from fixture 06's io shapes. */
export interface DiscriminatorFixtureSizes {
  taps: number;
  width: number;
  grid: number;
  outChannels: number;
  sentenceDim: number;
}

/** Taps, CLIP width, grid, NetD output channels and sentence size from `06_netd_netc_procedural`. */
export function discriminatorFixtureSizes(file: SafetensorsFile): DiscriminatorFixtureSizes {
  const [, taps, width, grid] = file.entry('io.h').shape as number[];
  return {
    taps: taps!,
    width: width!,
    grid: grid!,
    outChannels: file.entry('io.netD_out').shape[1]!,
    sentenceDim: file.entry('io.sent').shape[1]!,
  };
}

/**
 * Procedural NetD and NetC state dicts of fixture 06 (hash key = `<net>_hash_key` prefix + official
 * key), with the shapes of `shapes` (an exported state dict of the same architecture).
 */
export function proceduralDiscriminatorDicts(
  file: SafetensorsFile,
  shapes: { netD: Record<string, tf.Tensor>; netC: Record<string, tf.Tensor> },
): { netD: Record<string, tf.Tensor>; netC: Record<string, tf.Tensor> } {
  const build = (net: 'netD' | 'netC', exported: Record<string, tf.Tensor>) => {
    const rules = metadataJson<ProceduralRules>(file, `${net}_rules`);
    expect(Object.keys(exported).sort(), `${net} official keys`).toEqual(Object.keys(rules).sort());
    const prefix = file.metadata[`${net}_hash_key`]!.replace(/<[^>]*>$/, '');
    const keyShapes = Object.fromEntries(
      Object.entries(exported).map(([key, tensor]) => [key, tensor.shape]),
    );
    return proceduralStateDict(keyShapes, rules, prefix);
  };
  return { netD: build('netD', shapes.netD), netC: build('netC', shapes.netC) };
}

/** The official 256 px config with the discriminator sizes of fixture 06. */
export function discriminatorFixtureConfig(sizes: DiscriminatorFixtureSizes): ResolvedRatlipConfig {
  return resolveConfig('ratlip-birds-256', {
    clip: {
      vision: { width: sizes.width, embedDim: sizes.sentenceDim },
      text: { embedDim: sizes.sentenceDim },
      tapBlocks: [1, 4, 8].slice(0, sizes.taps),
    },
    discriminator: { outChannels: sizes.outChannels },
  });
}

/** NetD and NetC with fixture 06's procedural weights (official keys checked against the rules). */
export function loadProceduralDiscriminator(file: SafetensorsFile): {
  config: ResolvedRatlipConfig;
  netD: NetDParams;
  netC: NetCParams;
} {
  const sizes = discriminatorFixtureSizes(file);
  const config = discriminatorFixtureConfig(sizes);
  expect(config.discriminator.netCKernels[0] + config.discriminator.netCKernels[1] - 1).toBe(sizes.grid);
  const rng = new SeededRandom(0);
  const fresh = { netD: initNetD(config, rng), netC: initNetC(config, rng) };
  const exported = { netD: exportNetDToStateDict(fresh.netD), netC: exportNetCToStateDict(fresh.netC) };
  disposeParams(fresh);
  const dicts = proceduralDiscriminatorDicts(file, exported);
  tf.dispose([...Object.values(exported.netD), ...Object.values(exported.netC)]);
  const netD = loadNetDFromStateDict(dicts.netD, sizes.taps);
  const netC = loadNetCFromStateDict(dicts.netC);
  for (const [net, checks] of [
    ['netD', metadataJson<Record<string, number>>(file, 'netD_check')],
    ['netC', metadataJson<Record<string, number>>(file, 'netC_check')],
  ] as const) {
    for (const [key, first] of Object.entries(checks)) {
      expect(dicts[net][key]!.dataSync()[0], `${net}.${key}`).toBe(Math.fround(first));
    }
  }
  tf.dispose([...Object.values(dicts.netD), ...Object.values(dicts.netC)]);
  return { config, netD, netC };
}
