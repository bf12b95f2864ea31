import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  type BackendInfo,
  type ConcreteBackendName,
  leakyRelu,
  SeededRandom,
  useBackend,
} from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';

/** The benchmarked network: batch 8 of 64x64 RGB images, four convolutions, a linear head, Adam. */
export const convTrainStepModel = {
  batch: 8,
  height: 64,
  width: 64,
  channels: 3,
  /** [filterSize, inChannels, outChannels, stride] per 'same' convolution, each followed by leakyRelu(0.2). */
  convolutions: [
    [3, 3, 32, 1],
    [4, 32, 64, 2],
    [4, 64, 128, 2],
    [3, 128, 128, 1],
  ] as const,
  optimizer: 'adam(lr 1e-4, betas 0, 0.9)',
  loss: 'mean(softplus(-logit)) on mean-pooled features',
};

/** Timings of one backend. */
export interface ConvTrainStepResult {
  backend: ConcreteBackendName;
  threads: number;
  simd: boolean | null;
  packageVersion: string;
  steps: number;
  msPerStepMedian: number;
  msPerStepMin: number;
  msPerStepMax: number;
  warmupSteps: number;
  /** ms of the untimed warm-up steps together. */
  warmupMs: number;
}

interface Network {
  variables: tf.Variable[];
  images: tf.Tensor4D;
  step(): number;
  dispose(): void;
}

function buildNetwork(seed: number): Network {
  const random = new SeededRandom(seed);
  const { batch, height, width, channels, convolutions } = convTrainStepModel;
  const normal = (shape: number[], scale: number) =>
    tf.variable(
      tf.tensor(
        random.normalArray(tf.util.sizeFromShape(shape)).map((value) => value * scale),
        shape,
      ),
    );
  const filters = convolutions.map(([size, inChannels, outChannels]) =>
    normal([size, size, inChannels, outChannels], Math.sqrt(2 / (size * size * inChannels))),
  );
  const biases = convolutions.map(([, , outChannels]) => tf.variable(tf.zeros([outChannels])));
  const lastChannels = convolutions[convolutions.length - 1]![2];
  const head = normal([lastChannels, 1], 1 / Math.sqrt(lastChannels));
  const images = tf.tensor4d(random.normalArray(batch * height * width * channels), [
    batch,
    height,
    width,
    channels,
  ]);
  const variables = [...filters, ...biases, head];
  const optimizer = tf.train.adam(1e-4, 0, 0.9);
  const loss = (): tf.Scalar => {
    let h: tf.Tensor4D = images;
    convolutions.forEach(([, , , stride], index) => {
      h = leakyRelu(tf.add(tf.conv2d(h, filters[index] as tf.Tensor4D, stride, 'same'), biases[index]!), 0.2);
    });
    const logits = tf.matMul(tf.mean(h, [1, 2]), head as tf.Tensor2D);
    return tf.mean(tf.softplus(tf.neg(logits)));
  };
  return {
    variables,
    images,
    step: () =>
      tf.tidy(() => {
        const value = optimizer.minimize(loss, true, variables) as tf.Scalar;
        return value.dataSync()[0]!;
      }),
    dispose: () => {
      optimizer.dispose();
      tf.dispose([...variables, images]);
    },
  };
}

/**
 * Median, min and max of `steps` timed train steps on `backend`, after `warmupSteps` untimed ones
 * (wasm sets up XNNPACK operators on first use; cpu has nothing to warm up and is too slow to waste
 * a step on).
 */
export async function measureConvTrainStep(
  backend: ConcreteBackendName,
  steps: number,
  warmupSteps: number,
): Promise<ConvTrainStepResult> {
  const info: BackendInfo = await useBackend(backend);
  const network = buildNetwork(1);
  const warmupStart = performance.now();
  for (let index = 0; index < warmupSteps; index++) network.step();
  const warmupMs = performance.now() - warmupStart;
  const times: number[] = [];
  for (let index = 0; index < steps; index++) {
    const start = performance.now();
    const loss = network.step();
    times.push(performance.now() - start);
    if (!Number.isFinite(loss)) throw new Error(`conv train step on ${backend}: loss became ${loss}`);
  }
  network.dispose();
  const sorted = [...times].sort((a, b) => a - b);
  return {
    backend,
    threads: info.threads,
    simd: info.simd ?? null,
    packageVersion: info.packageVersion,
    steps,
    warmupSteps,
    msPerStepMedian: sorted[Math.floor(sorted.length / 2)]!,
    msPerStepMin: sorted[0]!,
    msPerStepMax: sorted[sorted.length - 1]!,
    warmupMs,
  };
}

/** The repository root: the folder holding pnpm-workspace.yaml, above `from`. */
export function repositoryRoot(from: string = process.cwd()): string {
  let directory = resolve(from);
  while (!existsSync(join(directory, 'pnpm-workspace.yaml'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`bench: no pnpm-workspace.yaml above ${from}`);
    directory = parent;
  }
  return directory;
}

/** A fixed-width text table of the results, with each backend's speed-up over cpu. */
export function formatTable(results: ConvTrainStepResult[]): string {
  const cpu = results.find((result) => result.backend === 'cpu');
  const header = ['backend', 'threads', 'simd', 'steps', 'ms/step (median)', 'min', 'max', 'vs cpu'];
  const rows = results.map((result) => [
    result.backend,
    String(result.threads),
    result.simd === null ? '-' : String(result.simd),
    String(result.steps),
    result.msPerStepMedian.toFixed(1),
    result.msPerStepMin.toFixed(1),
    result.msPerStepMax.toFixed(1),
    cpu === undefined ? '-' : `${(cpu.msPerStepMedian / result.msPerStepMedian).toFixed(1)}x`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('-|-'), ...rows.map(line)].join('\n');
}

/** Writes the figures to `<repository>/bench/results/runtime-conv-train-step.json`; returns the path. */
export function saveResults(results: ConvTrainStepResult[], skipped: Record<string, string>): string {
  const path = join(repositoryRoot(), 'bench', 'results', 'runtime-conv-train-step.json');
  mkdirSync(dirname(path), { recursive: true });
  const report = {
    benchmark: 'runtime-conv-train-step',
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    tfjs: tf.version_core,
    model: convTrainStepModel,
    results,
    skipped,
  };
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}
