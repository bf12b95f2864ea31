import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium, which the e2e test drives (playwright-core never downloads a browser here). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a quiet, reproducible headless Chromium: no sandbox (root in CI), no GPU process (WebGL
 * runs on SwiftShader through ANGLE), and no background requests (updates, sync, QUIC, first run).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) {
    throw new Error(`e2e: \`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`);
  }
}

/**
 * Makes sure Debian's `chromium` package is installed: installs it with apt-get when missing and
 * running as root (CI), otherwise throws saying how to install it. Never downloads a browser build.
 */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `e2e: ${CHROMIUM_PATH} is missing; install Debian's chromium: sudo apt-get install -y chromium`,
    );
  }
  console.log(`e2e: ${CHROMIUM_PATH} is missing; installing Debian's chromium package with apt-get`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`e2e: apt-get installed chromium but ${CHROMIUM_PATH} is still missing`);
  return CHROMIUM_PATH;
}
