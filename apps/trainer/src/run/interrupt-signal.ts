import type { CliIO } from '../cli-io';
import type { StopSignal } from './train-run';

/** Exit code of a process ended by SIGINT (128 + 2), used on the second Ctrl-C. */
const INTERRUPTED_EXIT_CODE = 130;

/**
 * Runs a training loop with Ctrl-C wired to its stop signal: the first SIGINT asks the loop to stop
 * after the current step (and says so on `io.stderr`), a second one exits the process at once with
 * code 130. The SIGINT handler is removed when `run` settles.
 */
export async function withInterruptSignal<T>(io: CliIO, run: (stop: StopSignal) => Promise<T>): Promise<T> {
  const stop: StopSignal = { stopRequested: false };
  const onInterrupt = () => {
    if (stop.stopRequested) process.exit(INTERRUPTED_EXIT_CODE);
    stop.stopRequested = true;
    io.stderr.write('\nstopping after this step and writing a checkpoint (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onInterrupt);
  try {
    return await run(stop);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
