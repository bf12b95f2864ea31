import { describe, expect, it } from 'vitest';
import { SeededRandom } from './seeded-random';

function stream(rng: SeededRandom, count = 64): number[] {
  return Array.from({ length: count }, () => rng.nextUint32());
}

function meanAndStd(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    squares += values[i]! ** 2;
  }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(squares / values.length - mean ** 2) };
}

describe('SeededRandom', () => {
  it('is xoshiro128** (reference outputs from the state [1, 2, 3, 4])', () => {
    const rng = new SeededRandom(0);
    rng.setState([1, 2, 3, 4]);
    expect(stream(rng, 6)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('is fully determined by the seed, and seeds that differ in any bit differ', () => {
    expect(stream(new SeededRandom(42))).toEqual(stream(new SeededRandom(42)));
    const seeds = [0, 1, -1, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1, -(2 ** 53 - 1), 42];
    const streams = seeds.map((seed) => stream(new SeededRandom(seed), 4).join(','));
    expect(new Set(streams).size).toBe(seeds.length);
  });

  it('rejects seeds that are not safe integers', () => {
    for (const seed of [0.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY]) {
      expect(() => new SeededRandom(seed)).toThrow(/seed must be a safe integer/);
    }
  });

  it('restores a saved state mid-stream exactly, whatever was drawn before', () => {
    const rng = new SeededRandom(2024);
    rng.uniform();
    rng.normal();
    rng.normal();
    rng.normal();
    rng.shuffle([1, 2, 3, 4, 5]);
    rng.int(10);
    const saved = rng.getState();
    const draw = (r: SeededRandom) => [
      r.normal(),
      r.uniform(),
      ...r.normalArray(5),
      r.int(1000),
      ...r.permutation(6),
    ];
    const continued = draw(rng);
    const resumed = new SeededRandom(1);
    resumed.setState(saved);
    expect(draw(resumed)).toEqual(continued);
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
  });

  it('validates states', () => {
    const rng = new SeededRandom(1);
    expect(() => rng.setState([1, 2, 3] as unknown as [number, number, number, number])).toThrow(
      /state must be four unsigned 32-bit integers/,
    );
    expect(() => rng.setState([1, 2, 3, 2 ** 32])).toThrow(/four unsigned 32-bit integers/);
    expect(() => rng.setState([0, 0, 0, 0])).toThrow(/all-zero state is not valid/);
  });

  it('draws uniform values in [0, 1) with the right moments', () => {
    const rng = new SeededRandom(5);
    const values = Float64Array.from({ length: 100_000 }, () => rng.uniform());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const { mean, std } = meanAndStd(values);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(std - Math.sqrt(1 / 12))).toBeLessThan(0.01);
    const ranged = rng.uniformArray(10_000, -3, 5);
    expect(Math.min(...ranged)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...ranged)).toBeLessThan(5);
    expect(Math.abs(meanAndStd(ranged).mean - 1)).toBeLessThan(0.1);
  });

  it('draws standard normal values (normal and normalArray)', () => {
    const rng = new SeededRandom(6);
    for (const values of [
      Float64Array.from({ length: 50_000 }, () => rng.normal()),
      rng.normalArray(50_001),
    ]) {
      const { mean, std } = meanAndStd(values);
      expect(Math.abs(mean)).toBeLessThan(0.02);
      expect(Math.abs(std - 1)).toBeLessThan(0.02);
      const withinOneSigma = Array.from(values).filter((v) => Math.abs(v) < 1).length / values.length;
      expect(Math.abs(withinOneSigma - 0.6827)).toBeLessThan(0.01);
      expect(values.every(Number.isFinite)).toBe(true);
    }
  });

  it('draws integers in [0, n) uniformly and checks n', () => {
    const rng = new SeededRandom(7);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 50_000; i++) counts[rng.int(10)]!++;
    for (const count of counts) expect(Math.abs(count - 5000)).toBeLessThan(300);
    expect(rng.int(1)).toBe(0);
    for (const n of [0, -1, 1.5, 2 ** 32 + 1])
      expect(() => rng.int(n)).toThrow(/n must be an integer in \[1, 2\^32\]/);
  });

  it('shuffles into permutations, each order about equally often', () => {
    const rng = new SeededRandom(8);
    const items = Array.from({ length: 100 }, (_, i) => `item${i}`);
    const shuffled = rng.shuffle([...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort()).toEqual([...items].sort());
    const permutation = rng.permutation(1000);
    expect([...permutation].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const orders = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const key = rng.shuffle([0, 1, 2]).join('');
      orders.set(key, (orders.get(key) ?? 0) + 1);
    }
    expect(orders.size).toBe(6);
    for (const count of orders.values()) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });

  it('forks deterministic, independent streams', () => {
    const a = new SeededRandom(9);
    const b = new SeededRandom(9);
    const forkA = a.fork();
    expect(stream(forkA)).toEqual(stream(b.fork()));
    expect(stream(a)).toEqual(stream(b));
    expect(stream(forkA, 8)).not.toEqual(stream(a, 8));
  });
});
