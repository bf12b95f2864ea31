import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModelIndexText, WEB_MODEL_FILE_ROLES, WEB_MODEL_MANIFEST_FILE } from '@ratlip/ratlip-gan';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundInspection } from '../src/app/page-state';
import { imageToRgba } from '../src/image/image-pixels';
import { buildSite } from './build-site';
import { CHROMIUM_ARGS, ensureChromium } from './chromium';
import {
  imageValues,
  maxAbsoluteDifference,
  meanAbsoluteDifference,
  standardDeviation,
} from './image-checks';
import { type StaticServer, startStaticServer } from './static-server';
import { E2E_MODEL_ID, exportTestModel, type TestModel } from './test-model';

const appFolder = fileURLToPath(new URL('..', import.meta.url));
const resultsFolder = join(appFolder, 'test-results');
const CAPTION = 'a red circle on the left';
const SEED = 1234;
const COUNT = 3;

/**
 * Largest difference between page and Node pixels (values in [-1, 1]) that counts as equal: the
 * browser backends compute in float32 with other kernels (and WebGL's shaders with their own
 * rounding), so values agree to float tolerance, not bit for bit.
 */
const PIXEL_TOLERANCE = 2e-3;

/** Smallest spread of values (standard deviation) of an image that is not blank. */
const MIN_IMAGE_SPREAD = 1e-3;

/** Smallest mean difference between images of different noise. */
const MIN_SEED_DIFFERENCE = 1e-3;

let scratch: string;
let server: StaticServer;
let context: BrowserContext;
let model: TestModel;
const requestedUrls: string[] = [];

async function inspect(page: Page): Promise<PlaygroundInspection> {
  return page.evaluate(() => {
    const inspection = window.ratlipPlayground!;
    const last = inspection.lastGeneration;
    // Typed arrays do not survive the trip to Node; send plain numbers.
    return JSON.parse(
      JSON.stringify({
        ...inspection,
        lastGeneration:
          last === undefined
            ? undefined
            : { ...last, images: { ...last.images, values: Array.from(last.images.values) } },
      }),
    ) as PlaygroundInspection;
  });
}

async function waitForState(page: Page, states: readonly string[]): Promise<PlaygroundInspection> {
  await page.waitForFunction((wanted) => wanted.includes(document.body.dataset['state'] ?? ''), states, {
    timeout: 240_000,
  });
  const inspection = await inspect(page);
  if (inspection.state === 'error') throw new Error(`the page shows an error: ${inspection.lastError}`);
  return inspection;
}

/** Generates with the form and returns the page's pixels, `[count, height, width, 3]` in [-1, 1]. */
async function generate(page: Page, trigger: () => Promise<void>, expectedSeed: number): Promise<number[]> {
  await trigger();
  await page.waitForFunction(
    (seed) => {
      const inspection = window.ratlipPlayground;
      return inspection?.state === 'ready' && inspection.lastGeneration?.seed === seed;
    },
    expectedSeed,
    { timeout: 240_000 },
  );
  const inspection = await inspect(page);
  const generation = inspection.lastGeneration!;
  expect(generation.caption).toBe(CAPTION);
  expect(generation.images.count).toBe(COUNT);
  return Array.from(generation.images.values);
}

/** The RGBA bytes drawn on the canvas of image `index` of the newest batch. */
async function canvasPixels(page: Page, index: number): Promise<number[]> {
  return page.evaluate((position) => {
    const canvas = document.querySelector(
      `.batch .result[data-index="${position}"] canvas`,
    ) as HTMLCanvasElement;
    const { width, height } = canvas;
    return Array.from(canvas.getContext('2d')!.getImageData(0, 0, width, height).data);
  }, index);
}

beforeAll(async () => {
  const executablePath = ensureChromium();
  scratch = await mkdtemp(join(tmpdir(), 'ratlip-playground-e2e-'));
  await mkdir(resultsFolder, { recursive: true });
  await buildSite(appFolder);
  model = await exportTestModel(scratch);
  server = await startStaticServer({
    root: join(appFolder, 'dist'),
    mounts: { '/models/': join(scratch, 'models') },
  });
  context = await chromium.launchPersistentContext(join(scratch, 'chromium-profile'), {
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1100, height: 900 },
  });
  context.on('request', (request) => requestedUrls.push(request.url()));
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
});

describe('the built playground in headless Chromium', () => {
  it.each(['wasm', 'webgl'] as const)(
    'generates images for a caption on %s, equal to Node, not blank, different across seeds',
    async (backend) => {
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`${server.url}?model=${E2E_MODEL_ID}&backend=${backend}`);
      const loaded = (await waitForState(page, ['ready', 'error'])).loaded!;
      expect(loaded.backend.name).toBe(backend);
      expect(loaded.model.name).toBe(model.manifest.name);
      expect(await page.locator('#examples button').allTextContents()).toEqual(model.manifest.sampleCaptions);

      await page.fill('#caption', CAPTION);
      await page.fill('#seed', String(SEED));
      await page.fill('#count', String(COUNT));
      const first = await generate(page, () => page.click('#generate'), SEED);
      const second = await generate(page, () => page.click('#new-seeds'), SEED + COUNT);

      const reference = await model.referenceImages(CAPTION, SEED, COUNT);
      const parity = maxAbsoluteDifference(first, reference);
      console.log(
        `e2e ${backend}: max |page - node| = ${parity.value.toExponential(2)} over ${first.length} values`,
      );
      expect(parity.value).toBeLessThanOrEqual(PIXEL_TOLERANCE);

      for (let index = 0; index < COUNT; index++) {
        expect(standardDeviation(imageValues(first, index, COUNT))).toBeGreaterThan(MIN_IMAGE_SPREAD);
        expect(
          meanAbsoluteDifference(imageValues(first, index, COUNT), imageValues(second, index, COUNT)),
        ).toBeGreaterThan(MIN_SEED_DIFFERENCE);
      }
      expect(
        meanAbsoluteDifference(imageValues(first, 0, COUNT), imageValues(first, 1, COUNT)),
      ).toBeGreaterThan(MIN_SEED_DIFFERENCE);

      // What the page draws is the generated pixels.
      const { width, height } = model;
      const drawn = await canvasPixels(page, 0);
      expect(drawn).toEqual([...imageToRgba(Float32Array.from(second), 0, width, height)]);
      expect(await page.locator('.batch').count()).toBe(2);
      await expect(page.locator('#generate-status').textContent()).resolves.toMatch(
        new RegExp(`^${COUNT} images in \\d+\\.\\d\\d s on ${backend}`),
      );

      await page.screenshot({ path: join(resultsFolder, `playground-${backend}.png`), fullPage: true });
      expect(pageErrors).toEqual([]);
      await page.close();
    },
  );

  it('loads an exported folder opened as local files', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}?backend=wasm`);
    await waitForState(page, ['ready', 'error']);
    const files = [
      WEB_MODEL_MANIFEST_FILE,
      ...WEB_MODEL_FILE_ROLES.map((role) => model.manifest.files[role].path),
    ];
    await page.setInputFiles(
      '#model-files',
      files.map((file) => join(model.folder, file)),
    );
    await page.waitForFunction(
      () => window.ratlipPlayground?.loaded?.model.label === 'local files',
      undefined,
      {
        timeout: 240_000,
      },
    );
    expect(await page.inputValue('#model-select')).toBe('local-files');
    await waitForState(page, ['ready', 'error']);
    await page.fill('#caption', CAPTION);
    await page.fill('#seed', String(SEED));
    await page.fill('#count', String(COUNT));
    const local = await generate(page, () => page.click('#generate'), SEED);
    const reference = await model.referenceImages(CAPTION, SEED, COUNT);
    expect(maxAbsoluteDifference(local, reference).value).toBeLessThanOrEqual(PIXEL_TOLERANCE);
    await page.close();
  });

  it('works offline once loaded (service worker)', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}?model=${E2E_MODEL_ID}&backend=wasm`);
    await waitForState(page, ['ready', 'error']);
    // The first visit installs the service worker; the next one runs under it and fills its cache.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await waitForState(page, ['ready', 'error']);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await context.setOffline(true);
    try {
      await page.reload();
      const loaded = (await waitForState(page, ['ready', 'error'])).loaded!;
      expect(loaded.backend.name).toBe('wasm');
      await page.fill('#caption', CAPTION);
      await page.fill('#seed', String(SEED));
      await page.fill('#count', String(COUNT));
      const offline = await generate(page, () => page.click('#generate'), SEED);
      const reference = await model.referenceImages(CAPTION, SEED, COUNT);
      expect(maxAbsoluteDifference(offline, reference).value).toBeLessThanOrEqual(PIXEL_TOLERANCE);
    } finally {
      await context.setOffline(false);
      await page.close();
    }
  });

  it('sent no request outside the page origin', () => {
    const origin = new URL(server.url).origin;
    const elsewhere = requestedUrls.filter(
      (url) => !url.startsWith('blob:') && !url.startsWith('data:') && new URL(url).origin !== origin,
    );
    expect(requestedUrls.length).toBeGreaterThan(0);
    expect(elsewhere).toEqual([]);
    expect(server.requests).toContain(`/models/${E2E_MODEL_ID}/${model.manifest.files.generator.path}`);
    expect(server.requests).toContain('/tfjs-wasm/tfjs-backend-wasm-simd.wasm');
  });
  it('opens on the default model served with the app (public/models) and generates with it', async () => {
    const index = parseModelIndexText(
      await readFile(join(appFolder, 'dist', 'models', 'index.json'), 'utf8'),
      'dist/models/index.json',
    );
    const served = index.models[0];
    expect(served, 'the app serves a default model').toBeDefined();
    const plain = await startStaticServer({ root: join(appFolder, 'dist') });
    const page = await context.newPage();
    try {
      await page.goto(`${plain.url}?backend=wasm`);
      const loaded = (await waitForState(page, ['ready', 'error'])).loaded!;
      expect(loaded.model.name).toBe(served!.name);
      await page.fill('#caption', CAPTION);
      await page.fill('#seed', String(SEED));
      await page.fill('#count', String(COUNT));
      const first = await generate(page, () => page.click('#generate'), SEED);
      const second = await generate(page, () => page.click('#new-seeds'), SEED + COUNT);
      for (let image = 0; image < COUNT; image++) {
        expect(standardDeviation(imageValues(first, image, COUNT))).toBeGreaterThan(MIN_IMAGE_SPREAD);
        expect(
          meanAbsoluteDifference(imageValues(first, image, COUNT), imageValues(second, image, COUNT)),
        ).toBeGreaterThan(MIN_SEED_DIFFERENCE);
      }
      await page.screenshot({ path: join(resultsFolder, 'playground-default-model.png'), fullPage: true });
    } finally {
      await page.close();
      await plain.close();
    }
  });
});
