/**
 * Tokenizer throughput on a CUB-200-2011-sized caption set (11,788 images x 10 captions), generated
 * deterministically in the style of the Reed et al. bird captions. Prints a summary and writes
 * bench/results/clip-tokenizer.json at the repository root.
 *
 *   pnpm --filter @ratlip/clip bench
 *
 * "Cold" runs start from an empty word cache (a new tokenizer over the already decoded merges);
 * "warm" runs reuse a tokenizer that has seen every caption once.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ClipTokenizer } from '../src/tokenizer/clip-tokenizer';

const IMAGES = 11_788;
const CAPTIONS_PER_IMAGE = 10;
const REPEATS = 3;
const SEED = 2011;

/** Small deterministic generator (mulberry32), so every run tokenizes the same captions. */
function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SUBJECTS = [
  'this bird',
  'the bird',
  'a small bird',
  'this little bird',
  'a medium sized bird',
  'the small bird',
];
const COLOURS = [
  'red',
  'blue',
  'yellow',
  'white',
  'black',
  'brown',
  'grey',
  'orange',
  'green',
  'tan',
  'buff',
  'olive',
];
const SHADES = ['bright', 'dark', 'light', 'pale', 'dull', 'vivid'];
const PARTS = [
  'crown',
  'wings',
  'belly',
  'breast',
  'throat',
  'nape',
  'rump',
  'tail',
  'eyering',
  'back',
  'head',
  'cheek patch',
  'wingbars',
  'tarsus',
  'feet',
  'supercilium',
  'secondaries',
  'rectrices',
  'malar stripe',
  'flanks',
];
const BEAKS = [
  'a short pointed beak',
  'a long curved bill',
  'a thick cone shaped beak',
  'a tiny black bill',
  'a hooked orange beak',
  'a flat wide bill',
];
const PATTERNS = ['spotted', 'striped', 'speckled', 'mottled', 'streaked', 'barred'];

const ONSETS = [
  'b',
  'br',
  'c',
  'ch',
  'd',
  'f',
  'g',
  'gr',
  'h',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  'st',
  't',
  'th',
  'v',
  'w',
  'y',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ee', 'oo', 'ai'];
const CODAS = ['', '', 'n', 'r', 'l', 'ck', 'ng', 'st', 'sh', 'd'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A pronounceable made-up word, standing in for the long tail of rare words and names in real captions. */
function rareWord(random: () => number): string {
  let word = '';
  const syllables = 1 + Math.floor(random() * 3);
  for (let syllable = 0; syllable < syllables; syllable++) {
    word += pick(random, ONSETS) + pick(random, VOWELS) + pick(random, CODAS);
  }
  return word;
}

/** Real captions have typos: drop, double or swap a letter in about one word in 40. */
function withTypos(random: () => number, text: string): string {
  return text.replace(/[a-z]{4,}/g, (word) => {
    if (random() >= 0.025) return word;
    const at = 1 + Math.floor(random() * (word.length - 2));
    const edits = [
      () => word.slice(0, at) + word.slice(at + 1),
      () => word.slice(0, at) + word[at] + word.slice(at),
      () => word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2),
    ];
    return pick(random, edits)();
  });
}

function colour(random: () => number): string {
  return random() < 0.3 ? `${pick(random, SHADES)} ${pick(random, COLOURS)}` : pick(random, COLOURS);
}

function caption(random: () => number): string {
  const subject = pick(random, SUBJECTS);
  const templates = [
    () =>
      `${subject} has a ${colour(random)} ${pick(random, PARTS)} and ${colour(random)} ${pick(random, PARTS)}.`,
    () =>
      `${subject} has ${pick(random, BEAKS)}, a ${colour(random)} ${pick(random, PARTS)} and a ${pick(random, PATTERNS)} ${pick(random, PARTS)}`,
    () =>
      `this is a ${colour(random)} bird with a ${colour(random)} ${pick(random, PARTS)} and ${pick(random, BEAKS)}.`,
    () =>
      `a ${colour(random)} and ${colour(random)} bird with ${pick(random, PATTERNS)} ${pick(random, PARTS)} and ${colour(random)} ${pick(random, PARTS)}`,
    () =>
      `The bird's ${pick(random, PARTS)} is ${colour(random)}, its ${pick(random, PARTS)} isn't ${colour(random)} & it has ${pick(random, BEAKS)}.`,
    () =>
      `${subject} is mostly ${colour(random)} with ${pick(random, PATTERNS)} ${pick(random, PARTS)}, ${colour(random)} ${pick(random, PARTS)}, and ${pick(random, BEAKS)} that is ${colour(random)}`,
  ];
  let text = withTypos(random, pick(random, templates)());
  if (random() < 0.05)
    text = `${text} it looks like a ${rareWord(random)} ${pick(random, ['bird', 'warbler', 'sparrow', 'finch'])}.`;
  return random() < 0.15 ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

function captions(): string[] {
  const random = makeRandom(SEED);
  return Array.from({ length: IMAGES * CAPTIONS_PER_IMAGE }, () => caption(random));
}

interface Timing {
  /** Wall-clock seconds. */
  wall: number;
  /** CPU seconds of this process (user + system), less sensitive to other load on a shared machine. */
  cpu: number;
}

function time(run: () => void): Timing {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  run();
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function repositoryRoot(): string {
  let directory = process.cwd();
  while (!existsSync(join(directory, 'pnpm-workspace.yaml'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no pnpm-workspace.yaml above ${process.cwd()}`);
    directory = parent;
  }
  return directory;
}

function round(value: number, digits = 4): number {
  return Number(value.toFixed(digits));
}

async function main(): Promise<void> {
  const texts = captions();
  const loadStart = performance.now();
  const first = await ClipTokenizer.load();
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const tokenizeAll = (tokenizer: ClipTokenizer) => tokenizer.tokenize(texts, { truncate: true });

  // The very first pass also pays for compiling the code paths.
  const coldFirst = time(() => tokenizeAll(first));
  const cold: Timing[] = [];
  const warm: Timing[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    const fresh = await ClipTokenizer.load();
    cold.push(time(() => tokenizeAll(fresh)));
    warm.push(time(() => tokenizeAll(fresh)));
  }
  const batch = tokenizeAll(first);
  const tokens = batch.lengths.reduce((sum, length) => sum + length - 2, 0);
  const coldWall = median(cold.map((timing) => timing.wall));
  const warmWall = median(warm.map((timing) => timing.wall));
  const result = {
    benchmark: 'clip-tokenizer',
    description: 'ClipTokenizer.tokenize(captions, { truncate: true }) over synthetic CUB-style captions',
    captions: texts.length,
    distinctWords: first.cachedWordCount,
    bpeTokens: tokens,
    meanTokensPerCaption: round(tokens / texts.length, 2),
    vocabularyLoadSeconds: round(loadSeconds),
    coldFirstRunSeconds: round(coldFirst.wall),
    coldSeconds: round(coldWall),
    coldCpuSeconds: round(median(cold.map((timing) => timing.cpu))),
    warmSeconds: round(warmWall),
    warmCpuSeconds: round(median(warm.map((timing) => timing.cpu))),
    coldCaptionsPerSecond: Math.round(texts.length / coldWall),
    warmCaptionsPerSecond: Math.round(texts.length / warmWall),
    repeats: REPEATS,
    node: process.version,
    date: new Date().toISOString(),
  };
  const directory = join(repositoryRoot(), 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const path = join(directory, 'clip-tokenizer.json');
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `clip tokenizer: ${texts.length} captions, ${result.distinctWords} distinct words, ${tokens} tokens\n` +
      `  vocabulary load ${(loadSeconds * 1000).toFixed(0)} ms\n` +
      `  cold cache ${coldWall.toFixed(3)} s, ${result.coldCaptionsPerSecond} captions/s (CPU ${result.coldCpuSeconds} s; very first run ${coldFirst.wall.toFixed(3)} s)\n` +
      `  warm cache ${warmWall.toFixed(3)} s, ${result.warmCaptionsPerSecond} captions/s (CPU ${result.warmCpuSeconds} s)\n` +
      `  written to ${path}`,
  );
}

await main();
