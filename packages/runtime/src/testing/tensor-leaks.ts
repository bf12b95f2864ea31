import * as tf from '@tensorflow/tfjs';

/**
 * Test helpers that count tfjs tensors around a function and fail when it leaves more behind than
 * it returns. Tensors inside the returned value (a tensor, or arrays / objects / Maps / Sets of
 * them, at any depth) are not leaks: the caller owns and disposes them.
 */

/** Options of {@link countTensorsDuring} and {@link expectNoTensorLeak}. */
export interface TensorLeakOptions {
  /** Names the function in error messages. Default `'function'`. */
  label?: string;
  /** Tensors allowed to remain besides the returned ones (e.g. a cache filled once). Default 0. */
  allowed?: number;
  /**
   * Do not count newly created `tf.Variable`s as leaks (first optimizer step, lazily built
   * weights). Default false: a variable made on every call usually is a leak.
   */
  allowNewVariables?: boolean;
}

/** What {@link countTensorsDuring} measured. */
export interface TensorLeakReport<T> {
  result: T;
  /** `tf.memory().numTensors` before and after the call. */
  before: number;
  after: number;
  /** Tensors created during the call and returned in `result` (still alive). */
  returned: number;
  /** Variables registered during the call and not returned. */
  newVariables: number;
  /** `after - before - returned` (minus `newVariables` when allowed); above `allowed` is a leak. */
  leaked: number;
}

function collectTensors(value: unknown, found: Set<tf.Tensor>, seen: Set<object>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof tf.Tensor) {
    found.add(value);
    return;
  }
  if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) collectTensors(item, found, seen);
    return;
  }
  if (value instanceof Map) {
    for (const item of value.values()) collectTensors(item, found, seen);
    return;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    for (const item of Object.values(value)) collectTensors(item, found, seen);
  }
}

interface Snapshot {
  before: number;
  /** Tensor ids are increasing: anything with a larger id was created during the call. */
  lastIdBefore: number;
  variablesBefore: Set<string>;
}

function takeSnapshot(): Snapshot {
  const probe = tf.scalar(0);
  const lastIdBefore = probe.id;
  probe.dispose();
  return {
    before: tf.memory().numTensors,
    lastIdBefore,
    variablesBefore: new Set(Object.keys(tf.engine().registeredVariables)),
  };
}

function report<T>(snapshot: Snapshot, result: T, options: TensorLeakOptions): TensorLeakReport<T> {
  const after = tf.memory().numTensors;
  const found = new Set<tf.Tensor>();
  collectTensors(result, found, new Set());
  const returnedNew = [...found].filter((t) => !t.isDisposed && t.id > snapshot.lastIdBefore);
  const returnedNames = new Set(
    returnedNew.filter((t) => t instanceof tf.Variable).map((t) => (t as tf.Variable).name),
  );
  const newVariables = Object.keys(tf.engine().registeredVariables).filter(
    (name) => !snapshot.variablesBefore.has(name) && !returnedNames.has(name),
  ).length;
  const leaked =
    after - snapshot.before - returnedNew.length - (options.allowNewVariables ? newVariables : 0);
  return { result, before: snapshot.before, after, returned: returnedNew.length, newVariables, leaked };
}

/**
 * Runs `fn` (sync or async) and reports how many tensors it left behind besides those it returned.
 * Never throws for leaks; errors of `fn` propagate.
 */
export function countTensorsDuring<T>(
  fn: () => Promise<T>,
  options?: TensorLeakOptions,
): Promise<TensorLeakReport<T>>;
export function countTensorsDuring<T>(fn: () => T, options?: TensorLeakOptions): TensorLeakReport<T>;
export function countTensorsDuring<T>(
  fn: () => T | Promise<T>,
  options: TensorLeakOptions = {},
): TensorLeakReport<T> | Promise<TensorLeakReport<T>> {
  const snapshot = takeSnapshot();
  const result = fn();
  if (result instanceof Promise) return result.then((value) => report(snapshot, value, options));
  return report(snapshot, result, options);
}

function check<T>(leakReport: TensorLeakReport<T>, options: TensorLeakOptions): T {
  const allowed = options.allowed ?? 0;
  if (leakReport.leaked > allowed) {
    const label = options.label ?? 'function';
    const variables =
      leakReport.newVariables > 0 && !options.allowNewVariables
        ? `, ${leakReport.newVariables} of them new variables (pass allowNewVariables if intended)`
        : '';
    throw new Error(
      `${label} leaked ${leakReport.leaked} tensor(s)${variables}: numTensors went ${leakReport.before} -> ${leakReport.after} with ${leakReport.returned} returned${allowed ? `, ${allowed} allowed` : ''}`,
    );
  }
  return leakReport.result;
}

/**
 * Runs `fn` (sync or async) and throws if it leaves more tensors than it returns (plus `allowed`).
 * Returns what `fn` returns; dispose returned tensors yourself.
 *
 * @example
 * ```ts
 * const out = expectNoTensorLeak(() => model.apply(x), { label: 'forward' });
 * out.dispose();
 * await expectNoTensorLeak(() => trainer.step(batch), { allowNewVariables: true });
 * ```
 */
export function expectNoTensorLeak<T>(fn: () => Promise<T>, options?: TensorLeakOptions): Promise<T>;
export function expectNoTensorLeak<T>(fn: () => T, options?: TensorLeakOptions): T;
export function expectNoTensorLeak<T>(
  fn: () => T | Promise<T>,
  options: TensorLeakOptions = {},
): T | Promise<T> {
  const measured = countTensorsDuring(fn as () => T, options);
  if (measured instanceof Promise) {
    return (measured as Promise<TensorLeakReport<T>>).then((value) => check(value, options));
  }
  return check(measured, options);
}
