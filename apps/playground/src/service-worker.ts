/**
 * Offline support. On install it caches the app shell listed in `precache.json` (written at build);
 * afterwards every same-origin GET goes to the network first and falls back to the cache, so the
 * page, its code, the wasm binaries and every model already loaded work without a connection while
 * updates still arrive when online. Requests to other origins are left alone (the app makes none).
 */

const CACHE_NAME = 'ratlip-playground-v1';
const PRECACHE_LIST = 'precache.json';

interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

interface FetchEventLike extends ExtendableEventLike {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}

/** The parts of the service worker global scope used here (the DOM lib types `self` as a Window). */
interface ServiceWorkerScopeLike {
  readonly location: Location;
  readonly registration: { readonly scope: string };
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEventLike) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEventLike) => void): void;
}

const scope = self as unknown as ServiceWorkerScopeLike;

async function precache(): Promise<void> {
  const listUrl = new URL(PRECACHE_LIST, scope.registration.scope);
  const response = await fetch(listUrl, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${listUrl.href} answered HTTP ${response.status}`);
  const paths = (await response.json()) as string[];
  const cache = await caches.open(CACHE_NAME);
  await cache.addAll(['./', ...paths].map((path) => new URL(path, scope.registration.scope).href));
}

async function networkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE_NAME);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
    if (cached !== undefined) return cached;
    throw error;
  }
}

scope.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => scope.skipWaiting()));
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((name) => name !== CACHE_NAME).map((name) => caches.delete(name))),
      )
      .then(() => scope.clients.claim()),
  );
});

scope.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== scope.location.origin) return;
  event.respondWith(networkFirst(request));
});
