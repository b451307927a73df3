// SockJS protocol 0.3.3 conformance, section by section, against the sockjs-protocol test
// services parley mounts with --sockjs-test-services:
//   /echo                     echo service; streaming responses end after 4096 bytes
//   /disabled_websocket_echo  echo with the websocket transport switched off
//   /cookie_needed_echo       echo with cookie_needed:true and JSESSIONID cookies
//   /close                    every session is closed with c[3000,"Go away!"] once opened
//
// These are our own tests of what the reference suite (sockjs-protocol-0.3.3.py) checks:
// status codes, exact bodies and framing, cache and CORS headers, session lifetime. Where
// parley deliberately does something else, the test asserts parley's behaviour
// (docs/PROTOCOL.md, "SockJS") and a comment says so.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { describe, test } from 'node:test';

import WebSocket from 'ws';

import { sleep, trackClient, useServer, withTimeout } from './helpers.mjs';

const T = { timeout: 15_000 };

// Parley's no-cache header adds `no-transform` to the reference's
// "no-store, no-cache, must-revalidate, max-age=0" (as later sockjs-node releases do): a
// proxy must not recompress or rewrite a streaming response either.
const NOT_CACHED = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';
const GO_AWAY = 'c[3000,"Go away!"]';
const ANOTHER = 'c[2010,"Another connection still open"]';
const INTERRUPTED = 'c[1002,"Connection interrupted"]';
const XHR_PRELUDE = `${'h'.repeat(2048)}\n`;
const ONE_YEAR = /max-age=[1-9][0-9]{6}/;
// Parley starts every jsonp answer with an empty comment, as sockjs-node does since its fix
// for the Rosetta Flash attack (a SWF smuggled in as the callback name); the reference
// expects `cb(...)` alone. Browsers evaluate both the same.
const JSONP = '/**/';

// The protocol's CORS rules are checked with arbitrary origins: allow any (the origin policy
// itself is tested in origin.test.mjs).
const srv = useServer({ sockjsTestServices: true, allowedOrigin: '*' });

const base = (service = 'echo') => `${srv.httpUrl}/${service}`;
const session = (service = 'echo', server = '000') => `${base(service)}/${server}/${randomUUID()}`;
const wsUrl = (httpUrl) => httpUrl.replace(/^http:/, 'ws:');

// ---------------------------------------------------------------------------------------------
// HTTP plumbing: every request on its own connection, bodies as raw bytes.

function request(url, { method = 'GET', headers = {}, body, timeoutMs = 8000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, raw, body: raw.toString('utf8') });
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no complete answer within ${timeoutMs} ms: ${method} ${url}`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}

const GET = (url, headers = {}) => request(url, { headers });
const POST = (url, body, headers = {}) => request(url, { method: 'POST', body, headers });
const OPTIONS = (url, headers = {}) => request(url, { method: 'OPTIONS', headers });
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

// A response read as it arrives: streaming transports, or a poll held open by the server.
class Receiver {
  // Resolves once the response headers arrived; with held: true at once (a held poll sends
  // nothing, headers included, until it has a frame).
  static open(url, { method = 'POST', headers = {}, held = false } = {}) {
    return new Promise((resolve, reject) => {
      const r = new Receiver();
      if (held) resolve(r);
      r.req = http.request(url, { method, headers, agent: false }, (res) => {
        r.status = res.statusCode;
        r.headers = res.headers;
        res.on('data', (c) => {
          r.buf = Buffer.concat([r.buf, c]);
          r.wake();
        });
        res.on('end', () => {
          r.ended = true;
          r.wake();
        });
        res.on('error', () => {});
        resolve(r);
      });
      r.req.on('error', (err) => {
        r.ended = true;
        r.wake();
        reject(err);
      });
      r.req.end();
      trackClient(r);
    });
  }

  constructor() {
    this.buf = Buffer.alloc(0);
    this.ended = false;
    this.waiters = [];
  }

  wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async waitFor(pred, ms, what) {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (this.ended) break;
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    if (!pred()) {
      const got = JSON.stringify(this.buf.toString('utf8').slice(0, 300));
      throw new Error(`${what}: not there after ${ms} ms (ended: ${this.ended}, buffered: ${got})`);
    }
  }

  // The next `n` bytes, as text.
  async read(n, ms = 5000) {
    await this.waitFor(() => this.buf.length >= n, ms, `${n} bytes`);
    const out = this.buf.subarray(0, n).toString('utf8');
    this.buf = this.buf.subarray(n);
    return out;
  }

  // Exactly `text` is what comes next.
  async expect(text, ms = 5000) {
    assert.equal(await this.read(Buffer.byteLength(text), ms), text);
  }

  // Everything up to and including `marker`.
  async readThrough(marker, ms = 5000) {
    await this.waitFor(() => this.buf.includes(marker), ms, JSON.stringify(marker));
    const end = this.buf.indexOf(marker) + Buffer.byteLength(marker);
    const out = this.buf.subarray(0, end).toString('utf8');
    this.buf = this.buf.subarray(end);
    return out;
  }

  // The server ends the response with nothing more after what was read.
  async expectEnd(ms = 5000) {
    await this.waitFor(() => this.ended, ms, 'end of the response');
    assert.equal(this.buf.toString('utf8'), '', 'bytes after the expected end');
  }

  abort() {
    this.req.destroy();
  }

  kill() {
    this.abort();
    return Promise.resolve();
  }
}

// A raw WebSocket with a queue of text messages and the close event.
function openWs(url) {
  const ws = new WebSocket(url);
  const messages = [];
  let notify = () => {};
  ws.on('message', (data, isBinary) => {
    messages.push(isBinary ? data : data.toString('utf8'));
    notify();
  });
  const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('error', () => {});
  const handle = {
    ws,
    closed,
    opened: withTimeout(
      new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('unexpected-response', (_, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
        ws.once('error', reject);
      }),
      5000,
      `WebSocket open ${url}`,
    ),
    async next(ms = 5000) {
      const deadline = Date.now() + ms;
      while (messages.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no WebSocket message within ${ms} ms`);
        await new Promise((resolve) => {
          const t = setTimeout(resolve, left);
          notify = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      return messages.shift();
    },
    pending: () => messages.slice(),
    waitClosed: (ms = 5000) => withTimeout(closed, ms, `server to close ${url}`),
    kill() {
      ws.terminate();
      return Promise.resolve();
    },
  };
  trackClient(handle);
  return handle;
}

// ---------------------------------------------------------------------------------------------
// Header checks shared by several sections

function assertContentType(res, expected) {
  assert.equal(String(res.headers['content-type']).replace(/ /g, ''), expected);
}

function assertNoCookie(res) {
  assert.equal(res.headers['set-cookie'], undefined, 'no Set-Cookie expected');
}

// No Origin, or the "null" origin of a file:// page: "*". Otherwise the origin is echoed with
// credentials allowed, so JSESSIONID cookies can fly.
function assertCors(res, origin) {
  if (origin && origin !== 'null') {
    assert.equal(res.headers['access-control-allow-origin'], origin);
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
  } else {
    assert.equal(res.headers['access-control-allow-origin'], '*');
  }
}

function assertNotCached(res) {
  assert.equal(res.headers['cache-control'], NOT_CACHED);
  assert.equal(res.headers.expires, undefined);
  assert.equal(res.headers['last-modified'], undefined);
}

function assertLongCache(res) {
  assert.match(res.headers['cache-control'], /public/);
  assert.match(res.headers['cache-control'], ONE_YEAR);
  assert.ok(res.headers.expires, 'Expires header');
}

async function assertOptions(url, allowedMethods) {
  for (const origin of [undefined, 'test', 'null']) {
    const res = await OPTIONS(url, origin ? { Origin: origin } : {});
    assert.equal(res.status, 204, `OPTIONS ${url} origin ${origin}`);
    assertLongCache(res);
    assert.ok(Number(res.headers['access-control-max-age']) > 1_000_000);
    assert.equal(res.headers['access-control-allow-methods'], allowedMethods);
    assert.equal(res.body, '');
    assertCors(res, origin);
  }
}

function assert404(res, what) {
  assert.equal(res.status, 404, `${what}: expected 404, got ${res.status} ${JSON.stringify(res.body.slice(0, 80))}`);
}

function assert405(res) {
  assert.equal(res.status, 405);
  assert.equal(res.headers['content-type'], undefined);
  assert.ok(res.headers.allow, 'Allow header');
  assert.equal(res.body, '');
}

// Opens an xhr-polling session and checks the open frame.
async function openXhr(url) {
  const r = await POST(`${url}/xhr`);
  assert.equal(r.status, 200);
  assert.equal(r.body, 'o\n');
  return r;
}

// ---------------------------------------------------------------------------------------------

describe('BaseUrlGreeting', () => {
  test('the base url and base url + "/" greet in text/plain, without cookies', T, async () => {
    for (const url of [base(), `${base()}/`]) {
      const r = await GET(url);
      assert.equal(r.status, 200);
      assertContentType(r, 'text/plain;charset=UTF-8');
      assert.equal(r.body, 'Welcome to SockJS!\n');
      assertNoCookie(r);
    }
  });

  test('other short paths under the base url are 404', T, async () => {
    for (const suffix of ['/a', '/a.html', '//', '///', '/a/a', '/a/a/', '/a/']) {
      assert404(await GET(base() + suffix), suffix);
    }
  });
});

describe('IframePage', () => {
  // The page's fixed lines (they bootstrap the client in the iframe); the script url varies.
  const IFRAME_LINES = [
    '<!DOCTYPE html>',
    '<meta http-equiv="X-UA-Compatible" content="IE=edge" />',
    '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />',
    'document.domain = document.domain;',
    '_sockjs_onload = function(){SockJS.bootstrap_iframe();};',
    "<h2>Don't panic!</h2>",
    '</html>',
  ];

  async function verifyIframe(url) {
    const r = await GET(url);
    assert.equal(r.status, 200, url);
    assertContentType(r, 'text/html;charset=UTF-8');
    assertLongCache(r);
    assert.ok(r.headers.etag, 'ETag');
    assert.equal(r.headers['last-modified'], undefined);
    assertNoCookie(r);
    const body = r.body.trim();
    assert.ok(body.startsWith('<!DOCTYPE html>'), 'starts with the doctype');
    assert.ok(body.endsWith('</html>'), 'ends with </html>');
    for (const line of IFRAME_LINES) assert.ok(body.includes(line), `iframe page has ${line}`);
    const scripts = [...body.matchAll(/<script src="([^"]*)"><\/script>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 1, 'one external script: the sockjs client');
    // Parley's default --sockjs-client-url is the bundle it serves itself.
    assert.equal(scripts[0], '/stomp/sockjs.min.js');
    return r;
  }

  test('iframe.html is served, strongly cacheable', T, async () => {
    await verifyIframe(`${base()}/iframe.html`);
  });

  test('versioned iframe-<anything>.html names serve the same page', T, async () => {
    const plain = await GET(`${base()}/iframe.html`);
    for (const suffix of ['/iframe-a.html', '/iframe-.html', '/iframe-0.1.2.html', '/iframe-0.1.2abc-dirty.2144.html']) {
      const r = await verifyIframe(base() + suffix);
      assert.equal(r.body, plain.body, suffix);
      assert.equal(r.headers.etag, plain.headers.etag, suffix);
    }
  });

  test('a query string (cache busting) does not change the answer', T, async () => {
    for (const suffix of ['/iframe-a.html?t=1234', '/iframe-0.1.2.html?t=123414', '/iframe-0.1.2abc-dirty.2144.html?t=qweqweq123']) {
      await verifyIframe(base() + suffix);
    }
  });

  test('malformed iframe names are 404', T, async () => {
    for (const suffix of ['/iframe.htm', '/iframe', '/IFRAME.HTML', '/IFRAME', '/iframe.HTML', '/iframe.xml', '/iframe-/.html']) {
      assert404(await GET(base() + suffix), suffix);
    }
  });

  test('the ETag is stable and If-None-Match gives 304 without a body', T, async () => {
    const r1 = await GET(`${base()}/iframe.html`);
    const r2 = await GET(`${base()}/iframe.html`);
    assert.ok(r1.headers.etag);
    assert.equal(r1.headers.etag, r2.headers.etag);
    const r = await GET(`${base()}/iframe.html`, { 'If-None-Match': r1.headers.etag });
    assert.equal(r.status, 304);
    assert.equal(r.headers['content-type'], undefined);
    assert.equal(r.body, '');
    // a different ETag is a normal 200
    const other = await GET(`${base()}/iframe.html`, { 'If-None-Match': '"something-else"' });
    assert.equal(other.status, 200);
  });
});

describe('InfoTest', () => {
  test('/info: JSON capabilities, not cached, CORS, no cookie', T, async () => {
    const r = await GET(`${base()}/info`);
    assert.equal(r.status, 200);
    assertContentType(r, 'application/json;charset=UTF-8');
    assertNoCookie(r);
    assertNotCached(r);
    assertCors(r);
    const data = JSON.parse(r.body);
    assert.deepEqual(Object.keys(data).sort(), ['cookie_needed', 'entropy', 'origins', 'websocket']);
    assert.equal(data.websocket, true);
    assert.equal(data.cookie_needed, false);
    assert.deepEqual(data.origins, ['*:*']);
    assert.ok(Number.isInteger(data.entropy) && data.entropy >= 0 && data.entropy <= 0xffffffff, `entropy ${data.entropy}`);
  });

  test('entropy differs between calls', T, async () => {
    // Two equal 32-bit draws in a row have probability 2^-32; three in a row is no accident.
    const values = [];
    for (let i = 0; i < 3; i += 1) values.push(JSON.parse((await GET(`${base()}/info`)).body).entropy);
    assert.ok(values.every(Number.isInteger));
    assert.ok(new Set(values).size >= 2, `entropy repeated: ${values}`);
  });

  test('OPTIONS /info is a cacheable CORS preflight', T, async () => {
    await assertOptions(`${base()}/info`, 'OPTIONS, GET');
  });

  test('the "null" origin of a file:// page is answered with "*"', T, async () => {
    const r = await OPTIONS(`${base()}/info`, { Origin: 'null' });
    assert.equal(r.status, 204);
    assert.equal(r.body, '');
    assert.equal(r.headers['access-control-allow-origin'], '*');
  });

  test('GET /info echoes a real Origin with credentials', T, async () => {
    const r = await GET(`${base()}/info`, { Origin: 'http://example.test:3000' });
    assertCors(r, 'http://example.test:3000');
  });

  test('disabled_websocket_echo says websocket:false', T, async () => {
    const r = await GET(`${base('disabled_websocket_echo')}/info`);
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).websocket, false);
  });
});

describe('SessionURLs', () => {
  test('any non-empty server and session id without dots is accepted', T, async () => {
    for (const part of ['/a/a', '/_/_', '/1/1', '/abcdefgh_i-j%20/abcdefg_i-j%20', `/${'s'.repeat(64)}/${'x'.repeat(64)}`]) {
      const r = await POST(`${base()}${part}/xhr`);
      assert.equal(r.status, 200, part);
      assert.equal(r.body, 'o\n', part);
    }
  });

  test('empty ids, ids with dots and paths with the wrong number of parts are 404', T, async () => {
    for (const part of ['//', '/a./a', '/a/a.', '/./.', '/', '///', '/a', '/a/b/c']) {
      assert404(await GET(`${base()}${part}/xhr`), `GET ${part}/xhr`);
      assert404(await POST(`${base()}${part}/xhr`), `POST ${part}/xhr`);
    }
  });

  test('parley limits ids to 64 characters: longer ones are 404', T, async () => {
    // Parley's documented bound (docs/PROTOCOL.md); the reference leaves the length open.
    assert404(await POST(`${base()}/000/${'x'.repeat(65)}/xhr`), '65-char session id');
    assert404(await POST(`${base()}/${'s'.repeat(65)}/abc/xhr`), '65-char server id');
  });

  test('a query string is not part of the ids', T, async () => {
    const sid = randomUUID();
    const r = await POST(`${base()}/000/${sid}/xhr?t=1.2.3&x=/./`);
    assert.equal(r.status, 200);
    assert.equal(r.body, 'o\n');
    const s = await POST(`${base()}/000/${sid}/xhr_send?v=a.b`, '["q"]');
    assert.equal(s.status, 204);
    const p = await POST(`${base()}/000/${sid}/xhr?z=.`);
    assert.equal(p.body, 'a["q"]\n');
  });

  test('only the session id names a session: the server id is ignored', T, async () => {
    const sid = randomUUID();
    const r = await POST(`${base()}/000/${sid}/xhr`);
    assert.equal(r.body, 'o\n');
    const s = await POST(`${base()}/000/${sid}/xhr_send`, '["a"]');
    assert.equal(s.status, 204);
    assert.equal(s.body, '');
    const p = await POST(`${base()}/999/${sid}/xhr`);
    assert.equal(p.status, 200);
    assert.equal(p.body, 'a["a"]\n');
  });
});

describe('Protocol', () => {
  test('simple session: open frame, send, echo, unknown session 404, second receiver 2010', T, async () => {
    const url = session();
    await openXhr(url);
    const s = await POST(`${url}/xhr_send`, '["a"]');
    assert.equal(s.status, 204);
    assert.equal(s.body, '');
    const p = await POST(`${url}/xhr`);
    assert.equal(p.status, 200);
    assert.equal(p.body, 'a["a"]\n');

    assert404(await POST(`${base()}/000/bad_session/xhr_send`, '["a"]'), 'xhr_send to an unknown session');

    const held = await Receiver.open(`${url}/xhr`, { held: true });
    await sleep(250);
    assert.equal(held.buf.length, 0, 'the first poll is held open');
    const second = await POST(`${url}/xhr`);
    assert.equal(second.status, 200);
    assert.equal(second.body, `${ANOTHER}\n`);
    held.abort();
  });

  test('close service: open, then c[3000,"Go away!"] on every later request', T, async () => {
    const url = session('close');
    await openXhr(url);
    for (let i = 0; i < 2; i += 1) {
      const r = await POST(`${url}/xhr`);
      assert.equal(r.status, 200);
      assert.equal(r.body, `${GO_AWAY}\n`);
    }
  });
});

describe('WebsocketHttpErrors', () => {
  test('a plain GET of the websocket url is 400 "Can \\"Upgrade\\" only to \\"WebSocket\\"."', T, async () => {
    const r = await GET(`${base()}/0/0/websocket`);
    assert.equal(r.status, 400);
    assert.ok(r.body.includes('Can "Upgrade" only to "WebSocket".'), r.body);
  });

  test('an Upgrade with "Connection: close" is refused with 400', T, async () => {
    const r = await GET(`${base()}/0/0/websocket`, { Upgrade: 'WebSocket', Connection: 'close' });
    assert.equal(r.status, 400);
  });

  test('POST to the websocket url is 405', T, async () => {
    assert405(await POST(`${base()}/0/0/websocket`, '', { Upgrade: 'WebSocket', Connection: 'Upgrade' }));
    assert405(await POST(`${base()}/0/0/websocket`, ''));
  });
});

describe('WebsocketHixie76', () => {
  test('hixie-76 / hybi-00 handshakes', { skip: 'obsolete draft protocol (2010 browsers); parley speaks RFC 6455 only' }, () => {});
});

describe('WebsocketHybi10', () => {
  const wsSession = (service = 'echo') => `${wsUrl(session(service))}/websocket`;

  test('open frame, echo, empty messages ignored', T, async () => {
    const ws = openWs(wsSession());
    await ws.opened;
    assert.equal(await ws.next(), 'o');
    ws.ws.send('');
    ws.ws.send('["a"]');
    assert.equal(await ws.next(), 'a["a"]');
    // a single JSON string is accepted too (sockjs-client never sends one, sockjs-node does)
    ws.ws.send('"b"');
    assert.equal(await ws.next(), 'a["b"]');
    ws.ws.close();
    await ws.waitClosed();
  });

  test('close service: open frame, close frame, then the connection closes', T, async () => {
    const ws = openWs(wsSession('close'));
    await ws.opened;
    assert.equal(await ws.next(), 'o');
    assert.equal(await ws.next(), GO_AWAY);
    // The SockJS close frame carries the application's code; the WebSocket itself then
    // closes normally (1000), as sockjs-node does.
    const { code } = await ws.waitClosed();
    assert.equal(code, 1000);
    assert.deepEqual(ws.pending(), []);
  });

  test('RFC 6455 handshake headers', T, async () => {
    // The reference also tries draft versions 7 and 8; only 13 (the RFC) is current.
    for (const connection of ['Upgrade', 'keep-alive, Upgrade']) {
      const res = await new Promise((resolve, reject) => {
        const req = http.request(`${session()}/websocket`, {
          agent: false,
          headers: {
            Upgrade: 'websocket',
            Connection: connection,
            'Sec-WebSocket-Version': '13',
            'Sec-WebSocket-Key': 'x3JJHMbDL1EzLkh9GBhXDw==',
          },
        });
        req.on('upgrade', (r, socket) => {
          socket.destroy();
          resolve(r);
        });
        req.on('response', (r) => resolve(r));
        req.on('error', reject);
        req.end();
      });
      assert.equal(res.statusCode, 101, `Connection: ${connection}`);
      assert.equal(res.headers['sec-websocket-accept'], 'HSmrc0sMlYUkAGmm5OPpG2HaGWk=');
      assert.equal(res.headers.connection.toLowerCase(), 'upgrade');
      assert.equal(res.headers.upgrade.toLowerCase(), 'websocket');
      assert.equal(res.headers['content-length'], undefined);
    }
  });

  test('broken JSON closes the connection (1002)', T, async () => {
    const ws = openWs(wsSession());
    await ws.opened;
    assert.equal(await ws.next(), 'o');
    ws.ws.send('["a');
    const { code } = await ws.waitClosed();
    // docs/PROTOCOL.md: a WebSocket message that is not SockJS JSON closes with 1002.
    assert.equal(code, 1002);
    assert.deepEqual(ws.pending(), []);
  });

  test('two websockets may share a session id, and it may be reused after closing', T, async () => {
    const url = wsSession();
    const ws1 = openWs(url);
    await ws1.opened;
    assert.equal(await ws1.next(), 'o');
    const ws2 = openWs(url);
    await ws2.opened;
    assert.equal(await ws2.next(), 'o');
    ws1.ws.send('["a"]');
    assert.equal(await ws1.next(), 'a["a"]');
    ws2.ws.send('["b"]');
    assert.equal(await ws2.next(), 'a["b"]');
    await sleep(100);
    assert.deepEqual(ws1.pending(), [], 'ws1 does not see ws2 traffic');
    assert.deepEqual(ws2.pending(), [], 'ws2 does not see ws1 traffic');
    ws1.ws.close();
    ws2.ws.close();
    await ws1.waitClosed();
    await ws2.waitClosed();

    const ws3 = openWs(url);
    await ws3.opened;
    assert.equal(await ws3.next(), 'o');
    ws3.ws.send('["a"]');
    assert.equal(await ws3.next(), 'a["a"]');
    ws3.ws.close();
  });

  test('the websocket transport is absent from disabled_websocket_echo (404)', T, async () => {
    const ws = openWs(wsSession('disabled_websocket_echo'));
    await assert.rejects(ws.opened, /upgrade refused: 404/);
  });
});

describe('XhrPolling', () => {
  test('OPTIONS on xhr and xhr_send', T, async () => {
    for (const suffix of ['/xhr', '/xhr_send']) await assertOptions(`${base()}/abc/abc${suffix}`, 'OPTIONS, POST');
  });

  test('transport: content types, CORS, no caching', T, async () => {
    const url = session();
    const o = await openXhr(url);
    assertContentType(o, 'application/javascript;charset=UTF-8');
    assertCors(o);
    assertNotCached(o);

    const s = await POST(`${url}/xhr_send`, '["x"]');
    assert.equal(s.status, 204);
    assert.equal(s.body, '');
    // text/plain even on a 204 (Firefox otherwise parses the empty body as XML)
    assertContentType(s, 'text/plain;charset=UTF-8');
    assertCors(s);
    assertNotCached(s);

    const p = await POST(`${url}/xhr`);
    assert.equal(p.status, 200);
    assert.equal(p.body, 'a["x"]\n');
  });

  test('credentialed CORS: the Origin is echoed on xhr and xhr_send', T, async () => {
    const url = session();
    const origin = 'http://localhost:5173';
    const o = await POST(`${url}/xhr`, undefined, { Origin: origin });
    assert.equal(o.body, 'o\n');
    assertCors(o, origin);
    const s = await POST(`${url}/xhr_send`, '["x"]', { Origin: origin });
    assertCors(s, origin);
  });

  test('xhr_send to an unknown session is 404', T, async () => {
    assert404(await POST(`${session()}/xhr_send`, '["x"]'), 'xhr_send');
  });

  test('broken JSON and an empty payload are 500 with the reason', T, async () => {
    const url = session();
    await openXhr(url);
    const broken = await POST(`${url}/xhr_send`, '["x');
    assert.equal(broken.status, 500);
    assert.ok(broken.body.includes('Broken JSON encoding.'), broken.body);
    const empty = await POST(`${url}/xhr_send`, '');
    assert.equal(empty.status, 500);
    assert.ok(empty.body.includes('Payload expected.'), empty.body);
    // the session survived both
    const s = await POST(`${url}/xhr_send`, '["a"]');
    assert.equal(s.status, 204);
    assert.equal(s.body, '');
    const p = await POST(`${url}/xhr`);
    assert.equal(p.status, 200);
    assert.equal(p.body, 'a["a"]\n');
  });

  test('xhr_send accepts any request Content-Type (text/plain is what XDR sends)', T, async () => {
    const url = session();
    await openXhr(url);
    const types = ['text/plain', 'T', 'application/json', 'application/xml', '', 'application/json; charset=utf-8', 'text/xml; charset=utf-8', 'text/xml'];
    for (const ct of types) {
      const r = await POST(`${url}/xhr_send`, '["a"]', { 'Content-Type': ct });
      assert.equal(r.status, 204, `Content-Type ${JSON.stringify(ct)}`);
      assert.equal(r.body, '');
    }
    const p = await POST(`${url}/xhr`);
    assert.equal(p.status, 200);
    // one poll carries everything queued, as one frame
    assert.equal(p.body, `a[${types.map(() => '"a"').join(',')}]\n`);
  });

  test('Access-Control-Request-Headers is echoed as Access-Control-Allow-Headers', T, async () => {
    const asked = await POST(`${session()}/xhr`, undefined, { 'Access-Control-Request-Headers': 'a, b, c' });
    assert.equal(asked.status, 200);
    assertCors(asked);
    assert.equal(asked.headers['access-control-allow-headers'], 'a, b, c');

    const emptyAsk = await POST(`${session()}/xhr`, undefined, { 'Access-Control-Request-Headers': '' });
    assert.equal(emptyAsk.status, 200);
    assertCors(emptyAsk);
    assert.equal(emptyAsk.headers['access-control-allow-headers'], undefined);

    const none = await POST(`${session()}/xhr`);
    assert.equal(none.status, 200);
    assert.equal(none.headers['access-control-allow-headers'], undefined);
  });

  test('GET on xhr and xhr_send is 405 with Allow', T, async () => {
    for (const suffix of ['/xhr', '/xhr_send']) {
      const r = await GET(`${session()}${suffix}`);
      assert405(r);
      assert.equal(r.headers.allow, 'OPTIONS, POST');
    }
  });
});

describe('XhrStreaming', () => {
  test('OPTIONS on xhr_streaming', T, async () => {
    await assertOptions(`${base()}/abc/abc/xhr_streaming`, 'OPTIONS, POST');
  });

  test('transport: 2 KiB prelude of h, open frame, messages as they come', T, async () => {
    const url = session();
    const r = await Receiver.open(`${url}/xhr_streaming`);
    assert.equal(r.status, 200);
    assertContentType(r, 'application/javascript;charset=UTF-8');
    assertCors(r);
    assertNotCached(r);
    await r.expect(XHR_PRELUDE);
    await r.expect('o\n');
    const s = await POST(`${url}/xhr_send`, '["x"]');
    assert.equal(s.status, 204);
    assert.equal(s.body, '');
    await r.expect('a["x"]\n');
    r.abort();
  });

  test('response limit: /echo ends a streaming response once 4096 bytes of frames went out', T, async () => {
    const url = session();
    const r = await Receiver.open(`${url}/xhr_streaming`);
    assert.equal(r.status, 200);
    await r.expect(XHR_PRELUDE);
    await r.expect('o\n');
    // 'o\n' + 30 frames of 134 bytes is 4022 bytes: still open; the 31st crosses 4096.
    const msg = `"${'x'.repeat(128)}"`;
    for (let i = 0; i < 31; i += 1) {
      const s = await POST(`${url}/xhr_send`, `[${msg}]`);
      assert.equal(s.status, 204);
      await r.expect(`a[${msg}]\n`);
      if (i < 30) assert.equal(r.ended, false, `ended early, after message ${i + 1}`);
    }
    await r.expectEnd();
  });
});

describe('EventSource', () => {
  test('transport: CRLF prelude, data: lines, JSON-escaped specials', T, async () => {
    const url = session();
    const r = await Receiver.open(`${url}/eventsource`, { method: 'GET' });
    assert.equal(r.status, 200);
    assertContentType(r, 'text/event-stream;charset=UTF-8');
    assertNotCached(r);
    await r.expect('\r\n');
    await r.expect('data: o\r\n\r\n');
    const s1 = await POST(`${url}/xhr_send`, '["x"]');
    assert.equal(s1.status, 204);
    assert.equal(s1.body, '');
    await r.expect('data: a["x"]\r\n\r\n');
    // leading spaces, NUL and line breaks must not break the event-stream framing
    const s2 = await POST(`${url}/xhr_send`, '["  \\u0000\\n\\r "]');
    assert.equal(s2.status, 204);
    await r.expect('data: a["  \\u0000\\n\\r "]\r\n\r\n');
    r.abort();
  });

  test('response limit: one 4 KiB message ends the response', T, async () => {
    const url = session();
    const r = await Receiver.open(`${url}/eventsource`, { method: 'GET' });
    assert.equal(r.status, 200);
    await r.expect('\r\n');
    await r.expect('data: o\r\n\r\n');
    const msg = `"${'x'.repeat(4096)}"`;
    const s = await POST(`${url}/xhr_send`, `[${msg}]`);
    assert.equal(s.status, 204);
    await r.expect(`data: a[${msg}]\r\n\r\n`);
    await r.expectEnd();
  });
});

describe('HtmlFile', () => {
  // What the page must do for the client; the exact layout between these lines is free.
  const headLines = (cb) => [
    '<!doctype html>',
    '<meta http-equiv="X-UA-Compatible" content="IE=edge" />',
    '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />',
    "<h2>Don't panic!</h2>",
    'document.domain = document.domain;',
    `var c = parent.${cb};`,
    'c.start();',
    'function p(d) {c.message(d);};',
    'window.onload = function() {c.stop();};',
  ];
  const script = (frame) => `<script>\np(${JSON.stringify(frame)});\n</script>\r\n`;

  test('transport: padded head page, then one script per frame', T, async () => {
    const url = session();
    const r = await Receiver.open(`${url}/htmlfile?c=%63allback`, { method: 'GET' });
    assert.equal(r.status, 200);
    assertContentType(r, 'text/html;charset=UTF-8');
    assertNotCached(r);
    const head = await r.readThrough('</script>');
    // the head ends with whitespace padding up to at least 1 KiB (IE buffers the first KiB)
    await r.waitFor(() => r.buf.includes('<script>'), 5000, 'first frame');
    const pad = r.buf.subarray(0, r.buf.indexOf('<script>')).toString('utf8');
    r.buf = r.buf.subarray(r.buf.indexOf('<script>'));
    assert.match(pad, /^\s*$/, 'only whitespace between the head and the first frame');
    const page = head + pad;
    assert.ok(page.length > 1024, `head page is ${page.length} bytes`);
    assert.ok(page.trim().startsWith('<!doctype html>'), 'starts with the doctype');
    for (const line of headLines('callback')) assert.ok(page.includes(line), `head has ${line}`);
    await r.expect(script('o'));
    const s = await POST(`${url}/xhr_send`, '["x"]');
    assert.equal(s.status, 204);
    assert.equal(s.body, '');
    await r.expect(script('a["x"]'));
    r.abort();
  });

  test('no callback: 500 "callback" parameter required', T, async () => {
    for (const q of ['', '?c=', '?callback=']) {
      const r = await GET(`${base()}/a/a/htmlfile${q}`);
      assert.equal(r.status, 500, q);
      assert.ok(r.body.includes('"callback" parameter required'), r.body);
    }
  });

  test('an unsafe or overlong callback: 500 invalid "callback" parameter', T, async () => {
    // Parley's rule (docs/PROTOCOL.md): [A-Za-z0-9_.], at most 64 characters.
    for (const cb of ['a-b', '%3Cscript%3E', 'alert(1)', 'a%20b', 'x'.repeat(65)]) {
      const r = await GET(`${session()}/htmlfile?c=${cb}`);
      assert.equal(r.status, 500, cb);
      assert.ok(r.body.includes('invalid "callback" parameter'), r.body);
    }
    // the longest valid one works
    const ok = await Receiver.open(`${session()}/htmlfile?c=${'x'.repeat(63)}.`, { method: 'GET' });
    assert.equal(ok.status, 200);
    await ok.readThrough(script('o'));
    ok.abort();
  });

  test('response limit: one 4 KiB message ends the response', T, async () => {
    const url = session();
    const r = await Receiver.open(`${url}/htmlfile?c=callback`, { method: 'GET' });
    assert.equal(r.status, 200);
    await r.readThrough(script('o'));
    const msg = 'x'.repeat(4096);
    const s = await POST(`${url}/xhr_send`, `["${msg}"]`);
    assert.equal(s.status, 204);
    await r.expect(script(`a["${msg}"]`));
    await r.expectEnd();
  });
});

describe('JsonPolling', () => {
  test('transport: callback("o"), jsonp_send form-encoded answers ok, then the message', T, async () => {
    const url = session();
    const r = await GET(`${url}/jsonp?c=%63allback`);
    assert.equal(r.status, 200);
    assertContentType(r, 'application/javascript;charset=UTF-8');
    assertNotCached(r);
    assert.equal(r.body, `${JSONP}callback("o");\r\n`);

    const s = await POST(`${url}/jsonp_send`, 'd=%5B%22x%22%5D', FORM);
    assert.equal(s.status, 200);
    assert.equal(s.body, 'ok');
    assertContentType(s, 'text/plain;charset=UTF-8');
    assertNotCached(s);

    const p = await GET(`${url}/jsonp?c=%63allback`);
    assert.equal(p.status, 200);
    assert.equal(p.body, `${JSONP}callback("a[\\"x\\"]");\r\n`);
  });

  test('no callback: 500 "callback" parameter required', T, async () => {
    const r = await GET(`${base()}/a/a/jsonp`);
    assert.equal(r.status, 500);
    assert.ok(r.body.includes('"callback" parameter required'), r.body);
  });

  test('an unsafe callback: 500 invalid "callback" parameter', T, async () => {
    for (const cb of ['a-b', '%3Cx%3E', 'a(b)', 'x'.repeat(65)]) {
      const r = await GET(`${session()}/jsonp?c=${cb}`);
      assert.equal(r.status, 500, cb);
      assert.ok(r.body.includes('invalid "callback" parameter'), r.body);
    }
  });

  test('broken JSON, and empty or missing d=, are 500', T, async () => {
    const url = session();
    assert.equal((await GET(`${url}/jsonp?c=x`)).body, `${JSONP}x("o");\r\n`);
    const broken = await POST(`${url}/jsonp_send`, 'd=%5B%22x', FORM);
    assert.equal(broken.status, 500);
    assert.ok(broken.body.includes('Broken JSON encoding.'), broken.body);
    for (const data of ['', 'd=', 'p=p']) {
      const r = await POST(`${url}/jsonp_send`, data, FORM);
      assert.equal(r.status, 500, JSON.stringify(data));
      assert.ok(r.body.includes('Payload expected.'), r.body);
    }
    const ok = await POST(`${url}/jsonp_send`, 'd=%5B%22b%22%5D', FORM);
    assert.equal(ok.body, 'ok');
    const p = await GET(`${url}/jsonp?c=x`);
    assert.equal(p.status, 200);
    assert.equal(p.body, `${JSONP}x("a[\\"b\\"]");\r\n`);
  });

  test('jsonp_send accepts form-encoded and raw text/plain bodies', T, async () => {
    const url = session();
    assert.equal((await GET(`${url}/jsonp?c=x`)).body, `${JSONP}x("o");\r\n`);
    assert.equal((await POST(`${url}/jsonp_send`, 'd=%5B%22abc%22%5D', FORM)).body, 'ok');
    // a raw body is not URL-decoded: %61 stays as typed
    assert.equal((await POST(`${url}/jsonp_send`, '["%61bc"]', { 'Content-Type': 'text/plain' })).body, 'ok');
    const p = await GET(`${url}/jsonp?c=x`);
    assert.equal(p.status, 200);
    assert.equal(p.body, `${JSONP}x("a[\\"abc\\",\\"%61bc\\"]");\r\n`);
  });

  test('close service: x("o"), then the close frame, again and again', T, async () => {
    const url = session('close');
    assert.equal((await GET(`${url}/jsonp?c=x`)).body, `${JSONP}x("o");\r\n`);
    for (let i = 0; i < 2; i += 1) {
      assert.equal((await GET(`${url}/jsonp?c=x`)).body, `${JSONP}x("c[3000,\\"Go away!\\"]");\r\n`);
    }
  });

  test('parley escapes <, > and & in jsonp so relayed text cannot close the script', T, async () => {
    // docs/PROTOCOL.md: an addition to the reference, which sends them verbatim.
    const url = session();
    assert.equal((await GET(`${url}/jsonp?c=x`)).body, `${JSONP}x("o");\r\n`);
    assert.equal((await POST(`${url}/jsonp_send`, '["</script><&>"]', { 'Content-Type': 'text/plain' })).body, 'ok');
    const p = await GET(`${url}/jsonp?c=x`);
    assert.ok(p.body.startsWith(`${JSONP}x("`) && p.body.endsWith('");\r\n'), p.body);
    const literal = p.body.slice(JSONP.length + 2, -4);
    assert.doesNotMatch(literal, /[<>&]/);
    // the script still evaluates to the original frame
    assert.equal(JSON.parse(literal), 'a["</script><&>"]');
  });
});

describe('JsessionIdCookie', () => {
  const cookieSession = () => session('cookie_needed_echo');

  function assertCookie(res, value = 'dummy') {
    const header = res.headers['set-cookie'];
    assert.ok(Array.isArray(header) && header.length === 1, `one Set-Cookie, got ${JSON.stringify(header)}`);
    const parts = header[0].split(';').map((p) => p.trim());
    assert.equal(parts[0], `JSESSIONID=${value}`);
    assert.equal(parts[1].toLowerCase(), 'path=/');
  }

  test('/info says cookie_needed:true and sets no cookie itself', T, async () => {
    const r = await GET(`${base('cookie_needed_echo')}/info`);
    assert.equal(r.status, 200);
    assertNoCookie(r);
    assert.equal(JSON.parse(r.body).cookie_needed, true);
  });

  test('xhr sets JSESSIONID=dummy, or echoes the one the client sent', T, async () => {
    const r = await POST(`${cookieSession()}/xhr`);
    assert.equal(r.status, 200);
    assert.equal(r.body, 'o\n');
    assertCookie(r);
    const echoed = await POST(`${cookieSession()}/xhr`, undefined, { Cookie: 'JSESSIONID=abcdef' });
    assert.equal(echoed.status, 200);
    assert.equal(echoed.body, 'o\n');
    assertCookie(echoed, 'abcdef');
    const among = await POST(`${cookieSession()}/xhr`, undefined, { Cookie: 'a=1; JSESSIONID=xyz42; b=2' });
    assertCookie(among, 'xyz42');
  });

  test('xhr_send sets the cookie too', T, async () => {
    const url = cookieSession();
    await openXhr(url);
    const s = await POST(`${url}/xhr_send`, '["x"]', { Cookie: 'JSESSIONID=abcdef' });
    assert.equal(s.status, 204);
    assertCookie(s, 'abcdef');
  });

  test('xhr_streaming, eventsource and htmlfile set the cookie', T, async () => {
    const cases = [
      ['/xhr_streaming', 'POST'],
      ['/eventsource', 'GET'],
      ['/htmlfile?c=%63allback', 'GET'],
    ];
    for (const [suffix, method] of cases) {
      const r = await Receiver.open(`${cookieSession()}${suffix}`, { method });
      assert.equal(r.status, 200, suffix);
      assertCookie(r);
      r.abort();
      const e = await Receiver.open(`${cookieSession()}${suffix}`, { method, headers: { Cookie: 'JSESSIONID=abcdef' } });
      assert.equal(e.status, 200, suffix);
      assertCookie(e, 'abcdef');
      e.abort();
    }
  });

  test('jsonp and jsonp_send set the cookie', T, async () => {
    const url = cookieSession();
    const r = await GET(`${url}/jsonp?c=%63allback`);
    assert.equal(r.status, 200);
    assertCookie(r);
    assert.equal(r.body, `${JSONP}callback("o");\r\n`);
    const s = await POST(`${url}/jsonp_send`, 'd=%5B%22x%22%5D', FORM);
    assert.equal(s.status, 200);
    assert.equal(s.body, 'ok');
    assertCookie(s);
  });

  test('services without cookie_needed set no cookie on any transport', T, async () => {
    const url = session();
    const o = await POST(`${url}/xhr`, undefined, { Cookie: 'JSESSIONID=abcdef' });
    assertNoCookie(o);
    assertNoCookie(await POST(`${url}/xhr_send`, '["x"]', { Cookie: 'JSESSIONID=abcdef' }));
    assertNoCookie(await GET(`${session()}/jsonp?c=x`));
  });
});

describe('RawWebsocket', () => {
  test('/echo/websocket echoes text verbatim, without SockJS framing', T, async () => {
    const ws = openWs(`${wsUrl(base())}/websocket`);
    await ws.opened;
    ws.ws.send('Hello world!\uffff');
    assert.equal(await ws.next(), 'Hello world!\uffff');
    ws.ws.send('["not", "parsed"]');
    assert.equal(await ws.next(), '["not", "parsed"]');
    ws.ws.close();
    await ws.waitClosed();
  });

  test('/close/websocket closes without sending anything', T, async () => {
    const ws = openWs(`${wsUrl(base('close'))}/websocket`);
    await ws.waitClosed();
    assert.deepEqual(ws.pending(), []);
  });
});

describe('JSONEncoding', () => {
  // What the reference requires the server to escape (browsers and proxies mangle these).
  const serverEscapes = (cp) =>
    cp < 0x20 || (cp >= 0x200c && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) || (cp >= 0x2060 && cp <= 0x206f) || cp >= 0xfff0;
  const hex4 = (cp) => `\\u${cp.toString(16).padStart(4, '0')}`;
  const isSurrogate = (cp) => cp >= 0xd800 && cp <= 0xdfff;

  // One frame from an xhr poll: `a[...]\n`, parsed, with the raw JSON kept.
  async function pollMessages(url) {
    const p = await POST(`${url}/xhr`);
    assert.equal(p.status, 200);
    assert.ok(p.body.startsWith('a[') && p.body.endsWith(']\n'), `an a[...] frame, got ${JSON.stringify(p.body.slice(0, 40))}`);
    return { raw: p.body.slice(1, -1), messages: JSON.parse(p.body.slice(1, -1)) };
  }

  test('the server-escapable code points come back as lowercase \\uXXXX escapes', T, async () => {
    const url = session();
    await openXhr(url);
    const cps = [];
    for (let cp = 0xff; cp <= 0xffff; cp += 1) if (serverEscapes(cp)) cps.push(cp);
    const text = String.fromCharCode(...cps);
    const s = await POST(`${url}/xhr_send`, `["${text}"]`);
    assert.equal(s.status, 204);
    const { raw } = await pollMessages(url);
    assert.equal(raw, `["${cps.map(hex4).join('')}"]`);
  });

  test('every BMP code point outside the surrogates round-trips through /echo', { timeout: 30_000 }, async () => {
    const url = session();
    await openXhr(url);
    const CHUNK = 4096;
    for (let start = 0; start < 0x10000; start += CHUNK) {
      const cps = [];
      for (let cp = start; cp < start + CHUNK; cp += 1) if (!isSurrogate(cp)) cps.push(cp);
      if (cps.length === 0) continue;
      const text = String.fromCharCode(...cps);
      // sent twice: as UTF-8 (only what JSON requires escaped) and fully \u-escaped
      const asUtf8 = JSON.stringify([text]);
      const asEscapes = `["${cps.map(hex4).join('')}"]`;
      assert.equal((await POST(`${url}/xhr_send`, asUtf8)).status, 204, `chunk ${start.toString(16)} as UTF-8`);
      assert.equal((await POST(`${url}/xhr_send`, asEscapes)).status, 204, `chunk ${start.toString(16)} escaped`);
      const { raw, messages } = await pollMessages(url);
      assert.equal(messages.length, 2);
      for (const m of messages) {
        if (m !== text) {
          let i = 0;
          while (i < text.length && m[i] === text[i]) i += 1;
          assert.fail(`chunk ${start.toString(16)}: first difference at U+${(cps[i] ?? 0).toString(16)}: got ${JSON.stringify(m.slice(i, i + 4))}`);
        }
      }
      // nothing the reference wants escaped appears raw, and the wire is valid JSON text
      for (const ch of raw) {
        const cp = ch.codePointAt(0);
        assert.ok(!serverEscapes(cp) || cp === 0x22, `U+${cp.toString(16)} sent unescaped`);
      }
    }
  });

  test('lone surrogates become U+FFFD; a surrogate pair survives as an escaped pair', T, async () => {
    // Parley is a UTF-8 server: a lone UTF-16 half cannot be represented and is replaced,
    // which the reference allows for servers that "support unicode properly".
    const url = session();
    await openXhr(url);
    assert.equal((await POST(`${url}/xhr_send`, '["\\ud800","\\udfff","x\\ud83d\\ude00y"]')).status, 204);
    const p = await POST(`${url}/xhr`);
    assert.equal(p.body, 'a["\\ufffd","\\ufffd","x\\ud83d\\ude00y"]\n');
  });
});

describe('HandlingClose', () => {
  // The server learns of an aborted request only when it reads the client's FIN, which can
  // come after the next request reached it (another thread, another connection). Until
  // then the old receiver still holds the session and the newcomer is told 2010, which
  // changes nothing; ask again, for a bounded time.
  async function afterAbort(attempt, ms = 5000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const res = await attempt();
      if (!res.body.startsWith(ANOTHER) || Date.now() > deadline) return res;
      await sleep(50);
    }
  }

  test('a closed session answers its close frame to the next receiver, and both responses end', T, async () => {
    const url = session('close');
    const r1 = await Receiver.open(`${url}/xhr_streaming`);
    await r1.expect(XHR_PRELUDE);
    await r1.expect('o\n');
    await r1.expect(`${GO_AWAY}\n`);
    const r2 = await Receiver.open(`${url}/xhr_streaming`);
    await r2.expect(XHR_PRELUDE);
    await r2.expect(`${GO_AWAY}\n`);
    await r1.expectEnd();
    await r2.expectEnd();
  });

  test('a second streaming receiver gets c[2010] and its response ends; the first keeps the session', T, async () => {
    const url = session();
    const r1 = await Receiver.open(`${url}/xhr_streaming`);
    await r1.expect(XHR_PRELUDE);
    await r1.expect('o\n');
    const r2 = await Receiver.open(`${url}/xhr_streaming`);
    await r2.expect(XHR_PRELUDE);
    await r2.expect(`${ANOTHER}\n`);
    await r2.expectEnd();
    assert.equal((await POST(`${url}/xhr_send`, '["still"]')).status, 204);
    await r1.expect('a["still"]\n');
    r1.abort();
  });

  test('aborting a streaming receiver interrupts the session: c[1002] for the next one', T, async () => {
    const url = session();
    const r1 = await Receiver.open(`${url}/xhr_streaming`);
    await r1.expect(XHR_PRELUDE);
    await r1.expect('o\n');
    const r2 = await Receiver.open(`${url}/xhr_streaming`);
    await r2.expect(XHR_PRELUDE);
    await r2.expect(`${ANOTHER}\n`);
    await r2.expectEnd();
    r1.abort();
    // The reference allows "o" (session forgotten) or 1002; parley documents 1002.
    const r3 = await afterAbort(async () => {
      const r = await Receiver.open(`${url}/xhr_streaming`);
      await r.expect(XHR_PRELUDE);
      return { body: await r.readThrough('\n'), r };
    });
    assert.equal(r3.body, `${INTERRUPTED}\n`);
    await r3.r.expectEnd();
    // and it keeps saying so
    const r4 = await POST(`${url}/xhr`);
    assert.equal(r4.body, `${INTERRUPTED}\n`);
  });

  test('aborting a held poll ends the session the same way', T, async () => {
    const url = session();
    await openXhr(url);
    const held = await Receiver.open(`${url}/xhr`, { held: true });
    await sleep(250);
    assert.equal(held.buf.length, 0);
    const r2 = await POST(`${url}/xhr`);
    assert.equal(r2.body, `${ANOTHER}\n`);
    held.abort();
    const r3 = await afterAbort(() => POST(`${url}/xhr`));
    // The reference accepts "o" or 1002 here as well; parley answers 1002.
    assert.equal(r3.body, `${INTERRUPTED}\n`);
  });
});

describe('HttpChunking', () => {
  // Raw HTTP over a socket, to see framing the node client would hide.
  function rawHttp(port, text, { until, ms = 5000 } = {}) {
    return new Promise((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1', () => sock.write(text));
      let data = Buffer.alloc(0);
      const timer = setTimeout(() => {
        sock.destroy();
        resolve({ text: data.toString('latin1'), closed: false });
      }, ms);
      sock.on('data', (c) => {
        data = Buffer.concat([data, c]);
        if (until && until(data.toString('latin1'))) {
          clearTimeout(timer);
          sock.destroy();
          resolve({ text: data.toString('latin1'), closed: false });
        }
      });
      sock.on('end', () => {
        clearTimeout(timer);
        resolve({ text: data.toString('latin1'), closed: true });
      });
      sock.on('error', reject);
    });
  }

  test('HTTP/1.0 greeting: Content-Length, no chunking', T, async () => {
    const { text } = await rawHttp(srv.port, 'GET /echo HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n', {
      until: (t) => t.endsWith('Welcome to SockJS!\n'),
    });
    const [head, body] = text.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.[01] 200/);
    assert.doesNotMatch(head, /transfer-encoding/i);
    assert.match(head, /\r\ncontent-length: 19(\r\n|$)/i);
    assert.equal(body, 'Welcome to SockJS!\n');
  });

  test('HTTP/1.1 xhr_streaming on /close: chunked prelude, o, close frame, last chunk', T, async () => {
    const url = `/close/000/${randomUUID()}/xhr_streaming`;
    const { text } = await rawHttp(srv.port, `POST ${url} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`, {
      until: (t) => t.endsWith('\r\n0\r\n\r\n'),
    });
    const [head, ...rest] = text.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 200/);
    assert.match(head, /\r\ntransfer-encoding: chunked/i);
    assert.doesNotMatch(head, /content-length/i);
    // de-chunk
    let body = rest.join('\r\n\r\n') + '\r\n\r\n';
    const chunks = [];
    for (;;) {
      const nl = body.indexOf('\r\n');
      const size = parseInt(body.slice(0, nl), 16);
      assert.ok(Number.isInteger(size), `chunk size line ${JSON.stringify(body.slice(0, 20))}`);
      if (size === 0) break;
      chunks.push(body.slice(nl + 2, nl + 2 + size));
      body = body.slice(nl + 2 + size + 2);
    }
    assert.equal(chunks.join(''), `${XHR_PRELUDE}o\n${GO_AWAY}\n`);
  });

  test('HTTP/1.0 xhr_streaming on /close: no chunking, the connection closes at the end', T, async () => {
    const url = `/close/000/${randomUUID()}/xhr_streaming`;
    const { text, closed } = await rawHttp(srv.port, `POST ${url} HTTP/1.0\r\nContent-Length: 0\r\n\r\n`);
    assert.ok(closed, 'server closed the connection');
    const [head, body] = text.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.[01] 200/);
    assert.doesNotMatch(head, /transfer-encoding/i);
    assert.equal(body, `${XHR_PRELUDE}o\n${GO_AWAY}\n`);
  });
});

describe('Heartbeats and DisconnectDelay (short timers)', () => {
  const fast = useServer({ sockjsTestServices: true, sockjsHeartbeatMs: 300, sockjsDisconnectDelayMs: 500, allowedOrigin: '*' });
  const fastSession = () => `${fast.httpUrl}/echo/000/${randomUUID()}`;

  test('Heartbeats: an idle streaming receiver gets h frames', T, async () => {
    const url = fastSession();
    const r = await Receiver.open(`${url}/xhr_streaming`);
    await r.expect(XHR_PRELUDE);
    await r.expect('o\n');
    const t0 = Date.now();
    await r.expect('h\n', 5000);
    await r.expect('h\n', 5000);
    // two heartbeats need at least one full interval between them (generous lower bound)
    assert.ok(Date.now() - t0 >= 250, `two h frames within ${Date.now() - t0} ms`);
    r.abort();
  });

  test('Heartbeats: an idle held poll is answered with h', T, async () => {
    const url = fastSession();
    const o = await POST(`${url}/xhr`);
    assert.equal(o.body, 'o\n');
    const h = await POST(`${url}/xhr`);
    assert.equal(h.status, 200);
    assert.equal(h.body, 'h\n');
  });

  test('Heartbeats: eventsource heartbeats are data lines', T, async () => {
    const url = fastSession();
    const r = await Receiver.open(`${url}/eventsource`, { method: 'GET' });
    await r.expect('\r\n');
    await r.expect('data: o\r\n\r\n');
    await r.expect('data: h\r\n\r\n', 5000);
    r.abort();
  });

  test('DisconnectDelay: a session left without a receiver disappears (xhr_send → 404)', T, async () => {
    const url = fastSession();
    const o = await POST(`${url}/xhr`);
    assert.equal(o.body, 'o\n');
    assert.equal((await POST(`${url}/xhr_send`, '["x"]')).status, 204, 'alive right after the poll');
    // 500 ms delay: wait three times that, then allow slack on a loaded machine
    await sleep(1500);
    const deadline = Date.now() + 8000;
    let status;
    for (;;) {
      status = (await POST(`${url}/xhr_send`, '[]')).status;
      if (status === 404 || Date.now() > deadline) break;
      await sleep(200);
    }
    assert.equal(status, 404);
    // the id is free again: a new session opens under it
    assert.equal((await POST(`${url}/xhr`)).body, 'o\n');
  });

  test('DisconnectDelay: a session with a live streaming receiver stays', T, async () => {
    const url = fastSession();
    const r = await Receiver.open(`${url}/xhr_streaming`);
    await r.expect(XHR_PRELUDE);
    await r.expect('o\n');
    await sleep(1500);
    assert.equal((await POST(`${url}/xhr_send`, '["alive"]')).status, 204);
    await r.readThrough('a["alive"]\n');
    r.abort();
  });
});
