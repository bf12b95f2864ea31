import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClipTensorSource, clipVisionWeightsToSafetensors, loadClipVisionWeights } from '@ratlip/clip';
import { NET_G_CLIP_PREFIX, readOfficialCheckpoint } from '@ratlip/ratlip-gan';
import { type TorchTensor, useBackend, writeSafetensors } from '@ratlip/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorLine, runCaptured, temporaryFolder } from '../run-cli.test-support';

const official = join(
  import.meta.dirname,
  '../../../../packages/ratlip-gan/src/checkpoint/__fixtures__/tiny_official_checkpoint.pth',
);
const folder = temporaryFolder('ratlip-import-');
const clipPath = join(folder, 'clip-vision.safetensors');

/**
 * CLIP weights equal to the tower the checkpoint embeds (`mapping.CLIP_ViT.*`), completed with an
 * `ln_post` and `proj` the mapper never reads: the approach of ratlip-gan's own import test.
 */
function writeEmbeddedClip(): void {
  const checkpoint = readOfficialCheckpoint(new Uint8Array(readFileSync(official)), 'tiny');
  const embedded = new Map<string, TorchTensor>();
  for (const [key, tensor] of checkpoint.netG) {
    if (key.startsWith(NET_G_CLIP_PREFIX))
      embedded.set(`visual.${key.slice(NET_G_CLIP_PREFIX.length)}`, tensor);
  }
  const width = embedded.get('visual.class_embedding')!.shape[0]!;
  const embedDim = checkpoint.netG.get('fc_prompt.weight')?.shape[1] ?? 8;
  const extra: Record<string, [number[], number]> = {
    'visual.ln_post.weight': [[width], 1],
    'visual.ln_post.bias': [[width], 0],
    'visual.proj': [[width, embedDim], 0.1],
  };
  const source: ClipTensorSource = {
    source: 'embedded CLIP tower',
    metadata: { config: JSON.stringify({ vision_heads: 2 }) },
    names: () => [...embedded.keys(), ...Object.keys(extra)],
    shape: (name) => embedded.get(name)?.shape ?? extra[name]![0],
    float32: (name) => {
      const tensor = embedded.get(name);
      if (tensor) return Float32Array.from(tensor.data as Float32Array);
      const [shape, value] = extra[name]!;
      return new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value);
    },
  };
  const tower = loadClipVisionWeights(source).model;
  const file = clipVisionWeightsToSafetensors(tower);
  writeFileSync(clipPath, writeSafetensors(file.tensors, file.metadata));
  tower.dispose();
}

beforeAll(async () => {
  await useBackend('wasm');
  writeEmbeddedClip();
});

describe('ratlip import', () => {
  it('converts the PyTorch-written tiny checkpoint into a checkpoint folder', async () => {
    const out = join(folder, 'imported');
    const result = await runCaptured([
      'import',
      official,
      '--clip',
      clipPath,
      '--out',
      out,
      '--overrides',
      '{"clip":{"tapBlocks":[0,1,2]}}',
      '--backend',
      'wasm',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ architecture: 'ratlip', epoch: 7 });
    for (const file of [
      'netG.safetensors',
      'netD.safetensors',
      'netC.safetensors',
      'optimizer.safetensors',
      'state.json',
    ]) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    // Sampling uses the CLIP the checkpoint was imported with, whose text tower this image-only file lacks.
    const sampled = await runCaptured(['sample', out, '--text', 'a bird', '--backend', 'wasm']);
    expect(sampled.code).toBe(1);
    expect(errorLine(sampled)).toMatch(/clip-vision\.safetensors/);
  });

  it('reports a missing CLIP file in one line', async () => {
    const result = await runCaptured([
      'import',
      official,
      '--clip',
      join(folder, 'none.safetensors'),
      '--out',
      join(folder, 'x'),
    ]);
    expect(result.code).toBe(1);
    expect(errorLine(result)).toMatch(/none\.safetensors/);
  });
});
