import {
  readSafetensors,
  type SafetensorsFile,
  type SafetensorsInput,
  writeSafetensors,
} from '@ratlip/runtime';
import { readFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipModel } from '../model/clip-model';
import { clipParameterEntries } from '../model/clip-parameters';
import { textParameterEntries } from '../model/text-parameters';
import { visionParameterEntries } from '../model/vision-parameters';
import {
  inferClipConfig,
  loadClipTextWeights,
  loadClipVisionWeights,
  loadClipWeights,
} from './load-clip-weights';
import {
  type ClipWeightsFile,
  clipTextWeightsToSafetensors,
  clipVisionWeightsToSafetensors,
  clipWeightsToSafetensors,
} from './save-clip-weights';
import type { ClipTensorSource } from './tensor-source';

const openaiFile = readFixture('clip/tiny_clip_openai.safetensors');
const hfFile = readFixture('clip/tiny_clip_hf.safetensors');

/** Every tensor of a file as float32 inputs for writeSafetensors. */
function fileRecord(file: SafetensorsFile): Record<string, SafetensorsInput> {
  return Object.fromEntries(
    file
      .names()
      .map((name) => [name, { dtype: 'F32', shape: file.entry(name).shape, data: file.float32(name) }]),
  );
}

/** A source over a record, so tests can drop, add or reshape tensors without writing files. */
function recordSource(
  record: Record<string, SafetensorsInput>,
  metadata: Record<string, string>,
): ClipTensorSource {
  return {
    source: 'test record',
    metadata,
    names: () => Object.keys(record),
    shape: (name) => record[name]!.shape,
    float32: (name) => Float32Array.from(record[name]!.data as ArrayLike<number>),
  };
}

function roundTrip(file: ClipWeightsFile): SafetensorsFile {
  return readSafetensors(writeSafetensors(file.tensors, file.metadata), { source: 'round trip' });
}

function expectSameEntries(
  actual: Map<string, tf.Tensor>,
  expected: Map<string, tf.Tensor>,
  tolerance = 0,
): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, tensor] of expected) {
    const other = actual.get(key)!;
    expect(other.shape, key).toEqual(tensor.shape);
    const difference = tf.tidy(() => other.sub(tensor).abs().max().dataSync()[0]!);
    const bound = tolerance * (tf.tidy(() => tensor.abs().max().dataSync()[0]!) || 1);
    expect(difference, key).toBeLessThanOrEqual(bound);
  }
}

let reference: ClipModel;
let baseline: number;

beforeAll(async () => {
  await tf.setBackend('cpu');
  baseline = tf.memory().numTensors;
  reference = loadClipWeights(openaiFile).model;
});

afterAll(() => {
  reference.dispose();
  expect(tf.memory().numTensors).toBe(baseline);
});

describe('loading', () => {
  it('OpenAI and Hugging Face files give identical parameters', () => {
    const { model, naming } = loadClipWeights(hfFile);
    expect(naming).toBe('huggingface');
    expectSameEntries(clipParameterEntries(model.parameters), clipParameterEntries(reference.parameters));
    model.dispose();
  });

  it('infers the config from the shapes without loading', () => {
    const before = tf.memory().numTensors;
    expect(inferClipConfig(hfFile)).toEqual(reference.config);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('creates exactly one tensor per parameter and nothing else', () => {
    const before = tf.memory().numTensors;
    const { model } = loadClipWeights(openaiFile);
    // The text tower also owns its causal mask.
    expect(tf.memory().numTensors - before).toBe(clipParameterEntries(model.parameters).size + 1);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    ['openai', openaiFile],
    ['huggingface', hfFile],
  ] as const)('loads the image tower alone from a whole %s CLIP', (_, file) => {
    const { model } = loadClipVisionWeights(file);
    expectSameEntries(
      visionParameterEntries(model.parameters),
      visionParameterEntries(reference.vision.parameters),
    );
    model.dispose();
  });

  it.each([
    ['openai', openaiFile],
    ['huggingface', hfFile],
  ] as const)('loads the text tower alone from a whole %s CLIP', (_, file) => {
    const { model } = loadClipTextWeights(file);
    expectSameEntries(
      textParameterEntries(model.parameters),
      textParameterEntries(reference.text.parameters),
    );
    model.dispose();
  });

  it("loads a bare VisionTransformer under a prefix among other keys (RATLIP's mapping.CLIP_ViT.*)", () => {
    const saved = clipVisionWeightsToSafetensors(reference.vision, { prefix: 'mapping.CLIP_ViT.' });
    expect(Object.keys(saved.tensors)).toContain('mapping.CLIP_ViT.class_embedding');
    const netG: Record<string, SafetensorsInput> = {
      'fc_code.weight': { dtype: 'F32', shape: [2, 2], data: [1, 2, 3, 4] },
      ...saved.tensors,
      'mapping.conv_fuse.weight': { dtype: 'F32', shape: [1], data: [0] },
    };
    const file = readSafetensors(writeSafetensors(netG), { source: 'netG' });
    const { model, config } = loadClipVisionWeights(file, { prefix: 'mapping.CLIP_ViT.', visionHeads: 4 });
    expect(config).toEqual(reference.config.vision);
    expectSameEntries(
      visionParameterEntries(model.parameters),
      visionParameterEntries(reference.vision.parameters),
    );
    model.dispose();
    const bare = clipVisionWeightsToSafetensors(reference.vision, { prefix: '' });
    const fromBare = loadClipVisionWeights(roundTrip(bare), { prefix: '' });
    expect(fromBare.config).toEqual(reference.config.vision);
    fromBare.model.dispose();
  });

  it('ignores non-parameter entries of released checkpoints', () => {
    const openai = fileRecord(openaiFile);
    openai['input_resolution'] = { dtype: 'I64', shape: [], data: [32] };
    openai['context_length'] = { dtype: 'I64', shape: [], data: [77] };
    openai['vocab_size'] = { dtype: 'I64', shape: [], data: [49408] };
    loadClipWeights(roundTrip({ tensors: openai, metadata: openaiFile.metadata })).model.dispose();
    const hf = fileRecord(hfFile);
    hf['text_model.embeddings.position_ids'] = { dtype: 'I64', shape: [1, 77], data: new Array(77).fill(0) };
    hf['vision_model.embeddings.position_ids'] = {
      dtype: 'I64',
      shape: [1, 17],
      data: new Array(17).fill(0),
    };
    loadClipWeights(roundTrip({ tensors: hf, metadata: hfFile.metadata })).model.dispose();
  });

  it('takes the heads from options when the file has no config metadata', () => {
    const source = recordSource(fileRecord(hfFile), {});
    expect(() => loadClipWeights(source)).toThrow(/textHeads/);
    const { vision, text } = reference.config;
    const { model, config } = loadClipWeights(source, { visionHeads: vision.heads, textHeads: text.heads });
    expect(config).toEqual(reference.config);
    model.dispose();
  });
});

describe('saving', () => {
  it.each([
    ['openai', openaiFile],
    ['huggingface', hfFile],
  ] as const)('%s naming reproduces the fixture file exactly', (naming, file) => {
    const before = tf.memory().numTensors;
    const saved = clipWeightsToSafetensors(reference, { naming });
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(saved.tensors).sort()).toEqual(file.names().sort());
    for (const name of file.names()) {
      expect(saved.tensors[name]!.shape, name).toEqual(file.entry(name).shape);
      const values = saved.tensors[name]!.data as ArrayLike<number>;
      const expected = file.float32(name);
      expect(values.length, name).toBe(expected.length);
      let differing = 0;
      for (let i = 0; i < expected.length; i++) if (values[i] !== expected[i]) differing++;
      expect(differing, name).toBe(0);
    }
  });

  it.each(['openai', 'huggingface'] as const)(
    'round-trips through safetensors bytes in %s naming',
    (naming) => {
      const loaded = loadClipWeights(roundTrip(clipWeightsToSafetensors(reference, { naming })));
      expect(loaded.naming).toBe(naming);
      expect(loaded.config).toEqual(reference.config);
      expectSameEntries(
        clipParameterEntries(loaded.model.parameters),
        clipParameterEntries(reference.parameters),
      );
      loaded.model.dispose();
    },
  );

  it.each(['openai', 'huggingface'] as const)('round-trips each tower alone in %s naming', (naming) => {
    const vision = loadClipVisionWeights(
      roundTrip(clipVisionWeightsToSafetensors(reference.vision, { naming })),
    );
    expectSameEntries(
      visionParameterEntries(vision.model.parameters),
      visionParameterEntries(reference.vision.parameters),
    );
    vision.model.dispose();
    const text = loadClipTextWeights(roundTrip(clipTextWeightsToSafetensors(reference.text, { naming })));
    expectSameEntries(
      textParameterEntries(text.model.parameters),
      textParameterEntries(reference.text.parameters),
    );
    text.model.dispose();
  });

  it('saves F16 and loads it back upcast (within half precision)', () => {
    const file = roundTrip(clipWeightsToSafetensors(reference, { naming: 'huggingface', dtype: 'F16' }));
    expect(file.entry('logit_scale').dtype).toBe('F16');
    const { model } = loadClipWeights(file);
    expectSameEntries(
      clipParameterEntries(model.parameters),
      clipParameterEntries(reference.parameters),
      2 ** -10,
    );
    model.dispose();
  });
});

describe('errors name the tensor', () => {
  const cases: [string, SafetensorsFile, (record: Record<string, SafetensorsInput>) => void, RegExp][] = [
    [
      'missing (OpenAI)',
      openaiFile,
      (r) => delete r['visual.ln_post.bias'],
      /missing tensor 'visual\.ln_post\.bias'/,
    ],
    [
      'missing q/k/v part (Hugging Face)',
      hfFile,
      (r) => delete r['vision_model.encoder.layers.3.self_attn.k_proj.bias'],
      /missing tensor 'vision_model\.encoder\.layers\.3\.self_attn\.k_proj\.bias'/,
    ],
    [
      'extra (OpenAI)',
      openaiFile,
      (r) => {
        r['visual.transformer.resblocks.0.attn.bias_k'] = { dtype: 'F32', shape: [1], data: [0] };
      },
      /unexpected tensor 'visual\.transformer\.resblocks\.0\.attn\.bias_k'/,
    ],
    [
      'extra (Hugging Face)',
      hfFile,
      (r) => {
        r['text_model.encoder.layers.0.mlp.fc3.weight'] = { dtype: 'F32', shape: [1], data: [0] };
      },
      /unexpected tensor 'text_model\.encoder\.layers\.0\.mlp\.fc3\.weight'/,
    ],
    [
      'misshapen (OpenAI)',
      openaiFile,
      (r) => {
        const t = r['transformer.resblocks.1.mlp.c_fc.bias']!;
        r['transformer.resblocks.1.mlp.c_fc.bias'] = { ...t, shape: [2, t.shape[0]! / 2] };
      },
      /tensor 'transformer\.resblocks\.1\.mlp\.c_fc\.bias' has shape \[2, \d+\], expected \[\d+\]/,
    ],
    [
      'misshapen (Hugging Face)',
      hfFile,
      (r) => {
        const t = r['text_model.encoder.layers.0.self_attn.q_proj.weight']!;
        r['text_model.encoder.layers.0.self_attn.q_proj.weight'] = {
          ...t,
          shape: [...t.shape].reverse().concat([1]),
        };
      },
      /tensor 'text_model\.encoder\.layers\.0\.self_attn\.q_proj\.weight' has shape/,
    ],
    [
      'needed for the config',
      openaiFile,
      (r) => delete r['visual.conv1.weight'],
      /missing tensor 'visual\.conv1\.weight'/,
    ],
  ];

  it.each(cases)('%s', (_, file, edit, message) => {
    const record = fileRecord(file);
    edit(record);
    const before = tf.memory().numTensors;
    expect(() => loadClipWeights(recordSource(record, file.metadata))).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a file without CLIP keys', () => {
    const source = recordSource({ 'fc.weight': { dtype: 'F32', shape: [1], data: [0] } }, {});
    expect(() => loadClipWeights(source)).toThrow(
      /test record: no OpenAI or Hugging Face CLIP keys found \(first keys: 'fc\.weight'\)/,
    );
  });

  it('a config that does not fit the file', () => {
    const config = { ...reference.config, text: { ...reference.config.text, layers: 3 } };
    expect(() => loadClipWeights(openaiFile, { config })).toThrow(
      /missing tensor 'transformer\.resblocks\.2\.ln_1\.weight'/,
    );
  });
});
