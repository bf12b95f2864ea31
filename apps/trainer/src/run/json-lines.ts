import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The objects of a JSON-lines file, in order; a missing file is empty and unreadable lines are skipped. */
export function readJsonLines(path: string): Array<Record<string, unknown>> {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .flatMap((line) => {
      try {
        const value: unknown = JSON.parse(line);
        return value !== null && typeof value === 'object' && !Array.isArray(value)
          ? [value as Record<string, unknown>]
          : [];
      } catch {
        return [];
      }
    });
}

/** Appends `record` as one line of JSON. */
export function appendJsonLine(path: string, record: object): void {
  appendFileSync(path, `${JSON.stringify(record)}\n`);
}

/**
 * Keeps only the records whose numeric `step` is at most `step` (and drops unreadable lines): what a
 * run resumed from the checkpoint at `step` must not keep of the sitting that was lost.
 */
export function truncateJsonLinesAfter(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readJsonLines(path).filter(
    (record) => typeof record['step'] === 'number' && record['step'] <= step,
  );
  writeFileSync(path, kept.map((record) => `${JSON.stringify(record)}\n`).join(''));
}
