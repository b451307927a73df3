// Origin checks on WebSocket upgrades and SockJS requests (--allowed-origin; docs/PROTOCOL.md).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import WebSocket from 'ws';

import { httpGet, useServer } from './helpers.mjs';

const T = { timeout: 10_000 };

// Resolves with the HTTP status of the upgrade answer: 101 when the WebSocket opened.
function upgradeStatus(url, origin) {
  return new Promise((resolve, reject) => {
    const headers = origin ? { Origin: origin } : {};
    const ws = new WebSocket(url, ['v12.stomp'], { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode);
    });
    ws.on('error', (e) => {
      if (!/Unexpected server response/.test(e.message)) reject(e);
    });
  });
}

describe('origin checks, default policy', () => {
  const srv = useServer();

  test('another site may not open /ws, /stomp/websocket or a SockJS websocket (403)', T, async () => {
    const ws = `ws://127.0.0.1:${srv.port}`;
    for (const path of ['/ws', '/stomp/websocket', '/stomp/000/abcd/websocket']) {
      assert.equal(await upgradeStatus(`${ws}${path}`, 'https://evil.example'), 403, path);
    }
  });

  test('same origin, localhost dev servers and clients without Origin may', T, async () => {
    const ws = `ws://127.0.0.1:${srv.port}/ws`;
    assert.equal(await upgradeStatus(ws, `http://127.0.0.1:${srv.port}`), 101);
    assert.equal(await upgradeStatus(ws, 'http://localhost:3000'), 101);
    assert.equal(await upgradeStatus(ws, undefined), 101);
  });

  test('SockJS HTTP requests from another site are refused; from the seed dev server allowed', T, async () => {
    const evil = await httpGet(`${srv.httpUrl}/stomp/info`, { Origin: 'https://evil.example' });
    assert.equal(evil.status, 403);
    const dev = await httpGet(`${srv.httpUrl}/stomp/info`, { Origin: 'http://localhost:3000' });
    assert.equal(dev.status, 200);
    assert.equal(dev.headers.get('access-control-allow-origin'), 'http://localhost:3000');
  });

  test('a refused origin is counted in /metrics', T, async () => {
    await upgradeStatus(`ws://127.0.0.1:${srv.port}/ws`, 'https://evil.example');
    const metrics = (await httpGet(`${srv.httpUrl}/metrics`)).text;
    assert.match(metrics, /parley_errors_total\{reason="origin_rejected"\} [1-9]/);
  });
});

describe('origin checks with --allowed-origin', () => {
  const srv = useServer({ allowedOrigin: 'https://meet.example.org' });

  test('only the listed origin (and clients without Origin) may connect', T, async () => {
    const ws = `ws://127.0.0.1:${srv.port}/ws`;
    assert.equal(await upgradeStatus(ws, 'https://meet.example.org'), 101);
    assert.equal(await upgradeStatus(ws, 'http://localhost:3000'), 403);
    assert.equal(await upgradeStatus(ws, `http://127.0.0.1:${srv.port}`), 403);
    assert.equal(await upgradeStatus(ws, undefined), 101);
  });
});
