import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CliIO } from '../cli-io';
import type { StopSignal } from './train-run';

/** Signals that stop a training loop gracefully, with the exit code of a second one (128 + number). */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Runs a training loop with Ctrl-C (SIGINT) and SIGTERM (`kill`, `docker stop`, a job scheduler)
 * wired to its stop signal: the first one asks the loop to stop after the current step (and says so
 * on `io.stderr`), a second one exits the process at once with 128 + the signal's number. The
 * handlers are removed when `run` settles.
 */
export async function withInterruptSignal<T>(io: CliIO, run: (stop: StopSignal) => Promise<T>): Promise<T> {
  const stop: StopSignal = { stopRequested: false };
  const handlers = Object.entries(STOP_SIGNALS).map(([signal, exitCode]) => {
    const onSignal = () => {
      if (stop.stopRequested) process.exit(exitCode);
      stop.stopRequested = true;
      io.stderr.write(
        `\n${signal}: stopping after this step and writing a checkpoint (again to quit at once)\n`,
      );
    };
    process.on(signal, onSignal);
    return [signal, onSignal] as const;
  });
  try {
    return await run(stop);
  } finally {
    for (const [signal, onSignal] of handlers) process.off(signal, onSignal);
  }
}

/**
 * Whether a stop was requested, after letting the event loop turn once. A training loop whose batches
 * are ready awaits only settled promises, which never reach the event loop, so signal handlers (and
 * any other callback) would wait for the next file write; a loop calls this once per step instead.
 */
export async function stopRequested(stop: StopSignal): Promise<boolean> {
  await nextTurn();
  return stop.stopRequested;
}
