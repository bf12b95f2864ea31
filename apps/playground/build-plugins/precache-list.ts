import type { Plugin } from 'vite';

/**
 * Writes `precache.json`, the list of every file of the build (relative paths), which the service
 * worker caches on install so the app works offline. Runs after the other plugins have emitted their
 * files; the service worker itself and source maps are left out.
 */
export function precacheList(): Plugin {
  return {
    name: 'ratlip-precache-list',
    apply: 'build',
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const files = Object.keys(bundle)
          .filter((fileName) => fileName !== 'sw.js' && !fileName.endsWith('.map'))
          .sort();
        this.emitFile({
          type: 'asset',
          fileName: 'precache.json',
          source: `${JSON.stringify(files, null, 2)}\n`,
        });
      },
    },
  };
}
