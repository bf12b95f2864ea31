import { DatasetError } from '../errors';
import { resizedSize } from '../pipeline/resize-size';
import type { DecodeRequest, ImageDecoder, RgbImage } from '../types';

/**
 * Decodes images with the browser's own decoders (`createImageBitmap`), crops and resizes with an
 * `OffscreenCanvas` (high-quality smoothing), and drops alpha. Works in pages and workers. EXIF
 * orientation is not applied, as in the Node decoder and PIL.
 */
export function browserImageDecoder(): ImageDecoder {
  return {
    async decode(bytes: Uint8Array, request: DecodeRequest, path: string): Promise<RgbImage> {
      let bitmap: ImageBitmap;
      try {
        bitmap = await createImageBitmap(new Blob([bytes.slice()]), {
          imageOrientation: 'none',
          premultiplyAlpha: 'none',
          colorSpaceConversion: 'default',
        });
      } catch (error) {
        throw new DatasetError(
          'corrupt-image',
          path,
          `${path}: cannot decode image (${(error as Error).message})`,
          {
            cause: error,
          },
        );
      }
      try {
        const box = request.crop
          ? request.crop(bitmap.width, bitmap.height)
          : { left: 0, top: 0, width: bitmap.width, height: bitmap.height };
        if (box.width < 1 || box.height < 1) {
          throw new DatasetError('corrupt-image', path, `${path}: the crop ${JSON.stringify(box)} is empty`);
        }
        const size =
          request.resizeShortSide === undefined
            ? { width: box.width, height: box.height }
            : resizedSize(box.width, box.height, request.resizeShortSide);
        const canvas = new OffscreenCanvas(size.width, size.height);
        const context = canvas.getContext('2d', { willReadFrequently: true });
        if (!context) throw new Error('OffscreenCanvas 2d context is unavailable');
        context.imageSmoothingEnabled = true;
        context.imageSmoothingQuality = 'high';
        context.drawImage(bitmap, box.left, box.top, box.width, box.height, 0, 0, size.width, size.height);
        const rgba = context.getImageData(0, 0, size.width, size.height).data;
        const data = new Uint8Array(size.width * size.height * 3);
        for (let source = 0, target = 0; source < rgba.length; source += 4, target += 3) {
          data[target] = rgba[source]!;
          data[target + 1] = rgba[source + 1]!;
          data[target + 2] = rgba[source + 2]!;
        }
        return { width: size.width, height: size.height, data };
      } finally {
        bitmap.close();
      }
    },
  };
}
