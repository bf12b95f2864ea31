import { join } from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { DataPipeline } from '../src/pipeline/data-pipeline';
import { ShapesDataset } from '../src/shapes/shapes-dataset';
import { makeTempDir, openLocal, smoothJpeg, writeFileDeep } from './fixture-trees';

/**
 * `pnpm bench`: images per second through the full pipeline (read JPEG, sharp decode, resize the short
 * side to 304, random crop 256, flip, to float [-1, 1], batch) from CUB-sized JPEG files (500x375).
 */
const IMAGES = 48;
const BATCH = 16;
const { root, cleanup } = await makeTempDir('bench');
for (let i = 0; i < IMAGES; i++) {
  await writeFileDeep(join(root, `${String(i).padStart(3, '0')}.jpg`), await smoothJpeg(500, 375, i));
  await writeFileDeep(
    join(root, `${String(i).padStart(3, '0')}.txt`),
    `a bird number ${i}\nanother caption\n`,
  );
}
const dataset = await openLocal(`folder:${root}`);
const pipeline = new DataPipeline({
  dataset,
  batchSize: BATCH,
  imageSize: 256,
  seed: 1,
  prefetch: 2,
  concurrency: 4,
});
const shapes = new ShapesDataset({ imageSize: 256, size: 100_000 });

const counters = { jpegImages: 0, jpegStart: 0, jpegEnd: 0, shapesImages: 0, shapesStart: 0, shapesEnd: 0 };
let shapesIndex = 0;

afterAll(async () => {
  pipeline.close();
  await cleanup();
  const rate = (images: number, start: number, end: number) => ((images / (end - start)) * 1000).toFixed(1);
  console.log(
    `pipeline, 256 px from 500x375 JPEG, batch ${BATCH}: ` +
      `${rate(counters.jpegImages, counters.jpegStart, counters.jpegEnd)} images/s`,
  );
  console.log(
    `Shapes render at 256 px: ${rate(counters.shapesImages, counters.shapesStart, counters.shapesEnd)} images/s`,
  );
});

describe('datasets throughput', () => {
  bench(
    `pipeline batch of ${BATCH} at 256 px from JPEG (hz x ${BATCH} = images/s)`,
    async () => {
      if (counters.jpegStart === 0) counters.jpegStart = performance.now();
      const batch = await pipeline.nextBatch();
      counters.jpegImages += batch!.size;
      counters.jpegEnd = performance.now();
    },
    { time: 4000, warmupIterations: 2 },
  );
  bench(
    'Shapes render one 256 px image',
    () => {
      if (counters.shapesStart === 0) counters.shapesStart = performance.now();
      shapes.render(shapesIndex++ % shapes.size);
      counters.shapesImages++;
      counters.shapesEnd = performance.now();
    },
    { time: 2000, warmupIterations: 5 },
  );
});
