import * as tf from '@tensorflow/tfjs';

/**
 * Gradients of the resize gradients (tfjs registers none). Each is linear in dy and is the adjoint
 * of its forward resize, so its own gradient with respect to dy is that forward resize; the images
 * input only gives the shape, so its gradient is zero.
 */
function resizeGradGrad(
  kernelName: string,
  resize: (
    images: tf.Tensor4D,
    size: [number, number],
    alignCorners: boolean,
    halfPixelCenters: boolean,
  ) => tf.Tensor4D,
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['images', 'dy'],
    gradFunc: (upstream, saved, attrs) => {
      const [images, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { alignCorners, halfPixelCenters } = attrs as unknown as tf.ResizeBilinearAttrs;
      const size: [number, number] = [dy.shape[1], dy.shape[2]];
      return {
        images: () => tf.zerosLike(images),
        dy: () => resize(upstream as tf.Tensor4D, size, alignCorners, halfPixelCenters),
      };
    },
  };
}

/** Gradient of `ResizeNearestNeighborGrad`: nearest-neighbour resize of the incoming gradient. */
export const resizeNearestNeighborGradGradConfig = resizeGradGrad(
  tf.ResizeNearestNeighborGrad,
  (images, size, alignCorners, halfPixelCenters) =>
    tf.image.resizeNearestNeighbor(images, size, alignCorners, halfPixelCenters),
);

/** Gradient of `ResizeBilinearGrad`: bilinear resize of the incoming gradient. */
export const resizeBilinearGradGradConfig = resizeGradGrad(
  tf.ResizeBilinearGrad,
  (images, size, alignCorners, halfPixelCenters) =>
    tf.image.resizeBilinear(images, size, alignCorners, halfPixelCenters),
);
