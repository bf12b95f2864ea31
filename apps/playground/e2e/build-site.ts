import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Runs `vite build` for the app in a child process, exactly as `pnpm build` does. A child process
 * because the test runner sets NODE_ENV=test, which would make an in-process build a development
 * build (no service worker registration, no minification).
 */
export async function buildSite(appFolder: string): Promise<void> {
  const viteBin = join(
    dirname(createRequire(join(appFolder, 'package.json')).resolve('vite/package.json')),
    'bin',
    'vite.js',
  );
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], {
      cwd: appFolder,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`e2e: vite build failed (exit ${code}):\n${output.join('')}`);
}
