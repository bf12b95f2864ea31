/**
 * Side-by-side benchmark (issue 6): the `ratlip-tiny` training step and sampling batch in RATLIP.js on
 * wasm and in the PyTorch twin `bench/torch/ratlip_tiny.py` (same architecture and config, random weights
 * and data), plus a kernel profile of one TF.js step split into phases. Prints a table and writes
 * `bench/results/side-by-side.json` at the repository root.
 *
 *   pnpm bench:side-by-side          (repository root)
 *
 * Environment: SIDE_BY_SIDE_STEPS (TF.js steps, default 10), SIDE_BY_SIDE_SAMPLES (default 10),
 * SIDE_BY_SIDE_TORCH_STEPS (default 10), SIDE_BY_SIDE_PROFILE_STEPS (default 3), SIDE_BY_SIDE_PYTHON (interpreter; default /usr/bin/python3
 * then python3). The PyTorch part is skipped with a message when no interpreter imports torch.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomNormalTensor, SeededRandom, useBackend } from '@ratlip/runtime';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import type { ResolvedRatlipConfig } from '../src/config/config-schema';
import { resolveConfig } from '../src/config/resolve-config';
import { namedTrainableVariables } from '../src/model/named-tensors';
import { netCForward } from '../src/model/net-c';
import { netDForward } from '../src/model/net-d';
import type { RatlipGan } from '../src/model/ratlip-gan';
import {
  generatorLosses,
  hingeFakeLoss,
  hingeRealLoss,
  matchingAwareGradientPenalty,
  rollBatch,
} from '../src/train/losses';
import { RatlipTrainer } from '../src/train/ratlip-trainer';
import { createBenchModel } from './bench-model';
import { KernelTimer, type KernelTimerReport } from './kernel-timer';

const PRESET = 'ratlip-tiny';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TORCH_SCRIPT = join(ROOT, 'bench', 'torch', 'ratlip_tiny.py');
const RESULTS = join(ROOT, 'bench', 'results');

const envInt = (name: string, fallback: number) => {
  const value = process.env[name];
  return value ? Number.parseInt(value, 10) : fallback;
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const mb = (bytes: number) => round(bytes / 2 ** 20);

/** Linear memory of the wasm module, when the backend exposes it. */
function wasmHeapBytes(): number | undefined {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.byteLength;
}

/**
 * The trainer's step rebuilt from the same exported pieces, with phase labels for the kernel timer:
 * the labels switch exactly where tfjs moves from a forward function to its backward pass.
 */
function instrumentedStep(
  model: RatlipGan,
  trainer: RatlipTrainer,
  images: tf.Tensor4D,
  sentences: tf.Tensor2D,
  noiseRandom: SeededRandom,
  timer: KernelTimer,
): void {
  const { netD, netC } = model.requireDiscriminator();
  const training = model.config.training;
  const gVariables = [...namedTrainableVariables(model.netG, 'netG.').values()];
  const dVariables = [
    ...namedTrainableVariables(netD, 'netD.').values(),
    ...namedTrainableVariables(netC, 'netC.').values(),
  ];
  const noise = randomNormalTensor(noiseRandom, [images.shape[0], model.config.generator.noiseDim]);
  tf.tidy(() => {
    timer.setPhase('1 CLIP on reals (forward)');
    const real = model.encodeImages(images);
    const gStep = tf.variableGrads(() => {
      timer.setPhase('2 G forward + CLIP on fakes');
      const fake = model.generator(noise, sentences, { training: true });
      const fakeFeatures = model.encodeImages(fake);
      const dStep = tf.variableGrads(() => {
        timer.setPhase('3 D forward on reals (MA-GP input)');
        const batch = sentences.shape[0];
        const run = (f: tf.Tensor, s: tf.Tensor): tf.Tensor4D => {
          const d = netDForward(netD, f);
          const out = tf.concat([netCForward(netC, d, s), netCForward(netC, d, rollBatch(s, 1))], 0);
          timer.setPhase('4 MA-GP input gradients (1st backward)');
          return out as tf.Tensor4D;
        };
        const upstream = tf.concat([tf.ones([batch, 1, 1, 1]), tf.zeros([batch, 1, 1, 1])], 0) as tf.Tensor4D;
        const { value, grads } = tf.valueAndGrads(run)([real.localFeatures, sentences], upstream);
        timer.setPhase('5 D losses forward (penalty, hinge, fakes)');
        const [predReal, predMismatch] = tf.split(value, 2, 0);
        const maGp = matchingAwareGradientPenalty(grads[0]!, grads[1]!, {
          weight: training.maGpWeight,
          power: training.maGpPower,
        }).penalty;
        const fakeLoss = hingeFakeLoss(
          netCForward(netC, netDForward(netD, fakeFeatures.localFeatures), sentences),
        );
        const total = tf.add(
          tf.add(hingeRealLoss(predReal!), tf.mul(tf.add(fakeLoss, hingeFakeLoss(predMismatch!)), 0.5)),
          maGp,
        ) as tf.Scalar;
        timer.setPhase('6 D backward (incl. MA-GP double backprop)');
        return total;
      }, dVariables);
      timer.setPhase('7 D Adam');
      trainer.optimizerD.apply(dStep.grads);
      tf.dispose([dStep.value, ...Object.values(dStep.grads)]);
      timer.setPhase('8 G losses forward (D on fakes, CLIP cos)');
      const g = generatorLosses(
        netD,
        netC,
        fakeFeatures.localFeatures,
        fakeFeatures.embedding,
        sentences,
        training.clipLossWeight,
      );
      timer.setPhase('9 G backward (through D, CLIP, mapper)');
      return g.total;
    }, gVariables);
    timer.setPhase('10 G Adam');
    trainer.optimizerG.apply(gStep.grads);
    tf.dispose([gStep.value, ...Object.values(gStep.grads)]);
  });
  noise.dispose();
}

interface TfjsResult {
  backend: { name: string; threads: number | undefined; simd: boolean | undefined; tfjs: string };
  batchSize: number;
  steps: number;
  trainStepMs: { median: number; min: number; samples: number[] };
  sampleMs: { median: number; min: number };
  imagesPerSecond: number;
  peakRssMb: number;
  wasmHeapMb: number | undefined;
  tfMemoryMb: number;
  tensorCounts: { afterEachStep: number[]; flat: boolean };
  parameterCounts: { generator: number; discriminator: number };
}

interface ProfileResult {
  stepWallMs: number;
  kernelCalls: number;
  kernelSelfMs: number;
  outsideKernelsMs: number;
  phases: { phase: string; calls: number; kernelMs: number; wallMs: number; share: number }[];
  topKernelsByTime: { kernel: string; calls: number; selfMs: number; share: number }[];
  topKernelsByCalls: { kernel: string; calls: number; selfMs: number }[];
  /** The slowest `phase | kernel [input shapes]` combinations. */
  topCallSites: { site: string; calls: number; selfMs: number; msPerCall: number }[];
}

/** Per-step averages of a timer report over `steps` profiled steps. */
function summariseProfile(report: KernelTimerReport, wallMs: number, steps: number): ProfileResult {
  const perStep = <T extends { calls: number; selfMs: number }>(t: T): T => ({
    ...t,
    calls: t.calls / steps,
    selfMs: t.selfMs / steps,
  });
  const stepWallMs = wallMs / steps;
  const kernels = [...report.kernels.entries()].map(([kernel, t]) => ({ kernel, ...perStep(t) }));
  const kernelSelfMs = kernels.reduce((a, k) => a + k.selfMs, 0);
  const kernelCalls = kernels.reduce((a, k) => a + k.calls, 0);
  return {
    stepWallMs: round(stepWallMs),
    kernelCalls,
    kernelSelfMs: round(kernelSelfMs),
    outsideKernelsMs: round(stepWallMs - kernelSelfMs),
    phases: [...report.phases.entries()]
      .filter(([phase]) => phase !== 'unlabelled')
      .map(([phase, t]) => ({
        phase,
        calls: t.calls / steps,
        kernelMs: round(t.selfMs / steps),
        wallMs: round(t.wallMs / steps),
        share: round(t.wallMs / wallMs, 3),
      })),
    topKernelsByTime: [...kernels]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, 20)
      .map((k) => ({
        kernel: k.kernel,
        calls: k.calls,
        selfMs: round(k.selfMs),
        share: round(k.selfMs / kernelSelfMs, 3),
      })),
    topKernelsByCalls: [...kernels]
      .sort((a, b) => b.calls - a.calls)
      .slice(0, 12)
      .map((k) => ({ kernel: k.kernel, calls: k.calls, selfMs: round(k.selfMs) })),
    topCallSites: [...report.callSites.entries()]
      .sort((a, b) => b[1].selfMs - a[1].selfMs)
      .slice(0, 40)
      .map(([site, t]) => ({
        site,
        calls: t.calls / steps,
        selfMs: round(t.selfMs / steps),
        msPerCall: round(t.selfMs / t.calls, 3),
      })),
  };
}

async function runTfjs(config: ResolvedRatlipConfig, steps: number, samples: number, profileSteps: number) {
  const info = await useBackend('wasm');
  const bench = createBenchModel(config);
  const {
    model,
    images,
    captions: { sentences },
  } = bench;
  const trainer = new RatlipTrainer(model);
  const { batchSize } = config.training;
  let peakWasmHeap = wasmHeapBytes() ?? 0;
  let peakTfBytes = 0;
  const notePeaks = () => {
    peakWasmHeap = Math.max(peakWasmHeap, wasmHeapBytes() ?? 0);
    peakTfBytes = Math.max(peakTfBytes, tf.memory().numBytes);
  };
  trainer.step({ images, sentences });
  const stepMs: number[] = [];
  const afterEachStep: number[] = [tf.memory().numTensors];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    trainer.step({ images, sentences });
    stepMs.push(performance.now() - start);
    afterEachStep.push(tf.memory().numTensors);
    notePeaks();
  }

  const timer = new KernelTimer();
  const noiseRandom = new SeededRandom(5);
  instrumentedStep(model, trainer, images, sentences, noiseRandom, new KernelTimerSink());
  timer.start('0 setup');
  const profileStart = performance.now();
  for (let i = 0; i < profileSteps; i++) {
    instrumentedStep(model, trainer, images, sentences, noiseRandom, timer);
  }
  const profileWall = performance.now() - profileStart;
  const profile = summariseProfile(timer.stop(), profileWall, profileSteps);
  afterEachStep.push(tf.memory().numTensors);

  const sample = () => {
    const out = model.generate({ sentenceEmbeddings: sentences, seed: 3 });
    out.dataSync();
    out.dispose();
  };
  sample();
  const sampleMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    sample();
    sampleMs.push(performance.now() - start);
    notePeaks();
  }
  const counts = model.parameterCounts();
  trainer.dispose();
  bench.dispose();
  const sampleMedian = median(sampleMs);
  const result: TfjsResult = {
    backend: { name: info.name, threads: info.threads, simd: info.simd, tfjs: info.tfjsVersion },
    batchSize,
    steps,
    trainStepMs: {
      median: round(median(stepMs)),
      min: round(Math.min(...stepMs)),
      samples: stepMs.map((s) => round(s)),
    },
    sampleMs: { median: round(sampleMedian), min: round(Math.min(...sampleMs)) },
    imagesPerSecond: round(batchSize / (sampleMedian / 1000)),
    peakRssMb: round(process.resourceUsage().maxRSS / 1024),
    wasmHeapMb: peakWasmHeap ? mb(peakWasmHeap) : undefined,
    tfMemoryMb: mb(peakTfBytes),
    tensorCounts: { afterEachStep, flat: afterEachStep.every((n) => n === afterEachStep[0]) },
    parameterCounts: { generator: counts.generator, discriminator: counts.discriminator },
  };
  return { result, profile };
}

/** A timer that records nothing (the warm-up of the instrumented step). */
class KernelTimerSink extends KernelTimer {
  override setPhase(): void {}
}

function findPython(): { python: string; torch: string } | { skipped: string } {
  const candidates = process.env.SIDE_BY_SIDE_PYTHON
    ? [process.env.SIDE_BY_SIDE_PYTHON]
    : ['/usr/bin/python3', 'python3'];
  const tried: string[] = [];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, torch: probe.stdout.trim() };
    tried.push(`${python}: ${(probe.error?.message ?? probe.stderr.trim().split('\n').pop()) || 'failed'}`);
  }
  return { skipped: `PyTorch part skipped: 'import torch' failed (${tried.join('; ')})` };
}

interface TorchRun {
  label: string;
  env: Record<string, string>;
  threads: number;
  result?: Record<string, unknown> & {
    trainStepMs: { median: number; min: number };
    sampleMs: { median: number; min: number };
    imagesPerSecond: number;
    peakRssMb: number;
    parameterCounts: { generator: number; discriminator: number };
  };
  error?: string;
}

function runTorch(python: string, configPath: string, steps: number, samples: number): TorchRun[] {
  const runs: TorchRun[] = [
    { label: '2 threads (OpenMP default wait policy)', env: {}, threads: 2 },
    { label: '2 threads, OMP_WAIT_POLICY=PASSIVE', env: { OMP_WAIT_POLICY: 'PASSIVE' }, threads: 2 },
    { label: '1 thread', env: {}, threads: 1 },
  ];
  for (const run of runs) {
    const args = [TORCH_SCRIPT, configPath, '--threads', String(run.threads)];
    args.push('--steps', String(steps), '--samples', String(samples), '--warmup', '2');
    const out = spawnSync(python, args, {
      encoding: 'utf8',
      env: { ...process.env, ...run.env },
      maxBuffer: 1 << 24,
    });
    if (out.status === 0) run.result = JSON.parse(out.stdout.trim().split('\n').pop()!);
    else run.error = (out.stderr || out.error?.message || 'failed').slice(-2000);
    console.log(`pytorch ${run.label}: ${run.result ? JSON.stringify(run.result) : run.error}`);
  }
  return runs;
}

it('runs the side-by-side benchmark (ratlip-tiny, TF.js wasm vs PyTorch)', async () => {
  const config = resolveConfig(PRESET);
  const steps = envInt('SIDE_BY_SIDE_STEPS', 10);
  const samples = envInt('SIDE_BY_SIDE_SAMPLES', 10);
  const loadBefore = loadavg().map((x) => round(x, 2));
  const profileSteps = envInt('SIDE_BY_SIDE_PROFILE_STEPS', 3);
  const { result: tfjs, profile } = await runTfjs(config, steps, samples, profileSteps);
  console.log(`tfjs: ${JSON.stringify(tfjs)}`);
  console.log(`profile: ${JSON.stringify(profile, null, 1)}`);

  mkdirSync(RESULTS, { recursive: true });
  const configPath = join(RESULTS, `${PRESET}.config.json`);
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const found = findPython();
  let torchRuns: TorchRun[] = [];
  let torchNote: string;
  if ('skipped' in found) {
    torchNote = found.skipped;
    console.log(torchNote);
  } else {
    torchNote = `${found.python}, torch ${found.torch}`;
    torchRuns = runTorch(found.python, configPath, envInt('SIDE_BY_SIDE_TORCH_STEPS', 10), samples);
  }
  const loadAfter = loadavg().map((x) => round(x, 2));

  const ok = torchRuns.filter((r) => r.result);
  const fastestStep = ok.reduce<TorchRun | undefined>(
    (best, r) => (!best || r.result!.trainStepMs.median < best.result!.trainStepMs.median ? r : best),
    undefined,
  );
  const fastestSample = ok.reduce<TorchRun | undefined>(
    (best, r) => (!best || r.result!.imagesPerSecond > best.result!.imagesPerSecond ? r : best),
    undefined,
  );
  const twoThreads = ok.find((r) => r.threads === 2 && !r.env.OMP_WAIT_POLICY);
  const ratios = {
    trainStepVsFastestTorch: fastestStep
      ? round(tfjs.trainStepMs.median / fastestStep.result!.trainStepMs.median, 2)
      : null,
    samplingVsFastestTorch: fastestSample
      ? round(fastestSample.result!.imagesPerSecond / tfjs.imagesPerSecond, 2)
      : null,
    trainStepVsTorch2Threads: twoThreads
      ? round(tfjs.trainStepMs.median / twoThreads.result!.trainStepMs.median, 2)
      : null,
    samplingVsTorch2Threads: twoThreads
      ? round(twoThreads.result!.imagesPerSecond / tfjs.imagesPerSecond, 2)
      : null,
    // Minimum over the runs: the least disturbed by other processes on a shared machine.
    trainStepMinVsFastestTorchMin: ok.length
      ? round(tfjs.trainStepMs.min / Math.min(...ok.map((r) => r.result!.trainStepMs.min)), 2)
      : null,
    samplingMinVsFastestTorchMin: ok.length
      ? round(tfjs.sampleMs.min / Math.min(...ok.map((r) => r.result!.sampleMs.min)), 2)
      : null,
  };
  const parameterCountsMatch = ok.every(
    (r) =>
      r.result!.parameterCounts.generator === tfjs.parameterCounts.generator &&
      r.result!.parameterCounts.discriminator === tfjs.parameterCounts.discriminator,
  );

  const row = (name: string, step: string, sample: string, ips: string, mem: string) =>
    `${name.padEnd(46)} ${step.padStart(12)} ${sample.padStart(11)} ${ips.padStart(10)} ${mem.padStart(16)}`;
  const lines = [
    `Side by side: ${PRESET}, batch ${tfjs.batchSize}, ${config.generator.outputSize} px (load ${loadBefore.join(' ')} -> ${loadAfter.join(' ')})`,
    row('', 'ms/step', 'ms/sample', 'images/s', 'peak memory MB'),
    row(
      `TF.js ${tfjs.backend.name} (threads ${tfjs.backend.threads ?? '?'}, simd ${tfjs.backend.simd ?? '?'})`,
      String(tfjs.trainStepMs.median),
      String(tfjs.sampleMs.median),
      String(tfjs.imagesPerSecond),
      `rss ${tfjs.peakRssMb} heap ${tfjs.wasmHeapMb ?? '?'}`,
    ),
    ...torchRuns.map((r) =>
      r.result
        ? row(
            `PyTorch ${r.label}`,
            String(r.result.trainStepMs.median),
            String(r.result.sampleMs.median),
            String(r.result.imagesPerSecond),
            `rss ${r.result.peakRssMb}`,
          )
        : row(`PyTorch ${r.label}`, 'failed', '', '', ''),
    ),
    ok.length
      ? `ratios (TF.js / PyTorch): train step ${ratios.trainStepVsFastestTorch}x vs fastest (${fastestStep?.label}), ` +
        `${ratios.trainStepVsTorch2Threads ?? '-'}x vs 2 threads; sampling ${ratios.samplingVsFastestTorch}x slower vs fastest ` +
        `(${fastestSample?.label}), ${ratios.samplingVsTorch2Threads ?? '-'}x vs 2 threads; ` +
        `best-of-run (min/min): train ${ratios.trainStepMinVsFastestTorchMin}x, sampling ${ratios.samplingMinVsFastestTorchMin}x. ` +
        'Goal: <= 3x and <= 1.5x.'
      : torchNote,
    `parameters: TF.js G ${tfjs.parameterCounts.generator} D+C ${tfjs.parameterCounts.discriminator}; ` +
      `PyTorch ${ok.map((r) => `G ${r.result!.parameterCounts.generator} D+C ${r.result!.parameterCounts.discriminator}`)[0] ?? '-'}` +
      ` (${ok.length ? (parameterCountsMatch ? 'equal' : 'DIFFERENT') : 'not compared'})`,
    `tensor counts over ${steps + profileSteps + 1} steps after warm-up: ${tfjs.tensorCounts.flat ? 'flat' : 'NOT flat'} (${[...new Set(tfjs.tensorCounts.afterEachStep)].join(', ')})`,
    `TF.js profile, per step over ${profileSteps} steps (${profile.kernelCalls} kernels, ${profile.kernelSelfMs} ms in kernels, ${profile.outsideKernelsMs} ms outside, wall ${profile.stepWallMs} ms):`,
    ...profile.phases.map(
      (p) =>
        `  ${p.phase.padEnd(46)} ${String(p.wallMs).padStart(8)} ms wall ${String(p.kernelMs).padStart(8)} ms kernels ${String(p.calls).padStart(6)} calls`,
    ),
    '  top kernels by self time:',
    ...profile.topKernelsByTime
      .slice(0, 12)
      .map(
        (k) =>
          `    ${k.kernel.padEnd(28)} ${String(k.selfMs).padStart(8)} ms ${String(k.calls).padStart(6)} calls ${(k.share * 100).toFixed(1).padStart(5)}%`,
      ),
  ];
  console.log(lines.join('\n'));
  const out = join(RESULTS, 'side-by-side.json');
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        benchmark: 'side-by-side',
        preset: PRESET,
        description:
          'One RATLIP training iteration (CLIP on reals, G forward, D step with MA-GP double backprop, G step on the same fake) and one eval-mode sampling batch; random weights and data.',
        machine: { loadBefore, loadAfter, node: process.version },
        tfjs,
        pytorch: { interpreter: torchNote, runs: torchRuns },
        ratios,
        parameterCountsMatch,
        profile,
        date: new Date().toISOString(),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`written ${out}`);
  expect(tfjs.tensorCounts.flat).toBe(true);
  if (ok.length) expect(parameterCountsMatch).toBe(true);
});
