import { afterEach, describe, expect, it, vi } from 'vitest';
import { withInterruptSignal } from './interrupt-signal';

function capturingIO() {
  const written: string[] = [];
  const io = { stdout: { write: () => undefined }, stderr: { write: (text: string) => written.push(text) } };
  return { io, written };
}

describe('withInterruptSignal', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s asks the loop to stop; a second one exits with %i; handlers go when the run settles',
    async (signal, exitCode) => {
      const listenersBefore = process.listenerCount(signal);
      const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
      const { io, written } = capturingIO();
      const result = await withInterruptSignal(io, async (stop) => {
        expect(stop.stopRequested).toBe(false);
        process.emit(signal);
        expect(stop.stopRequested).toBe(true);
        expect(exit).not.toHaveBeenCalled();
        process.emit(signal);
        expect(exit).toHaveBeenCalledWith(exitCode);
        return 'done';
      });
      expect(result).toBe('done');
      expect(written.join('')).toContain(`${signal}: stopping after this step and writing a checkpoint`);
      expect(process.listenerCount(signal)).toBe(listenersBefore);
    },
  );

  it('removes its handlers when the run fails', async () => {
    const listenersBefore = process.listenerCount('SIGTERM');
    const { io } = capturingIO();
    await expect(
      withInterruptSignal(io, async () => {
        throw new Error('broken step');
      }),
    ).rejects.toThrow('broken step');
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
  });
});
