/** One 8-connected region of equal class. */
export interface PixelComponent {
  /** Its label in {@link ComponentLabels.labels}. */
  label: number;
  /** The class shared by its pixels. */
  classIndex: number;
  /** Pixel count. */
  area: number;
  /** Bounding box in pixels, inclusive. */
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/** Component labelling of a class map. */
export interface ComponentLabels {
  /** Per pixel: its component's label, or -1 where the class is negative (background). */
  labels: Int32Array;
  components: PixelComponent[];
}

/**
 * Labels the 8-connected regions of equal non-negative class in a `size x size` class map
 * (row-major). Components are listed in scan order of their first pixel.
 */
export function labelComponents(classes: Int8Array, size: number): ComponentLabels {
  const labels = new Int32Array(classes.length).fill(-1);
  const components: PixelComponent[] = [];
  const stack = new Int32Array(classes.length);
  for (let start = 0; start < classes.length; start++) {
    const classIndex = classes[start]!;
    if (classIndex < 0 || labels[start] !== -1) continue;
    const component: PixelComponent = {
      label: components.length,
      classIndex,
      area: 0,
      minX: size,
      maxX: -1,
      minY: size,
      maxY: -1,
    };
    let top = 0;
    stack[top++] = start;
    labels[start] = component.label;
    while (top > 0) {
      const pixel = stack[--top]!;
      const x = pixel % size;
      const y = (pixel - x) / size;
      component.area++;
      component.minX = Math.min(component.minX, x);
      component.maxX = Math.max(component.maxX, x);
      component.minY = Math.min(component.minY, y);
      component.maxY = Math.max(component.maxY, y);
      for (let ny = Math.max(0, y - 1); ny <= Math.min(size - 1, y + 1); ny++) {
        for (let nx = Math.max(0, x - 1); nx <= Math.min(size - 1, x + 1); nx++) {
          const neighbour = ny * size + nx;
          if (labels[neighbour] === -1 && classes[neighbour] === classIndex) {
            labels[neighbour] = component.label;
            stack[top++] = neighbour;
          }
        }
      }
    }
    components.push(component);
  }
  return { labels, components };
}
