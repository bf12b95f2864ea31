import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendInfo } from '@ratlip/runtime';

/**
 * Writes a benchmark's figures to `<repository>/bench/results/<name>.json` with the backend, Node
 * version and date they were measured on, and says where.
 * @returns the file written.
 */
export function writeBenchResults(
  name: string,
  description: string,
  backend: BackendInfo,
  results: readonly unknown[],
): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const out = join(root, 'bench', 'results', `${name}.json`);
  mkdirSync(dirname(out), { recursive: true });
  const record = {
    benchmark: name,
    description,
    backend: { name: backend.name, threads: backend.threads, simd: backend.simd, tfjs: backend.tfjsVersion },
    results,
    node: process.version,
    date: new Date().toISOString(),
  };
  writeFileSync(out, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`written ${out}`);
  return out;
}
