import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.safetensors': 'application/octet-stream',
};

/** A running static server. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>/`. */
  url: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Options of {@link startStaticServer}. */
export interface StaticServerOptions {
  /** Folder served at `/` (the built site). */
  root: string;
  /** Extra folders served under URL prefixes, e.g. `{ '/models/': modelsDir }`; they win over `root`. */
  mounts?: Record<string, string>;
}

function resolveFile(folder: string, relative: string): string | undefined {
  const path = normalize(join(folder, relative));
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep) ? path : undefined;
}

/**
 * A tiny static file server on 127.0.0.1 (random free port) with node:http alone, for the e2e test:
 * GET and HEAD of files, `index.html` for folders, 404 otherwise, no caching headers.
 */
export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const requests: string[] = [];
  const mounts = Object.entries(options.mounts ?? {}).sort(([a], [b]) => b.length - a.length);
  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
      requests.push(path);
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405).end();
        return;
      }
      const mount = mounts.find(([prefix]) => path.startsWith(prefix));
      let file =
        mount === undefined
          ? resolveFile(options.root, path)
          : resolveFile(mount[1], path.slice(mount[0].length));
      let info = file === undefined ? undefined : await stat(file).catch(() => undefined);
      if (file !== undefined && info?.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file).catch(() => undefined);
      }
      if (file === undefined || info === undefined || !info.isFile()) {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
        return;
      }
      response.writeHead(200, {
        'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': String(info.size),
        'Cache-Control': 'no-store',
      });
      if (request.method === 'HEAD') response.end();
      else createReadStream(file).pipe(response);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
