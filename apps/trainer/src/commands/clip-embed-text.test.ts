import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClipModel, ClipTokenizer, loadClipWeights } from '@ratlip/clip';
import { useBackend } from '@ratlip/runtime';
import { fixturePath, readFixture } from '@ratlip/runtime/testing';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorLine, runCaptured, temporaryFolder } from '../run-cli.test-support';
import { pretrainMicroClip, readSafetensorsOutput, relativeError } from './clip-embed.test-support';

const folder = temporaryFolder('ratlip-embed-text-');
const OPENAI = fixturePath('clip/tiny_clip_openai.safetensors');
const HF = fixturePath('clip/tiny_clip_hf.safetensors');
const io = readFixture('clip/tiny_clip_io.safetensors');
let tokenizer: ClipTokenizer;

beforeAll(async () => {
  await useBackend('wasm');
  tokenizer = await ClipTokenizer.load();
});

/** The fixture captions whose tokenization here equals the reference ids, with their rows. */
function referenceCaptions(): Array<{ caption: string; row: number }> {
  const captions = JSON.parse(io.metadata['text_rows']!) as string[];
  const [, context] = io.entry('text.ids').shape as [number, number];
  const ids = io.raw('text.ids') as Int32Array;
  return captions
    .map((caption, row) => ({ caption, row }))
    .filter(({ caption, row }) => {
      const ours = tokenizer.tokenize([caption], { contextLength: context, truncate: true }).ids;
      return ours.every((id, k) => id === ids[row * context + k]);
    });
}

/** Text embeddings `[captions.length, dim]` of captions (padded to the full context) by the library. */
function libraryTextEmbeddings(model: ClipModel, captions: string[]): Float32Array {
  const tokens = tokenizer.tokenize(captions);
  return tf.tidy(
    () =>
      model
        .encodeText(tf.tensor2d(tokens.ids, [captions.length, tokens.contextLength], 'int32'))
        .dataSync() as Float32Array,
  );
}

describe('ratlip clip embed-text', () => {
  it('matches the reference text embeddings of the tiny CLIP (OpenAI and Hugging Face files)', async () => {
    const cases = referenceCaptions();
    expect(cases.length).toBeGreaterThanOrEqual(8);
    const [, dim] = io.entry('text.embed').shape as [number, number];
    const reference = io.float32('text.embed');
    const expected = Float32Array.from(
      cases.flatMap(({ row }) => Array.from(reference.subarray(row * dim, (row + 1) * dim))),
    );
    for (const [name, weights] of [
      ['openai', OPENAI],
      ['hf', HF],
    ] as const) {
      const out = join(folder, `${name}.safetensors`);
      const before = tf.memory().numTensors;
      const run = await runCaptured([
        'clip',
        'embed-text',
        '--weights',
        weights,
        '--backend',
        'wasm',
        '--out',
        out,
        '--',
        ...cases.map((c) => c.caption),
      ]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(tf.memory().numTensors).toBe(before);
      expect(run.stdout).toBe(
        `wrote ${out}: text_embeds [${cases.length}, ${dim}] of ${cases.length} captions (weights ${weights})\n`,
      );
      const file = readSafetensorsOutput(out);
      expect(file.names()).toEqual(['text_embeds']);
      expect(file.entry('text_embeds')).toMatchObject({ dtype: 'F32', shape: [cases.length, dim] });
      expect(relativeError(file.float32('text_embeds'), expected)).toBeLessThan(1e-4);
      expect(JSON.parse(file.metadata['captions']!)).toEqual(cases.map((c) => c.caption));
      const tokenIds = JSON.parse(file.metadata['token_ids']!) as number[][];
      expect(tokenIds[0]![0]).toBe(tokenizer.startOfTextId);
      expect(tokenIds[0]!.at(-1)).toBe(tokenizer.endOfTextId);
      expect(file.metadata).toMatchObject({
        weights,
        normalized: 'false',
        format: 'ratlip-clip-embeddings-1',
      });
    }
  });

  it('reads --file one caption per line', async () => {
    const path = join(folder, 'captions.txt');
    writeFileSync(path, 'a red circle\n\na blue square on the left\n');
    const out = join(folder, 'file.safetensors');
    const run = await runCaptured(['clip', 'embed-text', '--weights', OPENAI, '--file', path, '--out', out]);
    expect(run.code).toBe(0);
    const file = readSafetensorsOutput(out);
    expect(JSON.parse(file.metadata['captions']!)).toEqual(['a red circle', '', 'a blue square on the left']);
    const { model } = loadClipWeights(readFixture('clip/tiny_clip_openai.safetensors'));
    const expected = libraryTextEmbeddings(model, ['a red circle', '', 'a blue square on the left']);
    model.dispose();
    expect(relativeError(file.float32('text_embeds'), expected)).toBeLessThan(1e-5);
  });

  it('embeds with a compact CLIP trained by clip pretrain, warning about tokens it does not keep', async () => {
    const weights = await pretrainMicroClip(folder);
    const out = join(folder, 'micro.safetensors');
    const captions = ['a small red circle in the top left', 'a photo of a dog'];
    const embedded = await runCaptured([
      'clip',
      'embed-text',
      '--weights',
      weights,
      '--out',
      out,
      ...captions,
    ]);
    expect(embedded.code).toBe(0);
    const warnings = embedded.stderr.trim().split('\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^warning: caption 2 uses \d token\(s\) that .* does not keep \("[^"]*dog[^"]*"\)/,
    );
    const { model } = loadClipWeights(readSafetensorsOutput(weights));
    const expected = libraryTextEmbeddings(model, captions);
    model.dispose();
    const file = readSafetensorsOutput(out);
    expect(file.entry('text_embeds').shape).toEqual([2, 32]);
    expect(relativeError(file.float32('text_embeds'), expected)).toBeLessThan(1e-5);
  });

  it.each([
    [['--weights', OPENAI, '--out', 'x.safetensors'], 2, 'give captions either as arguments or with --file'],
    [['--weights', OPENAI, '--file', 'a.txt', '--out', 'x.safetensors', 'cap'], 2, 'one of the two'],
    [['--weights', OPENAI, 'cap'], 2, "required option '--out <file>' not specified"],
    [
      ['--weights', '/no/such.safetensors', '--out', 'x.safetensors', 'cap'],
      1,
      'weights file not found: /no/such.safetensors',
    ],
    [
      ['--weights', OPENAI, '--out', '/no/such/dir/x.safetensors', 'cap'],
      1,
      'output folder not found: /no/such/dir',
    ],
    [
      ['--weights', OPENAI, '--file', '/no/captions.txt', '--out', 'x.safetensors'],
      1,
      'captions file not found',
    ],
    [
      ['--weights', OPENAI, '--backend', 'gpu', '--out', 'x.safetensors', 'cap'],
      2,
      '--backend: expected one of',
    ],
  ])('rejects %j with exit code %i and one line', async (args, code, message) => {
    const run = await runCaptured(['clip', 'embed-text', ...args]);
    expect(run.code).toBe(code);
    expect(errorLine(run)).toContain(message);
  });

  it('names a file that is not CLIP weights', async () => {
    const notSafetensors = join(folder, 'notes.safetensors');
    writeFileSync(notSafetensors, 'hello');
    const notClip = fixturePath('clip/preprocess.safetensors');
    for (const [weights, message] of [
      [notSafetensors, notSafetensors],
      [notClip, `${notClip}: no OpenAI or Hugging Face CLIP keys found`],
    ] as const) {
      const run = await runCaptured([
        'clip',
        'embed-text',
        '--weights',
        weights,
        '--out',
        join(folder, 'y.safetensors'),
        'cap',
      ]);
      expect(run.code).toBe(1);
      const line = errorLine(run);
      expect(line.startsWith('ratlip clip embed-text: ')).toBe(true);
      expect(line).toContain(message);
      expect(line).not.toContain('unexpected error');
    }
  });
});
