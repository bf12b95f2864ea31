import './styles.css';
import { PlaygroundApp, parsePageQuery } from './app/playground-app';
import { WorkerClient } from './app/worker-client';
import { TFJS_WASM_FOLDER } from './tfjs-wasm-folder';

/** Offline support: the service worker caches the page, its code and the models it has loaded. */
function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker
    .register(new URL('sw.js', document.baseURI), { scope: './' })
    .catch((error: unknown) => {
      console.warn('RATLIP playground: offline support is off, the service worker did not register:', error);
    });
}

const worker = new Worker(new URL('./worker.ts', import.meta.url), {
  type: 'module',
  name: 'ratlip-generator',
});
const app = new PlaygroundApp(
  new WorkerClient(worker),
  document.baseURI,
  new URL(`${TFJS_WASM_FOLDER}/`, document.baseURI).href,
);
registerServiceWorker();
void app.start(parsePageQuery(location.search));
