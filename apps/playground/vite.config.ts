import { defaultClientConditions, defineConfig } from 'vite';
import { precacheList } from './build-plugins/precache-list.ts';
import { tfjsWasmAssets } from './build-plugins/tfjs-wasm-assets.ts';

/**
 * Workspace packages resolve to their TypeScript sources through the `@ratlip/source` export
 * condition (no package build needed); the worker bundle uses the same resolve options. `base: './'`
 * makes the static site work from any folder of any host.
 */
export default defineConfig({
  base: './',
  resolve: { conditions: ['@ratlip/source', ...defaultClientConditions] },
  worker: { format: 'es' },
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs',
      '@ratlip/runtime > @tensorflow/tfjs-backend-wasm',
      '@ratlip/runtime > @tensorflow/tfjs-backend-webgpu',
    ],
  },
  plugins: [tfjsWasmAssets(), precacheList()],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    rolldownOptions: {
      input: { index: 'index.html', sw: 'src/service-worker.ts' },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
