// Limits on connections, SockJS sessions, rooms, frames and requests (SECURITY.md): each refuses
// with a clear answer, is counted in parley_limit_hits_total{limit}, and frees its place when
// the holder goes. Other addresses keep being served. Clients come from 127.0.0.2/127.0.0.3
// (still loopback) because 127.0.0.1 is a trusted proxy by default, exempt per address.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';

import {
  getMetrics,
  metricValue,
  parseMetrics,
  rawStomp,
  roomDest,
  runUntilListening,
  sleep,
  uniqueRoom,
  useServer,
  withTimeout,
} from './helpers.mjs';

const limitHits = async (httpUrl, limit) =>
  metricValue(await getMetrics(httpUrl), 'parley_limit_hits_total', { limit }) ?? 0;

// A STOMP session over a raw WebSocket from `localAddress`.
async function stompFrom(srv, localAddress, name) {
  const raw = rawStomp(srv.url, { name, wsOptions: { localAddress } });
  await raw.connect();
  return raw;
}

// Resolves with how a WebSocket attempt from `localAddress` ended: 'open', or the error text.
function tryWebSocket(srv, localAddress) {
  const raw = rawStomp(srv.url, { name: `try-${localAddress}`, wsOptions: { localAddress } });
  return raw.opened.then(
    () => {
      raw.close();
      return 'open';
    },
    (err) => String(err.message ?? err),
  );
}

// One HTTP request with node:http (fetch cannot pick its source address).
function request(port, { method = 'GET', path: target = '/', headers = {}, body, localAddress }) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: target, headers, localAddress, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        // Streaming transports never end by themselves: the first chunk is enough.
        res.on('data', (chunk) => {
          text += chunk;
          if (res.statusCode === 200 && /xhr_streaming/.test(target)) {
            resolve({ status: res.statusCode, text, req });
          }
        });
        res.on('end', () => resolve({ status: res.statusCode, text, req }));
      },
    );
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${target}: timeout`)));
    req.end(body);
  });
}

// Each test is bounded: one that waits for ever fails with its name.
const T = { timeout: 30_000 };

async function eventually(check, what, ms = 3000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// parley_connections, scraped over a connection of its own that closes after the answer: the
// scrape counts itself, once (fetch would keep its connection open for the next request).
async function openConnections(srv) {
  const res = await request(srv.port, { path: '/metrics' });
  return metricValue(parseMetrics(res.text), 'parley_connections');
}

describe('connections per IP address', () => {
  const srv = useServer({ maxConnectionsPerIp: 3, handshakeTimeoutMs: 600 });
  // Each test counts the places of 127.0.0.2 from zero. The connections of the test before are
  // closed by then (useServer), but the server may not have seen every close yet: a connection
  // of this test would be refused for a place that frees a moment later.
  afterEach(() => eventually(async () => (await openConnections(srv)) === 1, 'every connection of the test given back', 5000));

  test('the fourth connection from one address is refused; others are served; a freed place is reused', T, async () => {
    const held = [];
    for (let i = 0; i < 3; i += 1) held.push(await stompFrom(srv, '127.0.0.2', `held${i}`));
    const before = await limitHits(srv.httpUrl, 'connections_per_ip');
    const refused = await tryWebSocket(srv, '127.0.0.2');
    assert.notEqual(refused, 'open', 'a fourth WebSocket from 127.0.0.2 was accepted');
    assert.equal(await limitHits(srv.httpUrl, 'connections_per_ip'), before + 1);

    // Another address, and the exempt proxy address, are not affected.
    assert.equal(await tryWebSocket(srv, '127.0.0.3'), 'open');
    assert.equal(await tryWebSocket(srv, '127.0.0.1'), 'open');
    // The held sessions still work.
    held[0].sendFrame('SUBSCRIBE', { id: 's', destination: '/topic/t', receipt: 'r' });
    await held[0].expectFrame('RECEIPT');

    held[1].close();
    await eventually(async () => (await tryWebSocket(srv, '127.0.0.2')) === 'open', 'a freed place');
  });

  test('plain HTTP over the limit gets a 503 naming it', T, async () => {
    const sockets = [];
    for (let i = 0; i < 3; i += 1) {
      const s = net.connect({ host: '127.0.0.1', port: srv.port, localAddress: '127.0.0.2' });
      await new Promise((resolve) => s.once('connect', resolve));
      sockets.push(s);
    }
    // Wait until the server counts them (accept happens asynchronously).
    await sleep(100);
    const answer = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: srv.port, localAddress: '127.0.0.2' });
      let text = '';
      s.on('data', (d) => {
        text += d;
      });
      s.on('error', () => resolve(text || 'reset'));
      s.on('close', () => resolve(text || 'closed'));
    });
    assert.match(answer, /^HTTP\/1\.1 503 [^\r]*\r\n[\s\S]*too many connections\n$|^reset$|^closed$/);
    for (const s of sockets) s.destroy();
  });

  test('a client that connects and never sends a request cannot keep its place (slowloris)', T, async () => {
    const silent = [];
    for (let i = 0; i < 3; i += 1) {
      const s = net.connect({ host: '127.0.0.1', port: srv.port, localAddress: '127.0.0.2' });
      s.on('error', () => {});
      // Dribble a request, one byte at a time, never finishing it.
      s.on('connect', () => s.write('G'));
      const timer = setInterval(() => s.writable && s.write('E'), 100);
      s.on('close', () => clearInterval(timer));
      silent.push(s);
    }
    await sleep(150);
    assert.notEqual(await tryWebSocket(srv, '127.0.0.2'), 'open');
    // --handshake-timeout-ms 600: the whole first request must arrive in time.
    await withTimeout(
      Promise.all(silent.map((s) => new Promise((resolve) => (s.destroyed ? resolve() : s.on('close', resolve))))),
      3000,
      'the server to drop the dribbling connections',
    );
    assert.equal(await tryWebSocket(srv, '127.0.0.2'), 'open');
  });
});

describe('connections in total', () => {
  const srv = useServer({ maxConnections: 4 });

  test('over --max-connections every address is refused until a place frees', T, async () => {
    const sockets = [];
    for (let i = 0; i < 4; i += 1) {
      const s = net.connect({ host: '127.0.0.1', port: srv.port });
      s.on('error', () => {});
      await new Promise((resolve) => s.once('connect', resolve));
      sockets.push(s);
    }
    await sleep(100);
    assert.notEqual(await tryWebSocket(srv, '127.0.0.3'), 'open');
    assert.notEqual(await tryWebSocket(srv, '127.0.0.1'), 'open', 'the proxy counts towards the total');
    sockets.pop().destroy();
    await sleep(100);
    // (node:http without an agent: fetch would keep its connection, and so its place.)
    const health = JSON.parse((await request(srv.port, { path: '/api/health' })).text);
    assert.equal(health.connections, 3 + 1, 'health counts the held sockets and itself');
    await sleep(100);
    assert.ok((await limitHits(srv.httpUrl, 'connections')) >= 2);
    for (const s of sockets) s.destroy();
  });
});

describe('SockJS sessions per IP address', () => {
  const srv = useServer({ sockjsMaxSessionsPerIp: 2 });
  let n = 0;
  const open = (opts) => {
    n += 1;
    return request(srv.port, { method: 'POST', path: `/stomp/000/lim${n}/xhr`, ...opts });
  };

  test('a third session from one address gets 503; other addresses are served', T, async () => {
    assert.equal((await open({ localAddress: '127.0.0.2' })).text, 'o\n');
    assert.equal((await open({ localAddress: '127.0.0.2' })).text, 'o\n');
    const before = await limitHits(srv.httpUrl, 'sockjs_sessions_per_ip');
    const third = await open({ localAddress: '127.0.0.2' });
    assert.equal(third.status, 503);
    assert.equal(third.text, 'too many SockJS sessions from your address\n');
    assert.equal(await limitHits(srv.httpUrl, 'sockjs_sessions_per_ip'), before + 1);
    assert.equal((await open({ localAddress: '127.0.0.3' })).text, 'o\n');
    // An existing session is still served: sending to it is not a new session.
    const send = await request(srv.port, {
      method: 'POST',
      path: '/stomp/000/lim1/xhr_send',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify(['\n']),
      localAddress: '127.0.0.2',
    });
    assert.equal(send.status, 204);
  });

  test('behind the trusted proxy each X-Forwarded-For client has its own places; others cannot choose theirs', T, async () => {
    const via = (client) => open({ headers: { 'X-Forwarded-For': `10.9.9.9, ${client}` } });
    assert.equal((await via('198.51.100.7')).status, 200);
    assert.equal((await via('198.51.100.7')).status, 200);
    assert.equal((await via('198.51.100.7')).status, 503);
    assert.equal((await via('198.51.100.8')).status, 200);
    // From an untrusted address the header is ignored: 127.0.0.2 is already full.
    const spoofed = await open({ localAddress: '127.0.0.2', headers: { 'X-Forwarded-For': '203.0.113.1' } });
    assert.equal(spoofed.status, 503);
  });
});

describe('per-session and per-frame limits', () => {
  const srv = useServer({ maxRoomsPerSession: 2, maxHeaders: 8, maxHttpHeader: 1024, rateLimit: 5 });

  test('a third room in one session is refused with ERROR naming the limit', T, async () => {
    const raw = await stompFrom(srv, '127.0.0.1', 'rooms');
    for (const key of [uniqueRoom('a'), uniqueRoom('b')]) {
      raw.sendFrame('SUBSCRIBE', { id: key, destination: roomDest(key), receipt: key });
      await raw.expectFrame('RECEIPT');
    }
    const before = await limitHits(srv.httpUrl, 'rooms_per_session');
    raw.sendFrame('SUBSCRIBE', { id: 'c', destination: roomDest(uniqueRoom('c')) });
    const error = await raw.expectFrame('ERROR');
    assert.equal(error.headers.message, 'room limit reached (max 2 rooms per session)');
    await raw.waitClosed();
    assert.equal(await limitHits(srv.httpUrl, 'rooms_per_session'), before + 1);
  });

  test('a frame with too many headers is refused with ERROR naming the limit', T, async () => {
    const raw = await stompFrom(srv, '127.0.0.1', 'headers');
    const headers = { destination: '/topic/t' };
    for (let i = 0; i < 10; i += 1) headers[`x-h${i}`] = 'v';
    raw.sendFrame('SEND', headers, 'x');
    const error = await raw.expectFrame('ERROR');
    assert.equal(error.headers.message, 'too many headers (limit 8)');
    await raw.waitClosed();
    assert.ok((await limitHits(srv.httpUrl, 'header_count')) >= 1);
  });

  test('SENDs over the rate are refused with ERROR naming the limit', T, async () => {
    const raw = await stompFrom(srv, '127.0.0.1', 'rate');
    for (let i = 0; i < 30; i += 1) raw.sendFrame('SEND', { destination: '/topic/t' }, `m${i}`);
    const error = await raw.expectFrame('ERROR');
    assert.match(error.headers.message, /^rate limit exceeded: max 5 messages\/s per session/);
    assert.ok((await limitHits(srv.httpUrl, 'rate')) >= 1);
  });

  test('an HTTP request header over --max-http-header gets 413', T, async () => {
    const res = await request(srv.port, { path: '/api/health', headers: { 'x-big': 'y'.repeat(2000) } });
    assert.equal(res.status, 413);
    assert.ok((await limitHits(srv.httpUrl, 'http_header')) >= 1);
    assert.equal((await request(srv.port, { path: '/api/health' })).status, 200);
  });
});

describe('--log-file', () => {
  test('a missing directory stops the start with a clear error and exit status 2', T, async () => {
    const res = await runUntilListening(['--log-file', '/nonexistent-dir/parley.log']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^parley: cannot write log file \/nonexistent-dir\/parley\.log: No such file or directory\n$/);
    assert.equal(res.stdout, '', 'it must not start listening');
  });

  test('a full disk stops the start too', T, async () => {
    const res = await runUntilListening(['--log-file', '/dev/full']);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /cannot write log file \/dev\/full: No space left on device/);
  });

  test('a directory given as the file stops the start', T, async () => {
    const res = await runUntilListening(['--log-file', os.tmpdir()]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /cannot write log file .*: Is a directory/);
  });

  test('a writable file receives the log', T, async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'parley-log-')), 'parley.log');
    const res = await runUntilListening(['--log-file', file]);
    assert.equal(res.code, 0, res.stderr);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /log opened/);
    assert.match(text, / info web root: /);
    assert.match(text, / info stopped\n/);
  });
});
