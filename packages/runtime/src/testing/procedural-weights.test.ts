import { describe, expect, it } from 'vitest';
import { listFixtures, readFixture } from './fixtures';
import { fnv1a32, proceduralUniform, proceduralValues } from './procedural-weights';

type Rules = Record<string, [number, number]>;

/** One check: the tensor's hash key, its (offset, scale) rule, and the expected element 0. */
interface FirstValueCheck {
  key: string;
  hashKey: string;
  rule: [number, number] | undefined;
  expected: number;
}

/**
 * Collects first-value checks from a fixture's metadata in either scheme of the fixtures README:
 * `check_keys` + `rules` + tensor `check.first_values`, or `<net>_check` with `<net>_rules` and a
 * hash-key prefix (`<net>_hash_prefix`, or `<net>_hash_key` like 'prefix/<official key>'), where
 * NetG's `mapping.CLIP_ViT.<k>` keys use `clip_rules` and hash key `visual.<k>`.
 */
function collectChecks(relative: string): FirstValueCheck[] {
  const file = readFixture(relative);
  const metadata = file.metadata;
  const checks: FirstValueCheck[] = [];
  if (metadata['check_keys'] && metadata['rules'] && file.has('check.first_values')) {
    const keys = JSON.parse(metadata['check_keys']) as string[];
    const rules = JSON.parse(metadata['rules']) as Rules;
    const firsts = file.float32('check.first_values');
    for (const [i, key] of keys.entries())
      checks.push({ key, hashKey: key, rule: rules[key], expected: firsts[i]! });
  }
  for (const [field, value] of Object.entries(metadata)) {
    const net = /^(\w+)_check$/.exec(field)?.[1];
    if (!net) continue;
    const rules = JSON.parse(metadata[`${net}_rules`] ?? '{}') as Rules;
    const clipRules = JSON.parse(metadata['clip_rules'] ?? '{}') as Rules;
    const prefix =
      metadata[`${net}_hash_prefix`] ?? (metadata[`${net}_hash_key`] ?? '').replace(/<[^>]*>$/, '');
    for (const [key, expected] of Object.entries(JSON.parse(value) as Record<string, number>)) {
      const clipKey = /^mapping\.CLIP_ViT\.(.+)$/.exec(key)?.[1];
      if (clipKey !== undefined) {
        checks.push({ key, hashKey: `visual.${clipKey}`, rule: clipRules[`visual.${clipKey}`], expected });
      } else {
        checks.push({ key, hashKey: `${prefix}${key}`, rule: rules[key], expected });
      }
    }
  }
  return checks;
}

const withChecks = listFixtures('.safetensors').filter((relative) => collectChecks(relative).length > 0);

describe('proceduralValues', () => {
  it('implements FNV-1a 32 and the counter hash', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    for (let i = 0; i < 1000; i++) {
      const u = proceduralUniform(12345, i);
      expect(u).toBeGreaterThanOrEqual(-1);
      expect(u).toBeLessThan(1);
      expect(Number.isInteger((u + 1) * 2 ** 23)).toBe(true);
    }
  });

  it('finds fixtures with check values (the vit_b32 and netG files at least)', () => {
    expect(withChecks.length).toBeGreaterThanOrEqual(2);
  });

  it.each(withChecks)('%s: regenerates element 0 of every checked tensor bit-exactly', (relative) => {
    const checks = collectChecks(relative);
    for (const { key, hashKey, rule, expected } of checks) {
      expect(rule, `rule of ${key}`).toBeDefined();
      const [offset, scale] = rule!;
      expect(proceduralValues(hashKey, 1, offset, scale)[0], key).toBe(Math.fround(expected));
    }
  });

  it('returns `count` float32 values, each rounded once from the double formula', () => {
    const values = proceduralValues('visual.conv1.weight', 5, 0.5, 0.25);
    const seed = fnv1a32('visual.conv1.weight');
    expect(values.length).toBe(5);
    for (const [i, value] of values.entries())
      expect(value).toBe(Math.fround(0.5 + 0.25 * proceduralUniform(seed, i)));
  });
});
