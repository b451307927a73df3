// SockJS 0.3.3 under /stomp, checked at the protocol level (raw HTTP with node:http, raw
// WebSockets with `ws`) along the lines of the sockjs-protocol test suite, and end to end with
// the real npm sockjs-client + legacy `Stomp.over(sock)` API the seed client uses.
//
// Frames the server sends: "o" (open), "h" (heart-beat), a["msg",...] (messages),
// c[code,"reason"] (close). The client sends JSON arrays of strings; here every string is a
// NUL-terminated STOMP frame.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

import { Stomp } from '@stomp/stompjs';
import SockJS from 'sockjs-client';
import WebSocket from 'ws';

import {
  AsyncQueue,
  chatDest,
  connectClient,
  encodeFrame,
  fakeSdp,
  joinRoom,
  roomDest,
  sleep,
  trackClient,
  uniqueRoom,
  useServer,
  withTimeout,
} from './helpers.mjs';

const T = { timeout: 20_000 };
const QUIET_MS = 300;
const here = path.dirname(fileURLToPath(import.meta.url));
const SOCKJS_BUNDLE = path.resolve(here, '..', 'node_modules', 'sockjs-client', 'dist', 'sockjs.min.js');

const NO_CACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';
const YEAR_CACHE = 'public, max-age=31536000';
const TEXT = 'text/plain; charset=UTF-8';
const JAVASCRIPT = 'application/javascript; charset=UTF-8';
const HTML = 'text/html; charset=UTF-8';
const GO_AWAY = 'c[3000,"Go away!"]';
const ANOTHER_CONNECTION = 'c[2010,"Another connection still open"]';
const INTERRUPTED = 'c[1002,"Connection interrupted"]';
const XHR_STREAMING_PRELUDE = `${'h'.repeat(2048)}\n`;

let sidCounter = 0;
const uniqueSid = () => `s${process.pid}x${++sidCounter}x${Math.random().toString(36).slice(2, 8)}`;

// ---------------------------------------------------------------------------------------------
// Raw HTTP

// One request on a fresh connection (agent: false) unless an agent is given.
function request(url, { method = 'GET', headers = {}, body, agent = false, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        clearTimeout(timer);
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, raw, text: raw.toString('utf8'), reusedSocket: req.reusedSocket });
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms: ${method} ${url}`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}

const post = (url, body, opts = {}) => request(url, { ...opts, method: 'POST', body });

// A long-lived response read as it arrives (xhr_streaming, eventsource, htmlfile, a held poll).
function openStream(url, { method = 'POST', headers = {}, body, name = 'stream' } = {}) {
  let waiters = [];
  const s = { text: '', status: null, headers: null, ended: false, closed: false, error: null, chunks: [] };
  const check = () => {
    waiters = waiters.filter((w) => {
      if (!w.pred(s)) return true;
      clearTimeout(w.timer);
      w.resolve(s);
      return false;
    });
  };
  const req = http.request(url, { method, headers, agent: false });
  req.on('response', (res) => {
    s.status = res.statusCode;
    s.headers = res.headers;
    res.setEncoding('utf8');
    res.on('data', (c) => {
      s.chunks.push({ at: Date.now(), text: c });
      s.text += c;
      check();
    });
    res.on('end', () => {
      s.ended = true;
      check();
    });
    res.on('error', () => {});
    res.on('close', () => {
      s.closed = true;
      check();
    });
    check();
  });
  req.on('error', (err) => {
    s.error = err;
    s.closed = true;
    check();
  });
  req.end(body);
  s.waitFor = (pred, ms = 3000, what = 'a condition') => {
    if (pred(s)) return Promise.resolve(s);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      w.timer = setTimeout(() => {
        waiters = waiters.filter((x) => x !== w);
        reject(new Error(`${name}: timed out after ${ms} ms waiting for ${what}; received ${JSON.stringify(s.text.slice(-400))}`));
      }, ms);
      waiters.push(w);
    });
  };
  s.waitEnded = (ms = 3000) => s.waitFor((x) => x.ended, ms, 'the response to end');
  s.close = () => req.destroy();
  s.kill = () => {
    req.destroy();
    return Promise.resolve();
  };
  return trackClient(s);
}

// xhr_streaming body -> SockJS frames (without the 2 KiB prelude and the newlines)
function xhrStreamingFrames(text) {
  assert.ok(text.startsWith(XHR_STREAMING_PRELUDE), `xhr_streaming prelude missing: ${JSON.stringify(text.slice(0, 40))}`);
  const rest = text.slice(XHR_STREAMING_PRELUDE.length);
  const lines = rest.split('\n');
  lines.pop(); // the part after the last newline: empty, or a frame still arriving
  return lines;
}

function parseSockjsFrame(frame) {
  if (frame === 'o' || frame === 'h') return { type: frame };
  if (frame.startsWith('a[')) return { type: 'a', messages: JSON.parse(frame.slice(1)) };
  if (frame.startsWith('c[')) {
    const [code, reason] = JSON.parse(frame.slice(1));
    return { type: 'c', code, reason };
  }
  throw new Error(`not a SockJS frame: ${JSON.stringify(frame)}`);
}

// ---------------------------------------------------------------------------------------------
// STOMP inside SockJS messages

const stompText = (command, headers = {}, body = '', opts = {}) => encodeFrame(command, headers, body, opts).toString('utf8');
const CONNECT = stompText('CONNECT', { 'accept-version': '1.2', host: '127.0.0.1' });

// Accumulates SockJS message strings, yields complete STOMP frames (heart-beat EOLs skipped).
class StompReader {
  constructor(name) {
    this.buf = '';
    this.frames = new AsyncQueue(`${name} STOMP frames`);
  }

  push(message) {
    this.buf += message;
    for (;;) {
      this.buf = this.buf.replace(/^(\r?\n)+/, '');
      const nul = this.buf.indexOf('\0');
      if (nul < 0) return;
      const text = this.buf.slice(0, nul);
      this.buf = this.buf.slice(nul + 1);
      const sep = text.indexOf('\n\n');
      const head = sep >= 0 ? text.slice(0, sep) : text;
      const body = sep >= 0 ? text.slice(sep + 2) : '';
      const [command, ...lines] = head.split('\n');
      const headers = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0 && !(line.slice(0, i) in headers)) headers[line.slice(0, i)] = line.slice(i + 1);
      }
      this.frames.push({ command, headers, body });
    }
  }
}

// A STOMP client speaking raw SockJS xhr polling: every poll is awaited by the caller, so a
// test can stop polling at a known moment.
class XhrStomp {
  constructor(base, { sid = uniqueSid(), serverId = '000', name = 'xhr' } = {}) {
    this.name = name;
    this.sid = sid;
    this.url = `${base}/${serverId}/${sid}`;
    this.reader = new StompReader(name);
    this.polls = []; // raw response bodies
    this.lastPollAt = 0;
  }

  async open() {
    const res = await post(`${this.url}/xhr`);
    assert.equal(res.status, 200);
    assert.equal(res.text, 'o\n');
    this.lastPollAt = Date.now();
  }

  async sendMessages(messages, expectStatus = 204) {
    const res = await post(`${this.url}/xhr_send`, JSON.stringify(messages), { headers: { 'Content-Type': 'text/plain' } });
    assert.equal(res.status, expectStatus, `${this.name} xhr_send: ${res.status} ${res.text}`);
    return res;
  }

  send(command, headers = {}, body = '', opts = {}) {
    return this.sendMessages([stompText(command, headers, body, opts)]);
  }

  // One poll; returns the parsed SockJS frame (messages are fed to the STOMP reader).
  async poll(timeoutMs = 5000) {
    const res = await post(`${this.url}/xhr`, undefined, { timeoutMs });
    this.lastPollAt = Date.now();
    assert.equal(res.status, 200, `${this.name} poll: ${res.status} ${res.text}`);
    assert.equal(res.headers['content-type'], JAVASCRIPT);
    assert.ok(res.text.endsWith('\n'), `poll body ends with a newline: ${JSON.stringify(res.text)}`);
    assert.equal(res.text.indexOf('\n'), res.text.length - 1, `one frame per poll: ${JSON.stringify(res.text)}`);
    this.polls.push(res.raw);
    const frame = parseSockjsFrame(res.text.slice(0, -1));
    if (frame.type === 'a') for (const m of frame.messages) this.reader.push(m);
    return frame;
  }

  // Polls until a STOMP frame is available; it must be `command`.
  async expectFrame(command, timeoutMs = 3000) {
    const deadline = Date.now() + timeoutMs;
    while (this.reader.frames.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no ${command} within ${timeoutMs} ms`);
      const frame = await this.poll(left);
      if (frame.type === 'c') throw new Error(`${this.name}: session closed (${frame.code} ${frame.reason}) waiting for ${command}`);
    }
    const f = await this.reader.frames.next(0);
    assert.equal(f.command, command, `${this.name}: expected ${command}, got ${f.command} ${JSON.stringify(f.headers)} ${f.body}`);
    return f;
  }

  async connect() {
    await this.open();
    await this.sendMessages([CONNECT]);
    return this.expectFrame('CONNECTED');
  }

  async subscribeRoom(key, id = 'sub-0') {
    await this.send('SUBSCRIBE', { id, destination: roomDest(key), receipt: `r-${id}` });
    const receipt = await this.expectFrame('RECEIPT');
    assert.equal(receipt.headers['receipt-id'], `r-${id}`);
  }

  sendRoom(key, json) {
    return this.send('SEND', { destination: chatDest(key), 'content-type': 'application/json' }, JSON.stringify(json), { contentLength: true });
  }

  async nextJson(timeoutMs = 3000) {
    return JSON.parse((await this.expectFrame('MESSAGE', timeoutMs)).body);
  }
}

// ---------------------------------------------------------------------------------------------
// SockJS over a raw WebSocket

function sockjsWebSocket(url, name = 'sockjs-ws') {
  const ws = new WebSocket(url);
  const messages = new AsyncQueue(`${name} SockJS messages`);
  const reader = new StompReader(name);
  let resolveClosed;
  const closed = new Promise((resolve) => {
    resolveClosed = resolve;
  });
  ws.on('error', () => {});
  ws.on('message', (data) => {
    const text = data.toString('utf8');
    messages.push({ text, at: Date.now() });
    if (text.startsWith('a[')) for (const m of JSON.parse(text.slice(1))) reader.push(m);
  });
  ws.on('close', (code, reason) => resolveClosed({ code, reason: reason.toString() }));
  return trackClient({
    ws,
    messages,
    reader,
    closed,
    next: async (t = 3000) => (await messages.next(t)).text,
    waitClosed: (t = 3000) => withTimeout(closed, t, `${name}: close`),
    sendFrames: (...frames) => ws.send(JSON.stringify(frames)),
    kill() {
      ws.terminate();
      return Promise.resolve();
    },
  });
}

// ---------------------------------------------------------------------------------------------
// The seed's client: sockjs-client + legacy stompjs API

function seedClient(url, name, sockjsOptions) {
  const sock = new SockJS(url, null, sockjsOptions);
  // Stomp.over(instance) warns that it cannot reconnect: the seed passes an instance.
  const warn = console.warn;
  console.warn = () => {};
  let stomp;
  try {
    stomp = Stomp.over(sock);
  } finally {
    console.warn = warn;
  }
  stomp.debug = () => {};
  const seen = []; // every room message body, parsed, in arrival order
  const queue = new AsyncQueue(`${name} room messages`);
  let sockClosed;
  const closed = new Promise((resolve) => {
    sockClosed = resolve;
  });
  sock.addEventListener('close', (e) => sockClosed(e));
  const connected = new Promise((resolve, reject) => {
    stomp.connect(
      {},
      (frame) => resolve(frame),
      (err) => reject(new Error(`${name}: STOMP error ${err?.headers?.message ?? err}`)),
      (evt) => reject(new Error(`${name}: closed before CONNECTED (${evt?.code} ${evt?.reason})`)),
    );
  });
  connected.catch(() => {});
  return trackClient({
    name,
    sock,
    stomp,
    seen,
    closed,
    connected: withTimeout(connected, 8000, `${name}: CONNECTED over SockJS`),
    subscribe(key) {
      stomp.subscribe(roomDest(key), (message) => {
        const json = JSON.parse(message.body);
        seen.push(json);
        queue.push(json);
      });
    },
    send(key, json) {
      stomp.send(chatDest(key), {}, JSON.stringify(json));
    },
    next: (t = 5000) => queue.next(t),
    expectNone: (ms = QUIET_MS) => queue.expectNone(ms, (j) => JSON.stringify(j)),
    async kill() {
      try {
        sock.close();
      } catch {
        // already closed
      }
      await withTimeout(stomp.deactivate(), 1000, 'deactivate').catch(() => {});
    },
  });
}

// ---------------------------------------------------------------------------------------------

describe('SockJS greeting, /info and the iframe page', () => {
  // CORS semantics with arbitrary origins; the origin policy itself is origin.test.mjs's.
  const srv = useServer({ allowedOrigin: '*' });
  const base = () => `${srv.httpUrl}/stomp`;

  for (const suffix of ['', '/']) {
    test(`GET /stomp${suffix} greets with "Welcome to SockJS!"`, T, async () => {
      const res = await request(`${base()}${suffix}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], TEXT);
      assert.equal(res.text, 'Welcome to SockJS!\n');
    });
  }

  test('unknown paths under /stomp are 404', T, async () => {
    for (const p of ['/a', '/a/', '/a/a', '/a/a/', '/a/a/a', '/a/a/xhr/', '//a/xhr', '/a//xhr', '/a.b/c/xhr', '/a/b.c/xhr', '/a/b/c/xhr']) {
      const res = await request(`${base()}${p}`, { method: 'POST' });
      assert.equal(res.status, 404, `POST /stomp${p}`);
    }
  });

  test('/info: JSON with websocket, cookie_needed, origins, entropy; no-store; credentialed CORS echoing Origin', T, async () => {
    const origin = 'http://localhost:3000';
    const res = await request(`${base()}/info`, { headers: { Origin: origin } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=UTF-8');
    assert.equal(res.headers['cache-control'], NO_CACHE);
    assert.equal(res.headers['access-control-allow-origin'], origin);
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
    assert.equal(res.headers['set-cookie'], undefined, 'no cookie unless --sockjs-cookie-needed');
    const info = JSON.parse(res.text);
    assert.deepEqual(Object.keys(info).sort(), ['cookie_needed', 'entropy', 'origins', 'websocket']);
    assert.equal(info.websocket, true);
    assert.equal(info.cookie_needed, false);
    assert.deepEqual(info.origins, ['*:*']);
    assert.ok(Number.isInteger(info.entropy) && info.entropy >= 0, `entropy ${info.entropy}`);

    const again = JSON.parse((await request(`${base()}/info`)).text);
    assert.notEqual(again.entropy, info.entropy, 'entropy varies between calls');
  });

  test('/info without Origin (or Origin: null) allows "*"', T, async () => {
    const plain = await request(`${base()}/info`);
    assert.equal(plain.headers['access-control-allow-origin'], '*');
    const nullOrigin = await request(`${base()}/info`, { headers: { Origin: 'null' } });
    assert.equal(nullOrigin.headers['access-control-allow-origin'], '*');
  });

  test('OPTIONS /stomp/info is a cacheable CORS preflight (204)', T, async () => {
    const origin = 'http://example.test:8000';
    const res = await request(`${base()}/info`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-custom, content-type' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.equal(res.headers['access-control-allow-methods'], 'OPTIONS, GET');
    assert.equal(res.headers['access-control-max-age'], '31536000');
    assert.equal(res.headers['cache-control'], YEAR_CACHE);
    assert.ok(Date.parse(res.headers.expires) > Date.now() + 300 * 86400_000, `Expires ${res.headers.expires}`);
    assert.equal(res.headers['access-control-allow-origin'], origin);
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
    assert.equal(res.headers['access-control-allow-headers'], 'x-custom, content-type');
  });

  test('POST /stomp/info is 405', T, async () => {
    const res = await request(`${base()}/info`, { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'OPTIONS, GET');
  });

  test('iframe page: text/html loading /stomp/sockjs.min.js, any version and query, cached with an ETag', T, async () => {
    const first = await request(`${base()}/iframe.html`);
    assert.equal(first.status, 200);
    assert.equal(first.headers['content-type'], HTML);
    assert.equal(first.headers['cache-control'], YEAR_CACHE);
    assert.ok(first.headers.expires, 'Expires');
    assert.equal(first.headers['set-cookie'], undefined);
    assert.match(first.text, /^<!DOCTYPE html>\n/);
    assert.ok(first.text.includes('<script src="/stomp/sockjs.min.js"></script>'), first.text);
    assert.ok(first.text.includes('SockJS.bootstrap_iframe()'));
    const etag = first.headers.etag;
    assert.match(etag, /^"[^"]+"$/);
    for (const p of ['/iframe-abc.html', '/iframe-0.3.3.html', '/iframe-1.6.1.min.html', '/iframe.html?t=1234']) {
      const res = await request(`${base()}${p}`);
      assert.equal(res.status, 200, p);
      assert.equal(res.text, first.text, `${p} serves the same page`);
      assert.equal(res.headers.etag, etag);
    }
    const cached = await request(`${base()}/iframe-abc.html`, { headers: { 'If-None-Match': etag } });
    assert.equal(cached.status, 304);
    assert.equal(cached.text, '');
    assert.equal(cached.headers['content-type'], undefined);
    const stale = await request(`${base()}/iframe.html`, { headers: { 'If-None-Match': '"something-else"' } });
    assert.equal(stale.status, 200);
    assert.equal(stale.text, first.text);
  });

  test('invalid iframe URLs are 404', T, async () => {
    for (const p of ['/iframe.htm', '/iframe', '/IFRAME.HTML', '/IFRAME', '/iframe.HTML', '/iframe.xml', '/iframe-/.html', '/iframe.html.js']) {
      const res = await request(`${base()}${p}`);
      assert.equal(res.status, 404, p);
    }
  });

  test('GET /stomp/sockjs.min.js serves the sockjs-client bundle with an ETag', T, async () => {
    const bundle = readFileSync(SOCKJS_BUNDLE);
    const res = await request(`${base()}/sockjs.min.js`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], JAVASCRIPT);
    assert.equal(res.raw.length, bundle.length);
    assert.ok(res.raw.equals(bundle), 'byte-identical to the npm dist bundle');
    assert.ok(res.text.includes('SockJS'));
    assert.ok(res.headers.etag);
    const cached = await request(`${base()}/sockjs.min.js`, { headers: { 'If-None-Match': res.headers.etag } });
    assert.equal(cached.status, 304);
    assert.equal(cached.text, '');
  });
});

describe('SockJS with --sockjs-cookie-needed and --sockjs-client-url', () => {
  const clientUrl = 'https://cdn.example.com/sockjs-client/1.6.1/sockjs.min.js';
  const srv = useServer({ sockjsCookieNeeded: true, sockjsClientUrl: clientUrl });
  const base = () => `${srv.httpUrl}/stomp`;

  test('/info says cookie_needed:true and sets no cookie itself (as the protocol requires)', T, async () => {
    const res = await request(`${base()}/info`);
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.text).cookie_needed, true);
    assert.equal(res.headers['set-cookie'], undefined);
  });

  test('a JSESSIONID sent by the client is echoed in Set-Cookie (preflight, xhr, xhr_send)', T, async () => {
    const headers = { Cookie: 'theme=dark; JSESSIONID=abc123def; lang=ko' };
    const expected = ['JSESSIONID=abc123def; path=/'];
    const preflight = await request(`${base()}/info`, { method: 'OPTIONS', headers });
    assert.deepEqual(preflight.headers['set-cookie'], expected);
    const sid = uniqueSid();
    const open = await post(`${base()}/000/${sid}/xhr`, undefined, { headers });
    assert.equal(open.text, 'o\n');
    assert.deepEqual(open.headers['set-cookie'], expected);
    const send = await post(`${base()}/000/${sid}/xhr_send`, JSON.stringify([CONNECT]), { headers });
    assert.equal(send.status, 204);
    assert.deepEqual(send.headers['set-cookie'], expected);
    const plain = await post(`${base()}/000/${sid}/xhr`);
    assert.deepEqual(plain.headers['set-cookie'], ['JSESSIONID=dummy; path=/']);
  });

  test('the iframe page loads the configured client URL and answers its ETag with 304', T, async () => {
    const res = await request(`${base()}/iframe.html`);
    assert.equal(res.status, 200);
    assert.ok(res.text.includes(`<script src="${clientUrl}"></script>`), res.text);
    assert.ok(!res.text.includes('/stomp/sockjs.min.js'));
    const cached = await request(`${base()}/iframe.html`, { headers: { 'If-None-Match': res.headers.etag } });
    assert.equal(cached.status, 304);
  });
});

describe('SockJS HTTP transports', () => {
  const srv = useServer({ sockjsDisconnectDelayMs: 1000, allowedOrigin: '*' });
  const base = () => `${srv.httpUrl}/stomp`;

  test('xhr: "o", then xhr_send of a STOMP CONNECT (204) and the next poll carries a["CONNECTED..."]', T, async () => {
    const origin = 'http://localhost:3000';
    const url = `${base()}/000/${uniqueSid()}`;
    const open = await post(`${url}/xhr`, undefined, { headers: { Origin: origin } });
    assert.equal(open.status, 200);
    assert.equal(open.text, 'o\n');
    assert.equal(open.headers['content-type'], JAVASCRIPT);
    assert.equal(open.headers['cache-control'], NO_CACHE);
    assert.equal(open.headers['access-control-allow-origin'], origin);
    assert.equal(open.headers['access-control-allow-credentials'], 'true');

    const send = await post(`${url}/xhr_send`, '["CONNECT\\naccept-version:1.2\\n\\n\\u0000"]', { headers: { Origin: origin } });
    assert.equal(send.status, 204);
    assert.equal(send.text, '');
    assert.equal(send.headers['access-control-allow-origin'], origin);
    assert.equal(send.headers['access-control-allow-credentials'], 'true');

    const poll = await post(`${url}/xhr`);
    assert.equal(poll.status, 200);
    assert.match(poll.text, /^a\["CONNECTED\\nversion:1\.2\\n/);
    assert.ok(poll.text.endsWith('\\u0000"]\n'), poll.text);
    const frame = parseSockjsFrame(poll.text.slice(0, -1));
    assert.equal(frame.messages.length, 1);
    assert.ok(frame.messages[0].endsWith('\0'));
  });

  test('xhr: OPTIONS preflight allows OPTIONS, POST; GET is 405 with Allow', T, async () => {
    const url = `${base()}/000/${uniqueSid()}`;
    for (const t of ['xhr', 'xhr_send', 'xhr_streaming']) {
      const pre = await request(`${url}/${t}`, { method: 'OPTIONS', headers: { Origin: 'http://a.test' } });
      assert.equal(pre.status, 204, t);
      assert.equal(pre.headers['access-control-allow-methods'], 'OPTIONS, POST', t);
      assert.equal(pre.headers['access-control-allow-origin'], 'http://a.test');
      assert.equal(pre.headers['cache-control'], YEAR_CACHE);
      const get = await request(`${url}/${t}`);
      assert.equal(get.status, 405, `GET ${t}`);
      assert.equal(get.headers.allow, 'OPTIONS, POST', `GET ${t}`);
    }
  });

  test('xhr_send to an unknown session is 404 and creates nothing', T, async () => {
    const url = `${base()}/000/${uniqueSid()}`;
    const res = await post(`${url}/xhr_send`, JSON.stringify([CONNECT]));
    assert.equal(res.status, 404);
    const again = await post(`${url}/xhr_send`, JSON.stringify([CONNECT]));
    assert.equal(again.status, 404);
    // the first receiving request creates the session
    assert.equal((await post(`${url}/xhr`)).text, 'o\n');
  });

  test('bad xhr_send requests (empty, broken JSON, not strings, GET, oversized) are refused without disturbing the session', T, async () => {
    const c = new XhrStomp(base(), { name: 'victim' });
    await c.connect();
    const url = `${c.url}/xhr_send`;
    const expectations = [
      ['', 500, 'Payload expected.'],
      ['   ', 500, 'Payload expected.'],
      ['{}', 500, 'Payload expected.'],
      ['[x', 500, 'Broken JSON encoding.'],
      ['["a", 1]', 500, 'Broken JSON encoding.'],
      ['["unterminated]', 500, 'Broken JSON encoding.'],
    ];
    for (const [body, status, text] of expectations) {
      const res = await post(url, body);
      assert.equal(res.status, status, `body ${JSON.stringify(body)}`);
      assert.equal(res.text, text, `body ${JSON.stringify(body)}`);
      assert.equal(res.headers['content-type'], TEXT);
    }
    const get = await request(url);
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'OPTIONS, POST');

    // a body over the server's HTTP body limit is refused from its Content-Length: 413
    const head = await oversizedPost(srv.port, `/stomp/000/${c.sid}/xhr_send`, 1 << 20);
    assert.match(head, /^HTTP\/1\.1 413 /, head);

    // `[]` is fine: nothing to deliver
    assert.equal((await post(url, '[]')).status, 204);

    // the session still works: a SUBSCRIBE with a receipt is answered on the next poll
    await c.send('SUBSCRIBE', { id: 's1', destination: '/topic/after-bad-requests', receipt: 'after' });
    const receipt = await c.expectFrame('RECEIPT');
    assert.equal(receipt.headers['receipt-id'], 'after');
  });

  test('a keep-alive connection serves xhr polls and sends one after another', T, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const url = `${base()}/000/${uniqueSid()}`;
      const open = await post(`${url}/xhr`, undefined, { agent });
      assert.equal(open.text, 'o\n');
      const send = await post(`${url}/xhr_send`, JSON.stringify([CONNECT]), { agent });
      assert.equal(send.status, 204);
      assert.equal(send.reusedSocket, true, 'xhr_send reused the poll connection');
      const poll = await post(`${url}/xhr`, undefined, { agent });
      assert.match(poll.text, /^a\["CONNECTED/);
      assert.equal(poll.reusedSocket, true);
      const info = await request(`${base()}/info`, { agent });
      assert.equal(info.status, 200);
      assert.equal(info.reusedSocket, true);
    } finally {
      agent.destroy();
    }
  });

  test('any server id is accepted and ignored: sends and polls may use different ones', T, async () => {
    const sid = uniqueSid();
    assert.equal((await post(`${base()}/abc/${sid}/xhr`)).text, 'o\n');
    assert.equal((await post(`${base()}/999/${sid}/xhr_send`, JSON.stringify([CONNECT]))).status, 204);
    const poll = await post(`${base()}/_x_/${sid}/xhr`);
    assert.match(poll.text, /^a\["CONNECTED/);
  });

  test('xhr_streaming: 2048 h + newline prelude, "o", then a[...] lines as messages arrive', T, async () => {
    const sid = uniqueSid();
    const origin = 'http://localhost:3000';
    const s = openStream(`${base()}/000/${sid}/xhr_streaming`, { headers: { Origin: origin }, name: 'xhr_streaming' });
    await s.waitFor((x) => x.text.length >= XHR_STREAMING_PRELUDE.length + 2, 3000, 'prelude + "o"');
    assert.equal(s.status, 200);
    assert.equal(s.headers['content-type'], JAVASCRIPT);
    assert.equal(s.headers['cache-control'], NO_CACHE);
    assert.equal(s.headers['access-control-allow-origin'], origin);
    assert.equal(s.headers['access-control-allow-credentials'], 'true');
    assert.equal(s.text, `${XHR_STREAMING_PRELUDE}o\n`);
    assert.ok(s.chunks[0].text.startsWith('hhhh'), 'the prelude is sent before any message');

    assert.equal((await post(`${base()}/000/${sid}/xhr_send`, JSON.stringify([CONNECT]))).status, 204);
    await s.waitFor((x) => xhrStreamingFrames(x.text).length >= 2, 3000, 'CONNECTED');
    const connected = parseSockjsFrame(xhrStreamingFrames(s.text)[1]);
    assert.equal(connected.type, 'a');
    assert.match(connected.messages[0], /^CONNECTED\nversion:1\.2\n/);

    const sub = stompText('SUBSCRIBE', { id: 'x', destination: `/topic/${sid}`, receipt: 'rx' });
    const pub = stompText('SEND', { destination: `/topic/${sid}` }, 'hello streaming');
    assert.equal((await post(`${base()}/000/${sid}/xhr_send`, JSON.stringify([sub, pub]))).status, 204);
    await s.waitFor((x) => x.text.includes('hello streaming'), 3000, 'the MESSAGE');
    const reader = new StompReader('streaming');
    for (const f of xhrStreamingFrames(s.text).slice(1)) for (const m of parseSockjsFrame(f).messages) reader.push(m);
    assert.deepEqual(reader.frames.drain().map((f) => f.command), ['CONNECTED', 'RECEIPT', 'MESSAGE']);
    assert.equal(s.ended, false, 'the streaming response stays open');
  });

  test('an aborted xhr_streaming response ends the session with c[1002,"Connection interrupted"]', T, async () => {
    const sid = uniqueSid();
    const s = openStream(`${base()}/000/${sid}/xhr_streaming`);
    await s.waitFor((x) => x.text.endsWith('o\n'), 3000, '"o"');
    s.close();
    await sleep(100);
    const next = await post(`${base()}/000/${sid}/xhr`);
    assert.equal(next.text, `${INTERRUPTED}\n`);
    const again = await post(`${base()}/000/${sid}/xhr`);
    assert.equal(again.text, `${INTERRUPTED}\n`, 'every later receiver hears the same close frame');
  });

  test('an aborted xhr poll ends the session with c[1002,"Connection interrupted"]', T, async () => {
    const url = `${base()}/000/${uniqueSid()}`;
    assert.equal((await post(`${url}/xhr`)).text, 'o\n');
    const held = openStream(`${url}/xhr`, { name: 'held poll' });
    await sleep(100);
    // the held poll is the session's receiver: another one is turned away
    assert.equal((await post(`${url}/xhr`)).text, `${ANOTHER_CONNECTION}\n`);
    held.close();
    await sleep(100);
    assert.equal((await post(`${url}/xhr`)).text, `${INTERRUPTED}\n`);
  });

  test('a keep-alive connection is reused after streaming responses end', T, async () => {
    const url = `${base()}/000/${uniqueSid()}`;
    const first = openStream(`${url}/xhr_streaming`, { name: 'first' });
    await first.waitFor((x) => x.text.endsWith('o\n'), 3000, '"o"');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const streaming = await post(`${url}/xhr_streaming`, undefined, { agent });
      assert.equal(streaming.text, `${XHR_STREAMING_PRELUDE}${ANOTHER_CONNECTION}\n`);
      assert.equal(streaming.headers['transfer-encoding'], 'chunked');
      const eventsource = await request(`${url}/eventsource`, { agent });
      assert.equal(eventsource.text, `\r\ndata: ${ANOTHER_CONNECTION}\r\n\r\n`);
      assert.equal(eventsource.reusedSocket, true);
      const htmlfile = await request(`${url}/htmlfile?c=cb`, { agent });
      assert.ok(htmlfile.text.endsWith(`<script>\np(${JSON.stringify(ANOTHER_CONNECTION)});\n</script>\r\n`), htmlfile.text);
      assert.equal(htmlfile.reusedSocket, true);
      const info = await request(`${base()}/info`, { agent });
      assert.equal(info.status, 200);
      assert.equal(info.reusedSocket, true);
    } finally {
      agent.destroy();
    }
  });

  test('HTTP/1.0 streaming: no chunking, no keep-alive, the body ends with the connection', T, async () => {
    const sid = uniqueSid();
    const first = openStream(`${base()}/000/${sid}/xhr_streaming`, { name: 'first' });
    await first.waitFor((x) => x.text.endsWith('o\n'), 3000, '"o"');
    const answer = await rawExchange(
      srv.port,
      `POST /stomp/000/${sid}/xhr_streaming HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n`,
    );
    assert.equal(answer.closed, true, 'the server closes the connection to end the body');
    const [head, ...rest] = answer.text.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.[01] 200 /);
    assert.doesNotMatch(head, /transfer-encoding/i);
    assert.doesNotMatch(head, /content-length/i);
    assert.doesNotMatch(head, /connection: keep-alive/i);
    assert.equal(rest.join('\r\n\r\n'), `${XHR_STREAMING_PRELUDE}${ANOTHER_CONNECTION}\n`);
  });

  test('HTTP/1.0 polling keeps the connection when asked to (Content-Length is known)', T, async () => {
    const sid = uniqueSid();
    const req = (p, body = '') =>
      `POST /stomp/000/${sid}/${p} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: Keep-Alive\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const answer = await rawExchange(srv.port, req('xhr') + req('xhr_send', JSON.stringify([CONNECT])));
    assert.equal(answer.closed, false);
    const responses = answer.text.split(/(?=HTTP\/1\.[01] )/);
    assert.equal(responses.length, 2, answer.text);
    const [head0, body0] = responses[0].split('\r\n\r\n');
    assert.match(head0, /^HTTP\/1\.[01] 200 /);
    assert.match(head0, /\r\nContent-Length: 2(\r\n|$)/i);
    assert.equal(body0, 'o\n');
    assert.match(responses[1], /^HTTP\/1\.[01] 204 /);
  });

  test('HEAD on /stomp/info and the greeting: headers only, and the connection stays usable', T, async () => {
    const answer = await rawExchange(
      srv.port,
      'HEAD /stomp/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' +
        'HEAD /stomp HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' +
        'GET /stomp HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    );
    const responses = answer.text.split(/(?=HTTP\/1\.1 )/);
    assert.equal(responses.length, 3, answer.text);
    assert.match(responses[0], /^HTTP\/1\.1 200 [^]*Content-Type: application\/json[^]*\r\n\r\n$/);
    assert.match(responses[1], /^HTTP\/1\.1 200 [^]*\r\nContent-Length: 19\r\n/);
    assert.ok(responses[1].endsWith('\r\n\r\n'), 'no body after the HEAD headers');
    assert.match(responses[2], /^HTTP\/1\.1 200 [^]*\r\n\r\nWelcome to SockJS!\n$/);
  });

  test('a STOMP DISCONNECT closes the session: c[3000,"Go away!"] on every later poll, sends are 404 after expiry', T, async () => {
    const c = new XhrStomp(base(), { name: 'leaver' });
    await c.connect();
    await c.send('DISCONNECT', { receipt: 'bye' });
    const receipt = await c.expectFrame('RECEIPT');
    assert.equal(receipt.headers['receipt-id'], 'bye');
    const close = await c.poll();
    assert.deepEqual(close, { type: 'c', code: 3000, reason: 'Go away!' });
    assert.equal((await post(`${c.url}/xhr`)).text, `${GO_AWAY}\n`);
    // with --sockjs-disconnect-delay-ms 1000 the closed session is forgotten soon after
    const deadline = Date.now() + 5000;
    let status;
    do {
      await sleep(250);
      status = (await post(`${c.url}/xhr_send`, JSON.stringify([CONNECT]))).status;
    } while (status !== 404 && Date.now() < deadline);
    assert.equal(status, 404);
  });

  test('a second receiver on a session gets c[2010,"Another connection still open"]; the first keeps working', T, async () => {
    const sid = uniqueSid();
    const url = `${base()}/000/${sid}`;
    const first = openStream(`${url}/xhr_streaming`, { name: 'first' });
    await first.waitFor((x) => x.text.endsWith('o\n'), 3000, '"o"');

    const poll = await post(`${url}/xhr`);
    assert.equal(poll.status, 200);
    assert.equal(poll.text, `${ANOTHER_CONNECTION}\n`);

    const second = openStream(`${url}/xhr_streaming`, { name: 'second' });
    await second.waitEnded(3000);
    assert.equal(second.text, `${XHR_STREAMING_PRELUDE}${ANOTHER_CONNECTION}\n`);

    const jsonp = await request(`${url}/jsonp?c=cb`);
    assert.equal(jsonp.text, `/**/cb(${JSON.stringify(ANOTHER_CONNECTION)});\r\n`);

    assert.equal(first.ended, false, 'the first receiver is untouched');
    assert.equal((await post(`${url}/xhr_send`, JSON.stringify([CONNECT]))).status, 204);
    await first.waitFor((x) => x.text.includes('CONNECTED'), 3000, 'CONNECTED on the first receiver');
    assert.deepEqual(xhrStreamingFrames(first.text).map((f) => parseSockjsFrame(f).type), ['o', 'a']);
  });

  test('eventsource: text/event-stream, "\\r\\n" prelude, then "data: o" and data: a[...] events', T, async () => {
    const sid = uniqueSid();
    const s = openStream(`${base()}/000/${sid}/eventsource`, { method: 'GET', name: 'eventsource' });
    await s.waitFor((x) => x.text.length >= 13, 3000, 'prelude + open');
    assert.equal(s.status, 200);
    assert.equal(s.headers['content-type'], 'text/event-stream; charset=UTF-8');
    assert.equal(s.headers['cache-control'], NO_CACHE);
    assert.equal(s.text, '\r\ndata: o\r\n\r\n');
    assert.equal((await post(`${base()}/000/${sid}/xhr_send`, JSON.stringify([CONNECT]))).status, 204);
    await s.waitFor((x) => x.text.split('\r\n\r\n').length >= 3, 3000, 'the CONNECTED event');
    const events = s.text.slice(2).split('\r\n\r\n');
    assert.equal(events[2], '');
    assert.ok(events[1].startsWith('data: a["CONNECTED\\n'), events[1]);
    const frame = parseSockjsFrame(events[1].slice('data: '.length));
    assert.match(frame.messages[0], /^CONNECTED\n/);
  });

  test('eventsource: POST is 405', T, async () => {
    const res = await post(`${base()}/000/${uniqueSid()}/eventsource`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET');
  });

  for (const transport of ['htmlfile', 'jsonp']) {
    test(`${transport}: missing or invalid callback is 500 and creates no session`, T, async () => {
      const sid = uniqueSid();
      const url = `${base()}/000/${sid}/${transport}`;
      const missing = await request(url);
      assert.equal(missing.status, 500);
      assert.equal(missing.text, '"callback" parameter required');
      assert.equal(missing.headers['content-type'], TEXT);
      assert.equal((await request(`${url}?c=`)).text, '"callback" parameter required');
      for (const bad of ['x<y', 'a-b', 'alert(1)', '"quote', 'a b', 'x'.repeat(65)]) {
        const res = await request(`${url}?c=${encodeURIComponent(bad)}`);
        assert.equal(res.status, 500, `c=${bad}`);
        assert.equal(res.text, 'invalid "callback" parameter', `c=${bad}`);
      }
      // nothing was created: a send to the session id is still 404
      assert.equal((await post(`${base()}/000/${sid}/xhr_send`, JSON.stringify([CONNECT]))).status, 404);
    });
  }

  test('htmlfile: a text/html page of at least 1 KiB naming the callback, then <script> p("o") blocks', T, async () => {
    const sid = uniqueSid();
    const callback = 'parent_cb.x_1';
    const s = openStream(`${base()}/000/${sid}/htmlfile?c=${callback}`, { method: 'GET', name: 'htmlfile' });
    const openBlock = '<script>\np("o");\n</script>\r\n';
    await s.waitFor((x) => x.text.endsWith(openBlock), 3000, 'the open script block');
    assert.equal(s.status, 200);
    assert.equal(s.headers['content-type'], HTML);
    assert.equal(s.headers['cache-control'], NO_CACHE);
    const page = s.text.slice(0, -openBlock.length);
    assert.ok(page.length >= 1024, `page is ${page.length} bytes`);
    assert.ok(page.endsWith('\r\n\r\n'));
    assert.ok(page.includes(`var c = parent.${callback};`), page);
    assert.ok(page.includes('function p(d) {c.message(d);};'));
    assert.match(page, /^<!doctype html>\n<html><head>/);

    const sub = stompText('SUBSCRIBE', { id: 'h', destination: `/topic/${sid}`, receipt: 'rh' });
    const pub = stompText('SEND', { destination: `/topic/${sid}` }, '</script><b>"hi"</b>');
    assert.equal((await post(`${base()}/000/${sid}/xhr_send`, JSON.stringify([CONNECT, sub, pub]))).status, 204);
    await s.waitFor((x) => x.text.includes('MESSAGE'), 3000, 'the MESSAGE block');
    const blocks = [...s.text.slice(page.length).matchAll(/<script>\np\(("(?:[^"\\]|\\.)*")\);\n<\/script>\r\n/g)].map((m) => JSON.parse(m[1]));
    assert.equal(blocks[0], 'o');
    const reader = new StompReader('htmlfile');
    for (const f of blocks.slice(1)) for (const m of parseSockjsFrame(f).messages) reader.push(m);
    const frames = reader.frames.drain();
    assert.deepEqual(frames.map((f) => f.command), ['CONNECTED', 'RECEIPT', 'MESSAGE']);
    assert.equal(frames[2].body, '</script><b>"hi"</b>');
    // the message cannot close the script element early
    assert.equal(s.text.slice(page.length).split('</script>').length - 1, blocks.length);
  });

  test('jsonp: /**/cb("o"); then messages; jsonp_send with form-encoded d= and with a plain body both reach the session', T, async () => {
    const sid = uniqueSid();
    const url = `${base()}/000/${sid}`;
    const unwrap = (text) => {
      const m = /^\/\*\*\/cb\.x1\((".*")\);\r\n$/s.exec(text);
      assert.ok(m, `jsonp body: ${JSON.stringify(text)}`);
      return parseSockjsFrame(JSON.parse(m[1]));
    };
    const open = await request(`${url}/jsonp?c=cb.x1`);
    assert.equal(open.status, 200);
    assert.equal(open.headers['content-type'], JAVASCRIPT);
    assert.equal(open.headers['cache-control'], NO_CACHE);
    assert.equal(open.text, '/**/cb.x1("o");\r\n');

    const form = await post(`${url}/jsonp_send`, `d=${encodeURIComponent(JSON.stringify([CONNECT]))}`, {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 200);
    assert.equal(form.text, 'ok');
    assert.equal(form.headers['content-type'], TEXT);
    const connected = unwrap((await request(`${url}/jsonp?c=cb.x1`)).text);
    assert.equal(connected.type, 'a');
    assert.match(connected.messages[0], /^CONNECTED\n/);

    const sub = stompText('SUBSCRIBE', { id: 'j', destination: `/topic/${sid}`, receipt: 'plain-body' });
    const plain = await post(`${url}/jsonp_send`, JSON.stringify([sub]), { headers: { 'Content-Type': 'text/plain' } });
    assert.equal(plain.status, 200);
    assert.equal(plain.text, 'ok');
    const receipt = unwrap((await request(`${url}/jsonp?c=cb.x1`)).text);
    assert.match(receipt.messages[0], /^RECEIPT\nreceipt-id:plain-body\n/);

    // form fields other than d are ignored; `+` decodes to a space
    const pub = stompText('SEND', { destination: `/topic/${sid}` }, 'a b');
    const formBody = `x=1&d=${encodeURIComponent(JSON.stringify([pub])).replace(/%20/g, '+')}`;
    const formed = await post(`${url}/jsonp_send`, formBody, { headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' } });
    assert.equal(formed.text, 'ok');
    const message = unwrap((await request(`${url}/jsonp?c=cb.x1`)).text);
    assert.match(message.messages[0], /^MESSAGE\n/);
    assert.ok(message.messages[0].endsWith('\n\na b\0'), JSON.stringify(message.messages[0]));
  });

  test('jsonp_send: empty, d= empty and broken payloads are 500; unknown session 404; GET 405', T, async () => {
    const sid = uniqueSid();
    const url = `${base()}/000/${sid}`;
    assert.equal((await post(`${url}/jsonp_send`, JSON.stringify([CONNECT]))).status, 404);
    assert.equal((await request(`${url}/jsonp?c=cb`)).text, '/**/cb("o");\r\n');
    const formType = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const cases = [
      ['', {}, 'Payload expected.'],
      ['d=', formType, 'Payload expected.'],
      ['x=1', formType, 'Payload expected.'],
      ['d=%5Bx', formType, 'Broken JSON encoding.'],
      ['[x', {}, 'Broken JSON encoding.'],
    ];
    for (const [body, headers, text] of cases) {
      const res = await post(`${url}/jsonp_send`, body, { headers });
      assert.equal(res.status, 500, `body ${JSON.stringify(body)}`);
      assert.equal(res.text, text, `body ${JSON.stringify(body)}`);
    }
    const get = await request(`${url}/jsonp_send`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    // the session is still usable
    assert.equal((await post(`${url}/jsonp_send`, JSON.stringify([CONNECT]))).text, 'ok');
    assert.match((await request(`${url}/jsonp?c=cb`)).text, /^\/\*\*\/cb\("a\[\\"CONNECTED/);
  });

  test('a member on xhr polling that stops polling is removed after the disconnect delay: the room gets its leave', T, async () => {
    const key = uniqueRoom('sockjs-timeout');
    const watcher = await connectClient(srv.url, { name: 'watcher' });
    const watch = await joinRoom(watcher, key, 'watcher', 'Watcher');

    const poller = new XhrStomp(base(), { name: 'poller' });
    await poller.connect();
    await poller.subscribeRoom(key);
    await poller.sendRoom(key, { type: 'join', from: 'poller', nickname: '폴러' });
    assert.deepEqual(await poller.nextJson(), { type: 'join', from: 'poller', nickname: '폴러' });
    assert.deepEqual(await watch.nextJson(), { type: 'join', from: 'poller', nickname: '폴러' });
    // the poller announces its stream in an offer to the watcher, then never polls again
    const lastPoll = poller.lastPollAt;
    const offer = { type: 'offer', from: 'poller', target: 'watcher', sdp: fakeSdp('offer', 'poller-stream') };
    await poller.sendRoom(key, offer);
    assert.deepEqual(await watch.nextJson(), offer);

    const leave = await watch.nextJson(5000);
    const waited = Date.now() - lastPoll;
    assert.deepEqual(leave, { type: 'leave', from: 'poller', streamId: 'poller-stream' });
    assert.ok(waited >= 900, `the session ended ${waited} ms after the last poll, before the 1000 ms delay`);
    assert.ok(waited < 4000, `the session ended only ${waited} ms after the last poll`);
    // the session is gone
    assert.equal((await post(`${poller.url}/xhr_send`, JSON.stringify([CONNECT]))).status, 404);
    await watch.expectNone(QUIET_MS);
  });

  test('a poll held longer than the disconnect delay, then answered, still ends the session a delay after it', T, async () => {
    const key = uniqueRoom('sockjs-long-poll');
    const watcher = await connectClient(srv.url, { name: 'watcher3' });
    const watch = await joinRoom(watcher, key, 'watcher', 'Watcher');
    const poller = new XhrStomp(base(), { name: 'poller3' });
    await poller.connect();
    await poller.subscribeRoom(key);
    await poller.sendRoom(key, { type: 'join', from: 'p3', nickname: 'P3' });
    assert.deepEqual(await poller.nextJson(), { type: 'join', from: 'p3', nickname: 'P3' });
    assert.deepEqual(await watch.nextJson(), { type: 'join', from: 'p3', nickname: 'P3' });
    // One long poll, held 1.5 s (more than the 1000 ms delay), answered by a chat; no more polls.
    const held = poller.poll(5000);
    await sleep(1500);
    const chat = { type: 'message', nickname: 'Watcher', msg: 'wake up' };
    await watcher.send(chatDest(key), chat);
    assert.equal((await held).type, 'a');
    assert.deepEqual(await watch.nextJson(), chat);
    const leave = await watch.nextJson(5000);
    const waited = Date.now() - poller.lastPollAt;
    assert.deepEqual(leave, { type: 'leave', from: 'p3', streamId: null });
    // Before the fix the session waited for its next heart-beat (25 s) instead.
    assert.ok(waited < 4000, `the session ended ${waited} ms after its last poll answered`);
  });

  test('a member polling regularly is not removed', T, async () => {
    const key = uniqueRoom('sockjs-alive');
    const watcher = await connectClient(srv.url, { name: 'watcher2' });
    const watch = await joinRoom(watcher, key, 'watcher', 'Watcher');
    const poller = new XhrStomp(base(), { name: 'poller2' });
    await poller.connect();
    await poller.subscribeRoom(key);
    await poller.sendRoom(key, { type: 'join', from: 'p2', nickname: 'P2' });
    assert.deepEqual(await poller.nextJson(), { type: 'join', from: 'p2', nickname: 'P2' });
    await watch.nextJson();
    // 2.5 s (2.5 x the disconnect delay) of short polls answered by chat messages
    const until = Date.now() + 2500;
    let n = 0;
    while (Date.now() < until) {
      const chat = { type: 'message', nickname: 'Watcher', msg: `tick ${n}` };
      await watcher.send(chatDest(key), chat);
      assert.deepEqual(await poller.nextJson(), chat);
      assert.deepEqual(await watch.nextJson(), chat);
      n += 1;
      await sleep(300);
    }
    await watch.expectNone(QUIET_MS);
  });

  test('JSON escaping: U+2028, U+200C and Korean round-trip through xhr; the raw bytes carry \\u escapes', T, async () => {
    const key = uniqueRoom('sockjs-json');
    const c = new XhrStomp(base(), { name: 'escaper' });
    await c.connect();
    await c.subscribeRoom(key);
    await c.sendRoom(key, { type: 'join', from: 'esc', nickname: '지수' });
    await c.nextJson();
    const msg = `줄\u2028바꿈\u2029 zero\u200cwidth \u200d\ufeff\u00ad\u0085 한국어 "따옴표" \\ </script> 🎤`;
    const chat = { type: 'message', nickname: '지수', msg };
    // JSON.stringify leaves U+2028 etc. raw: the server must decode raw UTF-8 in xhr_send
    await c.sendRoom(key, chat);
    const got = await c.nextJson();
    assert.deepEqual(got, chat);
    assert.equal(got.msg, msg);

    const raw = c.polls.at(-1);
    const text = raw.toString('utf8');
    for (const escape of ['\\u2028', '\\u2029', '\\u200c', '\\u200d', '\\ufeff', '\\u00ad', '\\u0085', '\\u0000', '\\ud83c\\udfa4']) {
      assert.ok(text.includes(escape), `raw response contains ${escape}: ${text}`);
    }
    for (const ch of ['\u2028', '\u2029', '\u200c', '\u200d', '\ufeff', '\u00ad', '\u0085', '\0']) {
      assert.ok(!raw.includes(Buffer.from(ch, 'utf8')), `raw U+${ch.codePointAt(0).toString(16)} must not be sent`);
    }
    assert.ok(raw.includes(Buffer.from('한국어', 'utf8')), 'Hangul is sent as plain UTF-8');
  });

  test('JSON escaping: \\u escapes in xhr_send (including a surrogate pair) decode to the same text', T, async () => {
    const key = uniqueRoom('sockjs-json-in');
    const c = new XhrStomp(base(), { name: 'escaper-in' });
    await c.connect();
    await c.subscribeRoom(key);
    await c.sendRoom(key, { type: 'join', from: 'esc2', nickname: 'E' });
    await c.nextJson();
    const chat = { type: 'message', nickname: 'E', msg: '안녕\u2028🎤' };
    const frame = stompText('SEND', { destination: chatDest(key) }, JSON.stringify(chat), { contentLength: true });
    // every non-ASCII character written as a \u escape, as an old client might
    const body = JSON.stringify([frame]).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
    assert.ok(/^[\x20-\x7e]*$/.test(body));
    assert.equal((await post(`${c.url}/xhr_send`, body)).status, 204);
    assert.deepEqual(await c.nextJson(), chat);
  });
});

// Writes `text` on a fresh TCP connection; collects what comes back until the server closes or
// `quietMs` pass without data. Returns {text, closed}.
function rawExchange(port, text, { quietMs = 300 } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let closed = false;
    let timer;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: received, closed });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    };
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    socket.on('data', (c) => {
      received += c;
      arm();
    });
    socket.on('end', () => {
      closed = true;
      done();
    });
    socket.write(text);
    arm();
  });
}

// Sends the head of a POST announcing `length` body bytes; returns the response head text.
// The server may answer from the Content-Length alone, so the body is only trickled in while
// no answer has arrived.
function oversizedPost(port, target, length) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to a ${length}-byte POST within 5 s: ${JSON.stringify(received)}`));
    }, 5000);
    socket.setEncoding('utf8');
    socket.on('error', () => {});
    socket.on('data', (c) => {
      received += c;
      if (received.includes('\r\n\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (received) resolve(received);
      else reject(new Error('connection closed without an answer'));
    });
    socket.write(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${length}\r\n\r\n`);
    (async () => {
      const chunk = `["${'x'.repeat(65536 - 4)}",`;
      let sent = 0;
      await sleep(100);
      while (!received && sent < length && !socket.destroyed) {
        const piece = chunk.slice(0, Math.min(chunk.length, length - sent));
        socket.write(piece);
        sent += piece.length;
        await sleep(5);
      }
    })();
  });
}

describe('SockJS xhr_streaming response limit (--sockjs-response-limit 4096)', () => {
  const srv = useServer({ sockjsResponseLimit: 4096 });
  const base = () => `${srv.httpUrl}/stomp`;

  test('the response ends once 4096 bytes are passed; the next xhr_streaming request continues without "o"', T, async () => {
    const sid = uniqueSid();
    const url = `${base()}/000/${sid}`;
    const first = openStream(`${url}/xhr_streaming`, { name: 'first' });
    await first.waitFor((x) => x.text.endsWith('o\n'), 3000, '"o"');
    const sub = stompText('SUBSCRIBE', { id: 'l', destination: `/topic/${sid}`, receipt: 'rl' });
    assert.equal((await post(`${url}/xhr_send`, JSON.stringify([CONNECT, sub]))).status, 204);
    await first.waitFor((x) => x.text.includes('RECEIPT'), 3000, 'RECEIPT');

    const count = 10;
    const body = (i) => `${String(i).padStart(2, '0')}:${'x'.repeat(600)}`;
    const sends = Array.from({ length: count }, (_, i) => stompText('SEND', { destination: `/topic/${sid}` }, body(i)));
    assert.equal((await post(`${url}/xhr_send`, JSON.stringify(sends))).status, 204);
    await first.waitEnded(3000);

    const frames1 = xhrStreamingFrames(first.text);
    assert.equal(first.text.slice(XHR_STREAMING_PRELUDE.length).split('\n').at(-1), '', 'ends after a whole frame');
    const sizes = frames1.map((f) => Buffer.byteLength(f));
    const total = sizes.reduce((a, b) => a + b, 0);
    assert.ok(total >= 4096, `closed after ${total} bytes of frames, before the limit`);
    assert.ok(total - sizes.at(-1) < 4096, `kept sending past the limit: ${total - sizes.at(-1)} bytes before the last frame`);

    const second = openStream(`${url}/xhr_streaming`, { name: 'second' });
    const reader = new StompReader('limit');
    const collect = () => {
      reader.frames.drain();
      reader.buf = '';
      const more = second.text.length > XHR_STREAMING_PRELUDE.length ? xhrStreamingFrames(second.text) : [];
      for (const f of [...frames1.slice(1), ...more]) {
        const frame = parseSockjsFrame(f);
        if (frame.type === 'a') for (const m of frame.messages) reader.push(m);
      }
      return reader.frames.items.filter((f) => f.command === 'MESSAGE');
    };
    await second.waitFor(() => collect().length >= count, 3000, `all ${count} messages`);
    const frames2 = xhrStreamingFrames(second.text);
    assert.ok(frames2.length >= 1);
    assert.equal(parseSockjsFrame(frames2[0]).type, 'a', `the second response starts with messages, not "${frames2[0]}"`);
    assert.ok(!frames2.includes('o'));
    assert.deepEqual(collect().map((f) => f.body), Array.from({ length: count }, (_, i) => body(i)));
    assert.equal(second.ended, false, 'the second response is still under the limit');
  });
});

describe('real sockjs-client xhr-streaming across --sockjs-response-limit 4096', () => {
  const srv = useServer({ sockjsResponseLimit: 4096 });

  test('the client reopens the stream transparently and receives every message in order', T, async () => {
    const key = uniqueRoom('sockjs-limit');
    const c = seedClient(`${srv.httpUrl}/stomp`, 'limited', { transports: ['xhr-streaming'] });
    await c.connected;
    c.subscribe(key);
    c.send(key, { type: 'join', from: 'lim', nickname: '리밋' });
    assert.deepEqual(await c.next(), { type: 'join', from: 'lim', nickname: '리밋' });
    const msgs = Array.from({ length: 30 }, (_, i) => ({ type: 'message', nickname: '리밋', msg: `${i} ${'가'.repeat(200)}` }));
    for (const m of msgs) c.send(key, m);
    for (const m of msgs) assert.deepEqual(await c.next(), m);
    assert.equal(c.sock.readyState, SockJS.OPEN);
  });
});

describe('SockJS session limit (--sockjs-max-sessions 2)', () => {
  const srv = useServer({ sockjsMaxSessions: 2, sockjsDisconnectDelayMs: 300 });
  const base = () => `${srv.httpUrl}/stomp`;

  test('a third HTTP session is refused with 503 until one of the two ends', T, async () => {
    const a = new XhrStomp(base(), { name: 'a' });
    const b = new XhrStomp(base(), { name: 'b' });
    await a.connect();
    await b.open();
    const refused = await post(`${base()}/000/${uniqueSid()}/xhr`);
    assert.equal(refused.status, 503);
    assert.equal(refused.text, 'too many SockJS sessions\n');
    // the live sessions are unaffected
    await a.send('SUBSCRIBE', { id: 'q', destination: '/topic/limit', receipt: 'still-here' });
    assert.equal((await a.expectFrame('RECEIPT')).headers['receipt-id'], 'still-here');
    // the limit counts HTTP sessions only: the websocket transport is still served
    const ws = sockjsWebSocket(`ws://127.0.0.1:${srv.port}/stomp/000/${uniqueSid()}/websocket`, 'ws-at-limit');
    assert.equal(await ws.next(), 'o');
    // a ends; once it has expired a new session fits
    await a.send('DISCONNECT');
    assert.equal((await a.poll()).type, 'c');
    const deadline = Date.now() + 5000;
    let res;
    do {
      await sleep(100);
      res = await post(`${base()}/000/${uniqueSid()}/xhr`);
    } while (res.status === 503 && Date.now() < deadline);
    assert.equal(res.status, 200);
    assert.equal(res.text, 'o\n');
  });
});

describe('SockJS heart-beats (--sockjs-heartbeat-ms 500)', () => {
  const srv = useServer({ sockjsHeartbeatMs: 500 });
  const base = () => `${srv.httpUrl}/stomp`;

  const gaps = (times) => times.slice(1).map((t, i) => t - times[i]);

  test('an idle xhr_streaming receiver gets "h" frames every ~500 ms', T, async () => {
    const s = openStream(`${base()}/000/${uniqueSid()}/xhr_streaming`, { name: 'hb-streaming' });
    await s.waitFor((x) => x.text.endsWith('o\n'), 3000, '"o"');
    const openedAt = Date.now();
    await s.waitFor((x) => xhrStreamingFrames(x.text).filter((f) => f === 'h').length >= 3, 3000, 'three h frames');
    assert.deepEqual(xhrStreamingFrames(s.text), ['o', 'h', 'h', 'h']);
    const hTimes = s.chunks.filter((c) => c.text === 'h\n').map((c) => c.at);
    assert.equal(hTimes.length, 3);
    assert.ok(hTimes[0] - openedAt >= 350, `first h after ${hTimes[0] - openedAt} ms`);
    for (const g of gaps(hTimes)) assert.ok(g >= 350 && g <= 1200, `h gap ${g} ms`);
  });

  test('an idle websocket receiver gets "h" messages every ~500 ms', T, async () => {
    const ws = sockjsWebSocket(`ws://127.0.0.1:${srv.port}/stomp/000/${uniqueSid()}/websocket`, 'hb-ws');
    assert.equal(await ws.next(), 'o');
    const times = [];
    for (let i = 0; i < 3; i += 1) {
      const m = await ws.messages.next(2000);
      assert.equal(m.text, 'h');
      times.push(m.at);
    }
    for (const g of gaps(times)) assert.ok(g >= 350 && g <= 1200, `h gap ${g} ms`);
  });

  test('an idle xhr poll is answered with "h" after ~500 ms', T, async () => {
    const url = `${base()}/000/${uniqueSid()}`;
    assert.equal((await post(`${url}/xhr`)).text, 'o\n');
    const started = Date.now();
    const poll = await post(`${url}/xhr`);
    const took = Date.now() - started;
    assert.equal(poll.text, 'h\n');
    assert.ok(took >= 350 && took <= 1500, `h after ${took} ms`);
  });
});

describe('SockJS websocket transport', () => {
  const srv = useServer();
  const wsUrl = () => `ws://127.0.0.1:${srv.port}/stomp/000/${uniqueSid()}/websocket`;

  test('"o", a JSON-array CONNECT gets a["CONNECTED..."], DISCONNECT ends with c[3000,"Go away!"] and a close', T, async () => {
    const ws = sockjsWebSocket(wsUrl(), 'sockjs-ws');
    assert.equal(await ws.next(), 'o');
    ws.ws.send('["CONNECT\\naccept-version:1.2\\n\\n\\u0000"]');
    const connected = await ws.next();
    assert.match(connected, /^a\["CONNECTED\\nversion:1\.2\\n/);
    assert.equal((await ws.reader.frames.next(0)).command, 'CONNECTED');

    ws.sendFrames(
      stompText('SUBSCRIBE', { id: 'w', destination: '/topic/ws-echo', receipt: 'rw' }),
      stompText('SEND', { destination: '/topic/ws-echo' }, '웹소켓'),
    );
    assert.equal((await ws.reader.frames.next(3000)).command, 'RECEIPT');
    const message = await ws.reader.frames.next(3000);
    assert.equal(message.command, 'MESSAGE');
    assert.equal(message.body, '웹소켓');

    ws.sendFrames(stompText('DISCONNECT', { receipt: 'bye' }));
    const receipt = await ws.reader.frames.next(3000);
    assert.equal(receipt.command, 'RECEIPT');
    assert.equal(receipt.headers['receipt-id'], 'bye');
    // drain the a[] messages that carried the frames above, then the close frame
    let last;
    do last = await ws.next(); while (last.startsWith('a['));
    assert.equal(last, GO_AWAY);
    const closed = await ws.waitClosed();
    assert.equal(closed.code, 1000);
    assert.equal(ws.messages.length, 0, 'nothing after the close frame');
  });

  test('broken JSON on the websocket closes the connection', T, async () => {
    const ws = sockjsWebSocket(wsUrl(), 'broken-json');
    assert.equal(await ws.next(), 'o');
    ws.ws.send('["CONNECT\\n\\n\\u0000"');
    const closed = await ws.waitClosed();
    assert.equal(closed.code, 1002);
  });

  test('an empty websocket message is ignored; a bare JSON string is one message', T, async () => {
    const ws = sockjsWebSocket(wsUrl(), 'lenient');
    assert.equal(await ws.next(), 'o');
    ws.ws.send('');
    ws.ws.send(JSON.stringify(CONNECT));
    assert.match(await ws.next(), /^a\["CONNECTED/);
  });

  test('GET on the websocket URL without an upgrade is 400; POST 405', T, async () => {
    const url = `${srv.httpUrl}/stomp/000/${uniqueSid()}/websocket`;
    const get = await request(url);
    assert.equal(get.status, 400);
    assert.equal(get.text, 'Can "Upgrade" only to "WebSocket".');
    const p = await request(url, { method: 'POST' });
    assert.equal(p.status, 405);
  });
});

describe('SockJS with --no-sockjs-websocket', () => {
  const srv = useServer({ args: ['--no-sockjs-websocket'] });

  test('/info says websocket:false', T, async () => {
    const res = await request(`${srv.httpUrl}/stomp/info`);
    assert.equal(JSON.parse(res.text).websocket, false);
  });

  test('the websocket transport URL is 404, with or without an upgrade', T, async () => {
    const url = `${srv.httpUrl}/stomp/000/${uniqueSid()}/websocket`;
    assert.equal((await request(url)).status, 404);
    const ws = new WebSocket(url.replace('http:', 'ws:'));
    const status = await withTimeout(
      new Promise((resolve) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
        ws.on('open', () => resolve('opened'));
        ws.on('error', () => {});
      }),
      3000,
      'the upgrade answer',
    );
    ws.terminate();
    assert.equal(status, 404);
  });

  test('sockjs-client falls back to xhr-streaming and STOMP works over it', T, async () => {
    const key = uniqueRoom('sockjs-nows');
    const c = seedClient(`${srv.httpUrl}/stomp`, 'fallback');
    await c.connected;
    assert.equal(c.sock.transport, 'xhr-streaming');
    c.subscribe(key);
    c.send(key, { type: 'join', from: 'fb', nickname: 'Fallback' });
    assert.deepEqual(await c.next(), { type: 'join', from: 'fb', nickname: 'Fallback' });
  });
});

describe('real sockjs-client + Stomp.over: the seed flow across transports', () => {
  const srv = useServer({ sockjsDisconnectDelayMs: 1000 });

  for (const transport of ['websocket', 'xhr-streaming', 'xhr-polling', 'eventsource']) {
    test(`sockjs-client connects with transport ${transport}`, T, async () => {
      const c = seedClient(`${srv.httpUrl}/stomp`, transport, { transports: [transport] });
      const connected = await c.connected;
      assert.equal(c.sock.transport, transport);
      assert.ok(connected.headers.session);
      const key = uniqueRoom('sockjs-one');
      c.subscribe(key);
      c.send(key, { type: 'join', from: 'solo', nickname: 'Solo' });
      assert.deepEqual(await c.next(), { type: 'join', from: 'solo', nickname: 'Solo' });
    });
  }

  test('join, targeted offer/answer/ice, Korean chat and leave between websocket, xhr-streaming and xhr-polling clients', T, async () => {
    const key = uniqueRoom('sockjs-seed');
    const url = `${srv.httpUrl}/stomp`;
    const A = seedClient(url, 'alice(websocket)', { transports: ['websocket'] });
    const B = seedClient(url, 'bob(xhr-streaming)', { transports: ['xhr-streaming'] });
    const C = seedClient(url, 'carol(xhr-polling)', { transports: ['xhr-polling'] });
    await Promise.all([A.connected, B.connected, C.connected]);
    assert.deepEqual([A, B, C].map((p) => p.sock.transport), ['websocket', 'xhr-streaming', 'xhr-polling']);

    const join = (from, nickname) => ({ type: 'join', from, nickname });
    A.subscribe(key);
    A.send(key, join('alice', '앨리스'));
    assert.deepEqual(await A.next(), join('alice', '앨리스'));
    B.subscribe(key);
    B.send(key, join('bob', '밥'));
    assert.deepEqual(await B.next(), join('bob', '밥'));
    assert.deepEqual(await A.next(), join('bob', '밥'));
    C.subscribe(key);
    C.send(key, join('carol', '캐롤'));
    assert.deepEqual(await C.next(), join('carol', '캐롤'));
    assert.deepEqual(await A.next(), join('carol', '캐롤'));
    assert.deepEqual(await B.next(), join('carol', '캐롤'));

    // alice -> bob while carol is in the room: only bob sees it
    const offerAB = { type: 'offer', from: 'alice', target: 'bob', sdp: fakeSdp('offer', 'alice-stream') };
    A.send(key, offerAB);
    assert.deepEqual(await B.next(), offerAB);
    const answerBA = { type: 'answer', from: 'bob', target: 'alice', sdp: fakeSdp('answer', 'bob-stream') };
    B.send(key, answerBA);
    assert.deepEqual(await A.next(), answerBA);
    const iceAB = { type: 'ice', from: 'alice', target: 'bob', iceCandidate: { candidate: 'candidate:1 1 udp 2122260223 192.168.0.2 50001 typ host', sdpMid: '0', sdpMLineIndex: 0 } };
    const iceEnd = { type: 'ice', from: 'alice', target: 'bob', iceCandidate: null };
    A.send(key, iceAB);
    A.send(key, iceEnd);
    assert.deepEqual(await B.next(), iceAB);
    assert.deepEqual(await B.next(), iceEnd);

    // both offer to carol, who answers each
    const offerAC = { type: 'offer', from: 'alice', target: 'carol', sdp: fakeSdp('offer', 'alice-stream') };
    A.send(key, offerAC);
    assert.deepEqual(await C.next(), offerAC);
    const offerBC = { type: 'offer', from: 'bob', target: 'carol', sdp: fakeSdp('offer', 'bob-stream') };
    B.send(key, offerBC);
    assert.deepEqual(await C.next(), offerBC);
    const answerCA = { type: 'answer', from: 'carol', target: 'alice', sdp: fakeSdp('answer', 'carol-stream') };
    const answerCB = { type: 'answer', from: 'carol', target: 'bob', sdp: fakeSdp('answer', 'carol-stream') };
    C.send(key, answerCA);
    assert.deepEqual(await A.next(), answerCA);
    C.send(key, answerCB);
    assert.deepEqual(await B.next(), answerCB);

    const chat = { type: 'message', nickname: '캐롤', msg: '안녕하세요! 잘 들려요? 🎤 (xhr-polling)' };
    C.send(key, chat);
    for (const p of [A, B, C]) assert.deepEqual(await p.next(), chat);
    for (const p of [A, B, C]) await p.expectNone(QUIET_MS);

    // every member saw exactly what was meant for it
    assert.deepEqual(A.seen, [join('alice', '앨리스'), join('bob', '밥'), join('carol', '캐롤'), answerBA, answerCA, chat]);
    assert.deepEqual(B.seen, [join('bob', '밥'), join('carol', '캐롤'), offerAB, iceAB, iceEnd, answerCB, chat]);
    assert.deepEqual(C.seen, [join('carol', '캐롤'), offerAC, offerBC, chat]);

    // bob disconnects (STOMP DISCONNECT over xhr-streaming): the others get his leave at once
    await withTimeout(new Promise((resolve) => B.stomp.disconnect(resolve)), 5000, 'bob: DISCONNECT receipt');
    const bobLeave = { type: 'leave', from: 'bob', streamId: 'bob-stream' };
    assert.deepEqual(await A.next(2000), bobLeave);
    assert.deepEqual(await C.next(2000), bobLeave);

    // carol closes the tab (xhr-polling aborted): her session expires after the disconnect delay
    C.sock.close();
    assert.deepEqual(await A.next(5000), { type: 'leave', from: 'carol', streamId: 'carol-stream' });
    await A.expectNone(QUIET_MS);
  });

  test('a websocket client closing abruptly leaves at once', T, async () => {
    const key = uniqueRoom('sockjs-ws-close');
    const url = `${srv.httpUrl}/stomp`;
    const A = seedClient(url, 'stayer', { transports: ['xhr-streaming'] });
    const B = seedClient(url, 'closer', { transports: ['websocket'] });
    await Promise.all([A.connected, B.connected]);
    A.subscribe(key);
    A.send(key, { type: 'join', from: 'stayer', nickname: 'S' });
    await A.next();
    B.subscribe(key);
    B.send(key, { type: 'join', from: 'closer', nickname: 'C' });
    await B.next();
    await A.next();
    const offer = { type: 'offer', from: 'closer', target: 'stayer', sdp: fakeSdp('offer', 'closer-stream') };
    B.send(key, offer);
    assert.deepEqual(await A.next(), offer);
    const started = Date.now();
    B.sock.close();
    assert.deepEqual(await A.next(2000), { type: 'leave', from: 'closer', streamId: 'closer-stream' });
    assert.ok(Date.now() - started < 900, 'a websocket session has no disconnect delay');
  });
});
