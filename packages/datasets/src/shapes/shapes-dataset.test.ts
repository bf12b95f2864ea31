import { describe, expect, it } from 'vitest';
import { openDataset } from '../registry';
import {
  parseShapesCaption,
  SHAPES_SWAPPABLE_ATTRIBUTES,
  SHAPES_SYNONYMS,
  type ShapesSwappableAttribute,
} from './captions';
import { renderShapesScene, shapesObjectCoverage } from './rasterizer';
import { ShapesDataset } from './shapes-dataset';
import {
  matchesCombination,
  SHAPES_COLOURS,
  SHAPES_HELD_OUT,
  SHAPES_KINDS,
  SHAPES_OUTLINES,
  SHAPES_POSITIONS,
  SHAPES_SIZES,
  type ShapesScene,
} from './vocabulary';

function attributesOf(scene: ShapesScene) {
  return scene.objects
    .map(({ shape, colour, size, position }) => ({ shape, colour, size, position }))
    .sort((a, b) => a.position.localeCompare(b.position));
}

describe('Shapes', () => {
  it('gives the same bytes and captions for the same seed, different ones for another seed', () => {
    const a = new ShapesDataset({ seed: 7, imageSize: 48 });
    const b = new ShapesDataset({ seed: 7, imageSize: 48 });
    const c = new ShapesDataset({ seed: 8, imageSize: 48 });
    for (const index of [0, 1, 17, 9999]) {
      expect(a.render(index).data).toEqual(b.render(index).data);
      expect(a.captions(index)).toEqual(b.captions(index));
    }
    const differs = [0, 1, 2, 3].some((i) =>
      a.render(i).data.some((value, k) => value !== c.render(i).data[k]),
    );
    expect(differs).toBe(true);
    // Pinned bytes: any change to the sampler, captions or rasteriser shows up here.
    const image = new ShapesDataset({ seed: 1, imageSize: 32 }).render(3);
    let hash = 0x811c9dc5;
    for (const value of image.data) hash = Math.imul(hash ^ value, 0x01000193) >>> 0;
    expect(hash).toBe(3913736034);
    expect(new ShapesDataset({ seed: 1 }).captions(3)[0]).toBe(
      'a drawing of a big orange five-pointed star on the left and a huge blue diamond at the top right',
    );
  });

  it('draws each object in its exact colour at its centre, inside the image, at 32 to 256 px', () => {
    for (const imageSize of [32, 64, 256]) {
      const dataset = new ShapesDataset({ seed: 3, imageSize, size: 40 });
      for (let index = 0; index < (imageSize === 256 ? 6 : 40); index++) {
        const scene = dataset.scene(index);
        const image = dataset.render(index);
        expect([image.width, image.height, image.data.length]).toEqual([
          imageSize,
          imageSize,
          imageSize * imageSize * 3,
        ]);
        for (const object of scene.objects) {
          const x = Math.floor(object.centre[0] * imageSize);
          const y = Math.floor(object.centre[1] * imageSize);
          const at = (y * imageSize + x) * 3;
          expect([...image.data.subarray(at, at + 3)]).toEqual([...SHAPES_COLOURS[object.colour]]);
          expect(object.halfExtent).toBe(SHAPES_SIZES[object.size]);
          const nominal = SHAPES_POSITIONS[object.position];
          expect(Math.abs(object.centre[0] - nominal[0])).toBeLessThanOrEqual(0.015);
          const reach = SHAPES_OUTLINES[object.shape].boundingRadius * object.halfExtent;
          expect(Math.min(...object.centre) - reach).toBeGreaterThan(0);
          expect(Math.max(...object.centre) + reach).toBeLessThan(1);
          // The coverage mask is full at the centre and the mask's area is about the outline's.
          const coverage = shapesObjectCoverage(object, imageSize);
          expect(coverage[y * imageSize + x]).toBe(1);
        }
        const background =
          scene.background === 'plain'
            ? [scene.backgroundLevel, scene.backgroundLevel, scene.backgroundLevel]
            : undefined;
        if (background && scene.objects.every((o) => o.position !== 'top-left')) {
          expect([...image.data.subarray(0, 3)]).toEqual(background);
        }
      }
    }
  });

  it('anti-aliases edges: coverage strictly between 0 and 1 along the outline, area close to the exact one', () => {
    const object = {
      shape: 'circle' as const,
      colour: 'red' as const,
      size: 'large' as const,
      position: 'centre' as const,
      centre: [0.5, 0.5] as [number, number],
      halfExtent: 0.17,
    };
    const coverage = shapesObjectCoverage(object, 128);
    const area = coverage.reduce((sum, value) => sum + value, 0);
    const exact = Math.PI * (0.17 * 128) ** 2;
    expect(Math.abs(area - exact) / exact).toBeLessThan(0.01);
    expect(coverage.some((value) => value > 0 && value < 1)).toBe(true);
    const square = shapesObjectCoverage({ ...object, shape: 'square' }, 128);
    const side = 2 * 0.88 * 0.17 * 128;
    expect(
      Math.abs(square.reduce((sum, value) => sum + value, 0) - side * side) / (side * side),
    ).toBeLessThan(0.01);
    const image = renderShapesScene(
      { objects: [object], background: 'plain', backgroundLevel: 100, noiseSeed: 0 },
      128,
    );
    const row = 64 * 128 * 3;
    const edge = [...Array(128).keys()]
      .map((x) => image.data[row + x * 3]!)
      .filter((v) => v !== 100 && v !== 220);
    expect(edge.length).toBeGreaterThan(0);
  });

  it('captions always describe the true attributes, through every template and synonym', () => {
    const dataset = new ShapesDataset({ seed: 11, size: 400 });
    const used = new Set<string>();
    for (let index = 0; index < dataset.size; index++) {
      const scene = dataset.scene(index);
      for (const caption of dataset.captions(index)) {
        const parsed = parseShapesCaption(caption);
        expect(
          parsed.objects.sort((a, b) => (a.position ?? '').localeCompare(b.position ?? '')),
          caption,
        ).toEqual(attributesOf(scene));
        if (parsed.background) expect(parsed.background, caption).toBe(scene.background);
        for (const words of Object.values(SHAPES_SYNONYMS).flatMap((table) => Object.values(table).flat())) {
          if (caption.includes(words)) used.add(words);
        }
      }
    }
    const every = Object.values(SHAPES_SYNONYMS).flatMap((table) => Object.values(table).flat());
    expect(every.filter((words) => !used.has(words))).toEqual([]);
    expect(dataset.captions(0)).toHaveLength(10);
  });

  it('swaps one attribute between the two objects of a caption, in the same words', () => {
    const dataset = new ShapesDataset({ seed: 12, size: 200 });
    const swappedAttributes = new Set<string>();
    for (let index = 0; index < dataset.size; index++) {
      const scene = dataset.scene(index);
      const described = dataset.captionsWithSwaps(index);
      expect(described.map(({ caption }) => caption)).toEqual(dataset.captions(index));
      for (const { caption, swapped } of described) {
        if (scene.objects.length === 1) {
          expect(swapped).toEqual({});
          continue;
        }
        const [first, second] = scene.objects as [ShapesScene['objects'][0], ShapesScene['objects'][0]];
        const differing = SHAPES_SWAPPABLE_ATTRIBUTES.filter(
          (attribute) => first[attribute] !== second[attribute],
        );
        expect(Object.keys(swapped).sort()).toEqual([...differing].sort());
        for (const [attribute, text] of Object.entries(swapped)) {
          swappedAttributes.add(attribute);
          const key = attribute as ShapesSwappableAttribute;
          const expected = attributesOf({
            ...scene,
            objects: [
              { ...first, [key]: second[key] },
              { ...second, [key]: first[key] },
            ],
          });
          const parsed = parseShapesCaption(text).objects;
          expect(
            parsed.sort((a, b) => (a.position ?? '').localeCompare(b.position ?? '')),
            text,
          ).toEqual(expected);
          const words = (line: string) => line.split(/[\s,]+/).sort();
          expect(words(text), text).toEqual(words(caption));
        }
      }
    }
    expect([...swappedAttributes].sort()).toEqual([...SHAPES_SWAPPABLE_ATTRIBUTES].sort());
  });

  it('parses hand-written captions in the vocabulary', () => {
    expect(parseShapesCaption('a small red circle in the top left')).toEqual({
      objects: [{ shape: 'circle', colour: 'red', size: 'small', position: 'top-left' }],
    });
    expect(parseShapesCaption('there is a large blue square at the center')).toEqual({
      objects: [{ shape: 'square', colour: 'blue', size: 'large', position: 'centre' }],
    });
    expect(
      parseShapesCaption(
        'Big violet rhombus, upper-left, with a tiny plus sign on the right; grainy background',
      ),
    ).toEqual({
      objects: [
        { shape: 'diamond', colour: 'purple', size: 'large', position: 'top-left' },
        { shape: 'cross', size: 'small', position: 'right' },
      ],
      background: 'noisy',
    });
  });

  it('keeps held-out combinations out of train and test, and puts one in every heldout sample', () => {
    const train = new ShapesDataset({ seed: 5, split: 'train', size: 3000 });
    const test = new ShapesDataset({ seed: 5, split: 'test', size: 500 });
    for (const dataset of [train, test]) {
      for (let index = 0; index < dataset.size; index++) {
        for (const object of dataset.scene(index).objects) {
          expect(SHAPES_HELD_OUT.some((combination) => matchesCombination(object, combination))).toBe(false);
        }
      }
    }
    const heldout = new ShapesDataset({ seed: 5, split: 'heldout', size: 500 });
    const seen = new Set<string>();
    for (let index = 0; index < heldout.size; index++) {
      const held = heldout
        .scene(index)
        .objects.filter((object) => SHAPES_HELD_OUT.some((c) => matchesCombination(object, c)));
      expect(held.length).toBeGreaterThanOrEqual(1);
      for (const object of held) seen.add(`${object.shape}/${object.colour}`);
    }
    expect(seen.size).toBe(SHAPES_HELD_OUT.length);
    // Every shape and every colour still occurs in training, only not together.
    const shapes = new Set<string>();
    const colours = new Set<string>();
    for (let index = 0; index < 500; index++) {
      for (const object of train.scene(index).objects) {
        shapes.add(object.shape);
        colours.add(object.colour);
      }
    }
    expect(shapes.size).toBe(SHAPES_KINDS.length);
    expect(colours.size).toBe(Object.keys(SHAPES_COLOURS).length);
    // Custom held-out sets work on any attribute.
    const custom = new ShapesDataset({
      seed: 5,
      size: 300,
      heldOut: [{ position: 'centre', size: 'large' }],
    });
    for (let index = 0; index < custom.size; index++) {
      expect(custom.scene(index).objects.some((o) => o.position === 'centre' && o.size === 'large')).toBe(
        false,
      );
    }
  });

  it('places two objects at different positions without overlap, never the same shape and colour', () => {
    const dataset = new ShapesDataset({ seed: 9, size: 1000, twoObjectProbability: 1 });
    for (let index = 0; index < dataset.size; index++) {
      const [a, b] = dataset.scene(index).objects;
      expect(b).toBeDefined();
      expect(a!.position).not.toBe(b!.position);
      expect(a!.shape === b!.shape && a!.colour === b!.colour).toBe(false);
      const gap =
        Math.hypot(a!.centre[0] - b!.centre[0], a!.centre[1] - b!.centre[1]) -
        SHAPES_OUTLINES[a!.shape].boundingRadius * a!.halfExtent -
        SHAPES_OUTLINES[b!.shape].boundingRadius * b!.halfExtent;
      expect(gap).toBeGreaterThan(0);
    }
    const single = new ShapesDataset({ seed: 9, size: 50, maxObjects: 1 });
    for (let index = 0; index < single.size; index++) expect(single.scene(index).objects).toHaveLength(1);
  });

  it('opens through the registry with key=value options, and checks its options', async () => {
    const dataset = await openDataset('shapes:seed=4,imageSize=32,size=20,split=heldout');
    expect([dataset.kind, dataset.split, dataset.size, dataset.augmentable]).toEqual([
      'shapes',
      'heldout',
      20,
      false,
    ]);
    const image = await dataset.loadImage(0);
    expect(image.width).toBe(32);
    expect((await dataset.loadImage(0, { resizeShortSide: 64 })).width).toBe(64);
    expect(await dataset.loadCaptions(0)).toEqual(
      new ShapesDataset({ seed: 4, imageSize: 32, size: 20, split: 'heldout' }).captions(0),
    );
    await expect(openDataset('shapes:imageSize=16')).rejects.toThrow(
      /imageSize must be an integer from 32 to 256/,
    );
    await expect(openDataset('shapes:colour=red')).rejects.toThrow(/unknown key/);
    await expect(openDataset('shapes', { split: 'val' })).rejects.toThrow(
      /split must be one of train, test, heldout/,
    );
    expect(() => dataset.id(20)).toThrow(/out of range/);
  });
});
