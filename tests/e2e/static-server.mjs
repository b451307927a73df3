// The seed page's own web server (the seed's dev server on :3000): serves tests/e2e/seed-page/
// and @stomp/stompjs's UMD bundle on a loopback port of its own, so the page's origin differs
// from parley's and sockjs-client makes credentialed cross-origin requests.

import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pageDir = path.join(here, 'seed-page');
const routes = new Map([
  ['/', path.join(pageDir, 'index.html')],
  ['/index.html', path.join(pageDir, 'index.html')],
  ['/videochat.js', path.join(pageDir, 'videochat.js')],
  ['/vendor/stomp.umd.min.js', path.join(here, '..', 'node_modules', '@stomp', 'stompjs', 'bundles', 'stomp.umd.min.js')],
]);
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

// Resolves to {url, close()}.
export function startStaticServer() {
  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    const file = routes.get(pathname);
    if (req.method !== 'GET' || !file) {
      // no favicon: a 404 would be a console error in every page
      res.writeHead(pathname === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[path.extname(file)], 'cache-control': 'no-store' });
      res.end(body);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    }
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
