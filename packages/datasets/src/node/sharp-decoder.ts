import type { Sharp, SharpOptions } from 'sharp';
import { DatasetError } from '../errors';
import { resizedSize } from '../pipeline/resize-size';
import type { DecodeRequest, ImageDecoder, RgbImage } from '../types';

type SharpFactory = (input: Uint8Array, options?: SharpOptions) => Sharp;

let sharpModule: Promise<SharpFactory> | undefined;

/** Loads sharp on first use, so the package imports without it. */
function loadSharp(): Promise<SharpFactory> {
  sharpModule ??= import('sharp').then(
    (module) => (module as unknown as { default: SharpFactory }).default,
    (error: unknown) => {
      sharpModule = undefined;
      throw new Error(
        'decoding images in Node needs the optional peer dependency "sharp" (npm install sharp@^0.35): ' +
          (error as Error).message,
      );
    },
  );
  return sharpModule;
}

/**
 * Decodes images in Node with sharp (libvips): JPEG, PNG, WebP, AVIF, TIFF, GIF. Alpha is dropped,
 * grey and CMYK images are converted to sRGB, EXIF orientation is ignored (as PIL does), and the
 * crop and resize of the request run inside libvips. Resizing uses the bilinear (`linear`) kernel,
 * the counterpart of torchvision's default `Resize` interpolation. Any libvips warning (such as a
 * truncated JPEG) fails the decode: nothing is silently patched.
 */
export function sharpImageDecoder(): ImageDecoder {
  return {
    async decode(bytes: Uint8Array, request: DecodeRequest, path: string): Promise<RgbImage> {
      const sharp = await loadSharp();
      try {
        let image = sharp(bytes, { failOn: 'warning' });
        const metadata = await image.metadata();
        let width = metadata.width;
        let height = metadata.height;
        if (!width || !height) throw new Error('the image has no size');
        if (request.crop) {
          const box = request.crop(width, height);
          if (box.width < 1 || box.height < 1) throw new Error(`the crop ${JSON.stringify(box)} is empty`);
          image = image.extract(box);
          width = box.width;
          height = box.height;
        }
        if (request.resizeShortSide !== undefined) {
          const size = resizedSize(width, height, request.resizeShortSide);
          if (size.width !== width || size.height !== height) {
            image = image.resize(size.width, size.height, { fit: 'fill', kernel: 'linear' });
          }
          width = size.width;
          height = size.height;
        }
        const { data, info } = await image
          .removeAlpha()
          .toColourspace('srgb')
          .raw()
          .toBuffer({ resolveWithObject: true });
        if (info.channels !== 3 || info.width !== width || info.height !== height) {
          throw new Error(
            `decoded to ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x3`,
          );
        }
        return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
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
    },
  };
}
