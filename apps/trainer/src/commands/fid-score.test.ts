import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { npyArray } from '@ratlip/runtime';
import { saveNpzFile } from '@ratlip/runtime/node';
import { readJsonFixture } from '@ratlip/runtime/testing';
import { describe, expect, it } from 'vitest';
import { errorLine, runCaptured, temporaryFolder } from '../run-cli.test-support';

interface FidCase {
  name: string;
  mu1: number[];
  sigma1: number[][];
  mu2: number[];
  sigma2: number[][];
  fid_symmetric_eig_f64: number;
  fid_pytorch_fid_scipy_sqrtm: number;
}

const folder = temporaryFolder();
let written = 0;

/** Writes mu [d] and sigma [d, d] (float64) as an npz and returns its path. */
async function statisticsFile(mu: readonly number[], sigma: readonly (readonly number[])[]): Promise<string> {
  const path = join(folder, `stats-${written++}.npz`);
  await saveNpzFile(path, {
    mu: npyArray(Float64Array.from(mu), [mu.length], 'f8'),
    sigma: npyArray(Float64Array.from(sigma.flat()), [mu.length, mu.length], 'f8'),
  });
  return path;
}

/** A diagonal covariance. */
function diagonal(values: readonly number[]): number[][] {
  return values.map((value, row) => values.map((_, column) => (row === column ? value : 0)));
}

async function score(a: string, b: string): Promise<number> {
  const run = await runCaptured(['fid', 'score', a, b]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^[-+\d.e]+\n$/);
  return Number(run.stdout);
}

describe('ratlip fid score', () => {
  it('equals |mu1 - mu2|^2 + (sqrt(s1) - sqrt(s2))^2 in 1-D', async () => {
    const a = await statisticsFile([1], [[4]]);
    const b = await statisticsFile([3], [[9]]);
    expect(await score(a, b)).toBeCloseTo(4 + 1, 12);
  });

  it('equals the closed form for 2x2 diagonal covariances', async () => {
    const a = await statisticsFile([0.5, -1], diagonal([2, 0.25]));
    const b = await statisticsFile([1.5, 2], diagonal([0.5, 1]));
    const expected = 1 + 9 + (Math.sqrt(2) - Math.sqrt(0.5)) ** 2 + (Math.sqrt(0.25) - 1) ** 2;
    expect(await score(a, b)).toBeCloseTo(expected, 12);
  });

  it('is 0 between a file and itself (up to rounding)', async () => {
    const a = await statisticsFile(
      [1, 2],
      [
        [2, 0.5],
        [0.5, 1],
      ],
    );
    expect(Math.abs(await score(a, a))).toBeLessThan(1e-12);
  });

  it.each(readJsonFixture<{ cases: FidCase[] }>('clip/fid64.json').cases)(
    'reproduces the fid64.json case $name to 1e-6 relative',
    async (fixture) => {
      const a = await statisticsFile(fixture.mu1, fixture.sigma1);
      const b = await statisticsFile(fixture.mu2, fixture.sigma2);
      const fid = await score(a, b);
      expect(Math.abs(fid - fixture.fid_symmetric_eig_f64)).toBeLessThanOrEqual(
        1e-6 * fixture.fid_symmetric_eig_f64,
      );
      expect(Math.abs(fid - fixture.fid_pytorch_fid_scipy_sqrtm)).toBeLessThanOrEqual(
        1e-6 * fixture.fid_pytorch_fid_scipy_sqrtm,
      );
    },
  );

  it('prints the full float64 value (String of the number)', async () => {
    const a = await statisticsFile([0], [[1]]);
    const b = await statisticsFile([0.1], [[2]]);
    const run = await runCaptured(['fid', 'score', a, b]);
    const expected = 0.1 ** 2 + (1 - Math.sqrt(2)) ** 2;
    expect(Number(run.stdout)).toBeCloseTo(expected, 14);
    expect(run.stdout.trim()).toBe(String(Number(run.stdout)));
    expect(run.stdout.trim().length).toBeGreaterThan(12);
  });

  it('prints {fid, a, b} with --json', async () => {
    const a = await statisticsFile([1], [[4]]);
    const b = await statisticsFile([3], [[9]]);
    const run = await runCaptured(['fid', 'score', '--json', a, b]);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as { fid: number; a: string; b: string };
    expect(Object.keys(parsed)).toEqual(['fid', 'a', 'b']);
    expect(parsed.fid).toBeCloseTo(5, 12);
    expect(parsed.a).toBe(a);
    expect(parsed.b).toBe(b);
  });

  it('accepts float32 statistics', async () => {
    const path = join(folder, 'float32.npz');
    await saveNpzFile(path, {
      mu: npyArray(Float32Array.from([3]), [1], 'f4'),
      sigma: npyArray(Float32Array.from([9]), [1, 1], 'f4'),
    });
    const a = await statisticsFile([1], [[4]]);
    expect(await score(a, path)).toBeCloseTo(5, 6);
  });
});

describe('ratlip fid score errors', () => {
  it('fails on a missing file, naming it', async () => {
    const a = await statisticsFile([1], [[1]]);
    const missing = join(folder, 'absent.npz');
    const run = await runCaptured(['fid', 'score', a, missing]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toBe(`ratlip fid score: statistics file not found: ${missing}`);
  });

  it('fails on statistics of different widths', async () => {
    const a = await statisticsFile([1], [[1]]);
    const b = await statisticsFile([1, 2], diagonal([1, 1]));
    const run = await runCaptured(['fid', 'score', a, b]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toBe(
      `ratlip fid score: ${a} holds 1-d statistics but ${b} holds 2-d: they come from different feature extractors`,
    );
  });

  it('fails on a sigma whose shape does not match mu', async () => {
    const path = join(folder, 'bad-sigma.npz');
    await saveNpzFile(path, {
      mu: npyArray(new Float64Array(2), [2], 'f8'),
      sigma: npyArray(new Float64Array(6), [2, 3], 'f8'),
    });
    const run = await runCaptured(['fid', 'score', path, path]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toBe(
      `ratlip fid score: ${path}: 'sigma' has shape [2, 3], expected [2, 2] to match 'mu'`,
    );
  });

  it('fails on an npz without mu, listing what it holds', async () => {
    const path = join(folder, 'features.npz');
    await saveNpzFile(path, { features: npyArray(new Float32Array(4), [2, 2], 'f4') });
    const run = await runCaptured(['fid', 'score', path, path]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toContain("no array named 'mu' (the archive holds: features)");
  });

  it('fails on a file that is not an npz', async () => {
    const path = join(folder, 'text.npz');
    writeFileSync(path, 'mu = 1, sigma = 2');
    const run = await runCaptured(['fid', 'score', path, path]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toMatch(new RegExp(`^ratlip fid score: ${path.replace(/[.\\]/g, '\\$&')}: `));
  });

  it('fails on non-finite statistics', async () => {
    const a = await statisticsFile([Number.NaN], [[1]]);
    const run = await runCaptured(['fid', 'score', a, a]);
    expect(run.code).toBe(1);
    expect(errorLine(run)).toBe(`ratlip fid score: ${a}: mu holds NaN at flat index 0`);
  });

  it('rejects a missing argument and unknown options with exit code 2', async () => {
    const one = await runCaptured(['fid', 'score', 'a.npz']);
    expect(one.code).toBe(2);
    expect(errorLine(one)).toBe(
      "ratlip fid score: missing required argument 'b.npz' (usage: ratlip fid score [options] <a.npz> <b.npz>)",
    );
    const unknown = await runCaptured(['fid', 'score', '--precision', '3', 'a.npz', 'b.npz']);
    expect(unknown.code).toBe(2);
    expect(errorLine(unknown)).toBe(
      "ratlip fid score: unknown option '--precision' (options: --json, -h, --help)",
    );
  });
});
