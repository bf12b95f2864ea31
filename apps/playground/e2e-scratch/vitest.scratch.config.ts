import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../vitest.config.ts';
export default mergeConfig(base, defineConfig({
  resolve: { alias: { '@ratlip/ratlip-gan': fileURLToPath(new URL('./gan-shim.ts', import.meta.url)) } },
  test: { include: ['e2e-scratch/*.e2e.ts'], outputFile: { json: '/tmp/scratch-vitest.json' } },
}));
