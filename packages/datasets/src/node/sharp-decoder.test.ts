import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { coordinateImage, encodeImage } from '../../test/fixture-trees';
import { DatasetError } from '../errors';
import { sharpImageDecoder } from './sharp-decoder';

describe('sharpImageDecoder', () => {
  const decoder = sharpImageDecoder();

  it('decodes PNG exactly, crops before resizing, and resizes like torchvision', async () => {
    const png = await encodeImage(coordinateImage(50, 40, 9), 50, 40, 'png');
    const full = await decoder.decode(png, {}, 'a.png');
    expect([full.width, full.height]).toEqual([50, 40]);
    expect(full.data).toEqual(coordinateImage(50, 40, 9));
    const crop = await decoder.decode(
      png,
      { crop: () => ({ left: 10, top: 5, width: 20, height: 30 }) },
      'a.png',
    );
    expect([crop.width, crop.height, crop.data[0], crop.data[1]]).toEqual([20, 30, 10, 5]);
    const resized = await decoder.decode(png, { resizeShortSide: 16 }, 'a.png');
    expect([resized.width, resized.height]).toEqual([20, 16]);
  });

  it('turns grey and RGBA images into 3-channel sRGB', async () => {
    const grey = new Uint8Array(
      await sharp(new Uint8Array(12 * 10).fill(77), { raw: { width: 12, height: 10, channels: 1 } })
        .png()
        .toBuffer(),
    );
    const decodedGrey = await decoder.decode(grey, {}, 'grey.png');
    expect(decodedGrey.data.length).toBe(12 * 10 * 3);
    expect([...decodedGrey.data.subarray(0, 3)]).toEqual([77, 77, 77]);
    const rgba = new Uint8Array(
      await sharp(new Uint8Array(4 * 4 * 4).fill(200), { raw: { width: 4, height: 4, channels: 4 } })
        .png()
        .toBuffer(),
    );
    const decodedRgba = await decoder.decode(rgba, {}, 'rgba.png');
    expect(decodedRgba.data.length).toBe(4 * 4 * 3);
  });

  it('refuses truncated and non-image bytes with corrupt-image naming the path', async () => {
    const jpeg = await encodeImage(coordinateImage(64, 64, 1), 64, 64, 'jpeg');
    for (const bytes of [jpeg.subarray(0, jpeg.length - 200), new TextEncoder().encode('not an image')]) {
      const error = await decoder.decode(bytes, {}, 'data/x.jpg').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as DatasetError).code).toBe('corrupt-image');
      expect((error as DatasetError).message).toMatch(/^data\/x\.jpg: cannot decode image/);
    }
  });
});
