import * as tf from '@tensorflow/tfjs';

/**
 * A wall-clock timer around every kernel the tfjs engine runs (its internal `runKernelFunc`, which
 * forward ops, gradient functions and custom gradients all go through), with nested kernels' time
 * subtracted (self time) and every kernel attributed to the current phase label. Backends that run
 * kernels synchronously (cpu, wasm) give exact times; with the timer on, each kernel costs two extra
 * `performance.now()` calls.
 */

/** Self time and calls of one kernel name (or of one phase). */
export interface KernelTotals {
  /** Kernel calls. */
  calls: number;
  /** Self time in ms (nested kernels excluded). */
  selfMs: number;
}

/** What {@link KernelTimer.stop} returns. */
export interface KernelTimerReport {
  /** Per kernel name. */
  kernels: Map<string, KernelTotals>;
  /** Per phase: kernel calls, kernel self time and wall time between phase switches (ms). */
  phases: Map<string, KernelTotals & { wallMs: number }>;
  /** Per `phase | kernel [input shapes]`, to find which call sites are slow. */
  callSites: Map<string, KernelTotals>;
}

interface KernelParams {
  kernelName?: string;
  inputs?: Record<string, { shape?: readonly number[] } | undefined>;
}

function shapesOf(params: KernelParams): string {
  return Object.values(params.inputs ?? {})
    .map((t) => `[${t?.shape?.join(',') ?? ''}]`)
    .join(' ');
}

interface EngineWithKernelFunc {
  runKernelFunc: (params: KernelParams) => unknown;
}

/** See the file comment. One timer at a time; {@link stop} restores the engine. */
export class KernelTimer {
  private readonly engine = tf.engine() as unknown as EngineWithKernelFunc;
  private readonly kernels = new Map<string, KernelTotals>();
  private readonly phases = new Map<string, KernelTotals & { wallMs: number }>();
  private readonly callSites = new Map<string, KernelTotals>();
  private phase = 'unlabelled';
  private phaseStart = performance.now();
  /** Time spent in children of the kernels currently on the stack. */
  private readonly childMs: number[] = [];
  private installed = false;
  private previous: EngineWithKernelFunc['runKernelFunc'] | undefined;

  /** Starts timing; `phase` labels the kernels until the next {@link setPhase}. */
  start(phase: string): void {
    if (this.installed) throw new Error('KernelTimer.start: already started');
    const engine = this.engine;
    const original = engine.runKernelFunc;
    this.previous = Object.hasOwn(engine, 'runKernelFunc') ? original : undefined;
    const wrapped = (params: KernelParams): unknown => {
      this.childMs.push(0);
      const begin = performance.now();
      try {
        return original.call(engine, params);
      } finally {
        const total = performance.now() - begin;
        const children = this.childMs.pop()!;
        if (this.childMs.length > 0) this.childMs[this.childMs.length - 1]! += total;
        this.add(params.kernelName ?? 'customGrad/forwardFunc', total - children, params);
      }
    };
    engine.runKernelFunc = wrapped;
    this.installed = true;
    this.setPhase(phase);
  }

  /** Closes the current phase's wall time and labels the following kernels `phase`. */
  setPhase(phase: string): void {
    const now = performance.now();
    this.phaseEntry(this.phase).wallMs += now - this.phaseStart;
    this.phase = phase;
    this.phaseStart = now;
  }

  /** Restores the engine and returns the totals (phases without kernels or time are dropped). */
  stop(): KernelTimerReport {
    if (!this.installed) throw new Error('KernelTimer.stop: not started');
    this.setPhase('unlabelled');
    if (this.previous) this.engine.runKernelFunc = this.previous;
    else delete (this.engine as Partial<EngineWithKernelFunc>).runKernelFunc;
    this.installed = false;
    for (const [name, totals] of this.phases) {
      if (totals.calls === 0 && totals.wallMs < 0.01) this.phases.delete(name);
    }
    return { kernels: this.kernels, phases: this.phases, callSites: this.callSites };
  }

  private phaseEntry(phase: string): KernelTotals & { wallMs: number } {
    let entry = this.phases.get(phase);
    if (!entry) {
      entry = { calls: 0, selfMs: 0, wallMs: 0 };
      this.phases.set(phase, entry);
    }
    return entry;
  }

  private add(kernel: string, selfMs: number, params: KernelParams): void {
    const bump = (map: Map<string, KernelTotals>, key: string) => {
      let entry = map.get(key);
      if (!entry) {
        entry = { calls: 0, selfMs: 0 };
        map.set(key, entry);
      }
      entry.calls += 1;
      entry.selfMs += selfMs;
    };
    bump(this.kernels, kernel);
    bump(this.callSites, `${this.phase} | ${kernel} ${shapesOf(params)}`);
    const phase = this.phaseEntry(this.phase);
    phase.calls += 1;
    phase.selfMs += selfMs;
  }
}
