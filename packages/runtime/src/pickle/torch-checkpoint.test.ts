import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { float16ArrayToFloat32 } from '../io/half-precision';
import {
  flattenTorchStateDict,
  isTorchTensor,
  readTorchCheckpoint,
  type TorchTensor,
} from './torch-checkpoint';

/** Written by `__fixtures__/make_torch_fixtures.py` with PyTorch's own torch.save. */
const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url)));
const arange = (count: number, map: (i: number) => number) => Array.from({ length: count }, (_, i) => map(i));

describe('readTorchCheckpoint', () => {
  const tree = readTorchCheckpoint(fixture('tiny_checkpoint.pth'), { source: 'tiny_checkpoint.pth' }) as Map<
    string,
    unknown
  >;
  const tensors = flattenTorchStateDict(tree.get('model'));

  it('reads official-style nested state dicts under their key names', () => {
    expect([...tensors.keys()]).toEqual([
      'netG.fc_code.weight',
      'netG.fc_code.bias',
      'netG.conv.weight',
      'netG.half',
      'netG.bn.num_batches_tracked',
      'netG.shared_view',
      'netD.gamma',
    ]);
    expect(tree.get('epoch')).toBe(5);
  });

  it('rebuilds float tensors with their shapes', () => {
    const weight = tensors.get('netG.fc_code.weight')!;
    expect(weight.dtype).toBe('F32');
    expect(weight.shape).toEqual([3, 4]);
    expect([...weight.data]).toEqual(arange(12, (i) => i * 0.5));
    expect([...tensors.get('netG.fc_code.bias')!.data]).toEqual([-1, 0, 1]);
    expect([...tensors.get('netD.gamma')!.data]).toEqual([0.25]);
  });

  it('makes non-contiguous views contiguous, in row-major order of their shape', () => {
    const view = tensors.get('netG.conv.weight')!;
    expect(view.shape).toEqual([4, 3, 2]);
    // arange(24).reshape(2, 3, 4).transpose(0, 2)[k, j, i] = i * 12 + j * 4 + k
    const expected: number[] = [];
    for (let k = 0; k < 4; k++)
      for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) expected.push(i * 12 + j * 4 + k);
    expect([...view.data]).toEqual(expected);
    expect([...tensors.get('netG.shared_view')!.data]).toEqual([2, 2.5, 3, 3.5]);
  });

  it('keeps half precision and 0-d int64 tensors', () => {
    const half = tensors.get('netG.half')!;
    expect(half.dtype).toBe('F16');
    expect([...float16ArrayToFloat32(half.data as Uint16Array)]).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const count = tensors.get('netG.bn.num_batches_tracked')!;
    expect(count.dtype).toBe('I64');
    expect(count.shape).toEqual([]);
    expect(count.data[0]).toBe(7n);
  });

  it('reads optimizer state as plain data', () => {
    const optimizer = (tree.get('optimizers') as Map<string, Map<string, unknown>>).get('optimizer_G')!;
    const group = (optimizer.get('param_groups') as Map<string, unknown>[])[0]!;
    expect(group.get('lr')).toBe(1e-4);
    expect([...(group.get('betas') as number[])]).toEqual([0, 0.9]);
    expect(isTorchTensor(group)).toBe(false);
  });

  it('refuses a checkpoint whose pickle names any other global', () => {
    expect(() => readTorchCheckpoint(fixture('evil_checkpoint.pth'), { source: 'evil.pth' })).toThrow(
      /evil\.pth \(evil\/data\.pkl\): refusing global '(posix|os)\.system'/,
    );
  });

  it('explains files that are not torch.save zip checkpoints', () => {
    expect(() => readTorchCheckpoint(new Uint8Array([0x80, 0x02, 0x8a]), { source: 'old.pth' })).toThrow(
      /old\.pth: this is a legacy \(pre-1\.6\) PyTorch checkpoint/,
    );
    expect(() => readTorchCheckpoint(new Uint8Array(10), { source: 'junk.pth' })).toThrow(/junk\.pth/);
  });

  it('reports a missing storage entry', () => {
    const tensor: TorchTensor | undefined = tensors.get('netD.gamma');
    expect(tensor?.kind).toBe('torch-tensor');
  });
});
