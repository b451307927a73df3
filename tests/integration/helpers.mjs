// Shared helpers for the parley integration tests (node:test + @stomp/stompjs over ws).
//
//   startServer(opts)      spawn build/server/parley on a free loopback port
//   startServerOnPort(p,o) the same on a given port (a restart)
//   useServer(opts)        before/after/afterEach hooks around startServer for a file or describe
//   connectClient(url, o)  a real @stomp/stompjs Client with promise-based per-subscription queues
//   rawStomp(url, o)       a raw `ws` socket speaking hand-written STOMP frames
//
// Every server started here is killed in an after() hook (SIGTERM, then SIGKILL after 5 s) and,
// as a last resort, on process exit. A failed test prints the server's stderr.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before } from 'node:test';

import { Client, Versions } from '@stomp/stompjs';
import WebSocket from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SERVER_BIN =
  process.env.PARLEY_BIN ?? path.resolve(here, '..', '..', 'build', 'server', 'parley');

export const STOMP_SUBPROTOCOLS = ['v12.stomp', 'v11.stomp', 'v10.stomp'];

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Timeouts and queues

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// FIFO of received items; next() waits (bounded) for the next one.
export class AsyncQueue {
  constructor(name) {
    this.name = name;
    this.items = [];
    this.waiters = [];
    this.received = 0;
  }

  push(item) {
    this.received += 1;
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(item);
    else this.items.push(item);
  }

  get length() {
    return this.items.length;
  }

  next(timeoutMs = 3000) {
    if (this.items.length > 0) return Promise.resolve(this.items.shift());
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (item) => {
          clearTimeout(waiter.timer);
          resolve(item);
        },
      };
      waiter.timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for the next item of ${this.name}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  // Resolves after `ms` if nothing arrived (and nothing was already queued); otherwise rejects
  // with a description of what arrived.
  async expectNone(ms = 300, describe = (x) => String(x)) {
    if (this.items.length === 0) await sleep(ms);
    if (this.items.length > 0) {
      const got = this.items.map(describe).join(' | ');
      throw new Error(`${this.name}: expected nothing within ${ms} ms, got ${this.items.length}: ${got}`);
    }
  }

  drain() {
    const all = this.items;
    this.items = [];
    return all;
  }
}

// ---------------------------------------------------------------------------------------------
// Server process

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const liveServers = new Set();
process.on('exit', () => {
  for (const s of liveServers) {
    try {
      s.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

const kebab = (key) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

// opts: camelCase option names become --kebab-case flags, e.g. {maxMembers: 2, rateLimit: 5,
// heartbeatSendMs: 500}; `args` appends raw arguments. Returns
// {port, url, wsUrl, sockjsUrl, httpUrl, stop(), stderr(), stdout(), exited, child}.
export async function startServer(opts = {}) {
  const { flagArgs, extraArgs, logLevel } = serverArgs(opts);
  let lastError;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    try {
      return await spawnServer(port, [...flagArgs, ...extraArgs], logLevel);
    } catch (err) {
      lastError = err;
      // a port grabbed between freePort() and bind: try another one
      if (!/address (already )?in use|EADDRINUSE|bind/i.test(String(err.message))) throw err;
    }
  }
  throw lastError;
}

// Runs parley with `args` on an ephemeral port and sends SIGTERM the moment it prints its
// "listening" line (a start that fails never prints it). Resolves {code, signal, stdout, stderr}
// when the process exits; one still running after `timeoutMs` is killed (SIGKILL, code null)
// and its stderr says so.
export function runUntilListening(args = [], timeoutMs = 20_000) {
  return new Promise((resolve) => {
    const child = spawn(SERVER_BIN, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => {
      stderr += `\n[test] parley still running ${timeoutMs} ms after its start${sent ? ' and SIGTERM' : ''}: killed\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!sent && /listening/.test(stdout)) {
        sent = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// The same, on a given port (e.g. a restart where the previous process was): retries the bind
// for up to `bindTimeoutMs` while the port is still held.
export async function startServerOnPort(port, opts = {}, bindTimeoutMs = 5000) {
  const { flagArgs, extraArgs, logLevel } = serverArgs(opts);
  const deadline = Date.now() + bindTimeoutMs;
  for (;;) {
    try {
      return await spawnServer(port, [...flagArgs, ...extraArgs], logLevel);
    } catch (err) {
      if (!/address (already )?in use|EADDRINUSE|bind/i.test(String(err.message)) || Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

function serverArgs(opts) {
  if (!existsSync(SERVER_BIN)) {
    throw new Error(
      `parley binary not found at ${SERVER_BIN}: build it with ` +
        '`cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2` ' +
        '(or set PARLEY_BIN)',
    );
  }
  const { args: extraArgs = [], logLevel = 'warn', ...flags } = opts;
  // PARLEY_TEST_THREADS runs every server that does not choose its own thread count with that
  // many I/O threads: `make sanitize` runs the suite with 1 (one thread corks its writes, see
  // server/src/net/write_cork.hpp), the plain and TSan runs with the default (one per core).
  if (flags.threads === undefined && process.env.PARLEY_TEST_THREADS && !extraArgs.includes('--threads')) {
    flags.threads = process.env.PARLEY_TEST_THREADS;
  }
  const flagArgs = [];
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined || value === null || value === false) continue;
    flagArgs.push(`--${kebab(key)}`);
    if (value !== true) flagArgs.push(String(value));
  }
  return { flagArgs, extraArgs, logLevel };
}

function spawnServer(port, extraArgs, logLevel) {
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--log-level', logLevel, ...extraArgs];
  const child = spawn(SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const server = {
    port,
    args,
    child,
    exited,
    exitStatus: null,
    url: `ws://127.0.0.1:${port}/ws`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    sockjsUrl: `ws://127.0.0.1:${port}/stomp/websocket`,
    httpUrl: `http://127.0.0.1:${port}`,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: () => stopServer(server),
  };
  exited.then((status) => {
    server.exitStatus = status;
    liveServers.delete(server);
  });
  liveServers.add(server);

  return new Promise((resolve, reject) => {
    const ready = `listening on 127.0.0.1:${port}`;
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        stopServer(server).finally(() => reject(err));
      } else {
        resolve(server);
      }
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `parley did not print "${ready}" within 10 s\n` +
              `args: ${args.join(' ')}\nstdout:\n${stdout}\nstderr:\n${stderr}`,
          ),
        ),
      10_000,
    );
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes(ready)) finish();
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      // some loggers print the readiness line on stderr; the contract says stdout, so only
      // stdout counts
    });
    child.on('error', (err) => finish(err));
    exited.then(({ code, signal }) =>
      finish(
        new Error(
          `parley exited before becoming ready (code ${code}, signal ${signal})\n` +
            `args: ${args.join(' ')}\nstdout:\n${stdout}\nstderr:\n${stderr}`,
        ),
      ),
    );
  });
}

async function stopServer(server) {
  if (server.exitStatus) return server.exitStatus;
  server.child.kill('SIGTERM');
  let timer;
  const killed = new Promise((resolve) => {
    timer = setTimeout(() => {
      server.child.kill('SIGKILL');
      resolve();
    }, 5000);
  });
  await Promise.race([server.exited, killed]);
  clearTimeout(timer);
  return server.exited;
}

export function printServerLog(server, why) {
  const tail = (text) => (text.length > 8000 ? `...${text.slice(-8000)}` : text);
  const status = server.exitStatus
    ? `exited (code ${server.exitStatus.code}, signal ${server.exitStatus.signal})`
    : 'still running';
  console.error(
    `--- parley on port ${server.port} (${server.args.join(' ')}), ${status}; ${why} ---\n` +
      `stderr:\n${tail(server.stderr()) || '(empty)'}\n--- end of parley stderr ---`,
  );
}

// Hooks for one server shared by the tests of a file (or of a describe block):
//   const srv = useServer({maxMembers: 2});   ... srv.url, srv.httpUrl, srv.server
// afterEach closes every client the test left open and, when the test failed, prints the
// server's stderr; after() stops the server.
export function useServer(opts = {}) {
  const handle = {
    server: null,
    get url() {
      return handle.server.url;
    },
    get wsUrl() {
      return handle.server.wsUrl;
    },
    get sockjsUrl() {
      return handle.server.sockjsUrl;
    },
    get httpUrl() {
      return handle.server.httpUrl;
    },
    get port() {
      return handle.server.port;
    },
  };
  before(async () => {
    handle.server = await startServer(opts);
  });
  afterEach(async (t) => {
    await closeAllClients();
    if (handle.server && (!t.passed || handle.server.exitStatus)) {
      printServerLog(handle.server, t.passed ? 'server died' : `test "${t.name}" failed`);
    }
  });
  after(async () => {
    await closeAllClients();
    if (handle.server) await handle.server.stop();
  });
  return handle;
}

// ---------------------------------------------------------------------------------------------
// HTTP

export async function httpGet(url, headers = {}) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

// Prometheus text -> [{name, labels: {..}, value}]
export function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[3]) {
      for (const lm of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[lm[1]] = lm[2];
      }
    }
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

// Value of the first sample named `name` whose labels include `labels`; undefined if none.
export function metricValue(samples, name, labels = {}) {
  const hit = samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return hit?.value;
}

export async function getMetrics(httpUrl) {
  const res = await httpGet(`${httpUrl}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${res.text}`);
  return parseMetrics(res.text);
}

// ---------------------------------------------------------------------------------------------
// @stomp/stompjs client wrapper

const openClients = new Set();

export async function closeAllClients() {
  const all = [...openClients];
  openClients.clear();
  await Promise.all(all.map((c) => c.kill().catch(() => {})));
}

// Registers any object with a kill() method for cleanup by closeAllClients().
export function trackClient(client) {
  openClients.add(client);
  return client;
}

let clientCounter = 0;
let receiptCounter = 0;

// A connected stompjs client. Options:
//   connectHeaders, heartbeatIncoming / heartbeatOutgoing (default 0 = off),
//   versions (['1.2','1.1','1.0']), protocols (WebSocket subprotocols, default from versions),
//   connectionTimeout (ms, default 5000), name (for messages).
export async function connectClient(url, opts = {}) {
  const name = opts.name ?? `client-${++clientCounter}`;
  const versions = new Versions(opts.versions ?? ['1.2', '1.1', '1.0']);
  const protocols = opts.protocols ?? versions.protocolVersions();
  const errors = new AsyncQueue(`${name} ERROR frames`);
  const unhandled = new AsyncQueue(`${name} unhandled MESSAGE frames`);
  let socket;
  let resolveClosed;
  const closed = new Promise((resolve) => {
    resolveClosed = resolve;
  });

  const client = new Client({
    webSocketFactory: () => {
      socket = new WebSocket(url, protocols, opts.wsOptions); // e.g. {ca} for wss:// with a test CA
      return socket;
    },
    stompVersions: versions,
    connectHeaders: opts.connectHeaders ?? {},
    heartbeatIncoming: opts.heartbeatIncoming ?? 0,
    heartbeatOutgoing: opts.heartbeatOutgoing ?? 0,
    reconnectDelay: 0,
    connectionTimeout: 0,
    debug: opts.debug ?? (() => {}),
  });

  const wrapper = {
    name,
    client,
    errors,
    unhandled,
    closed, // resolves with the CloseEvent when the WebSocket closes
    isClosed: false,
    connectedFrame: null,
    subscriptions: new Map(),
    get socket() {
      return socket;
    },

    // SUBSCRIBE. With receipt (default) waits until the server confirmed it.
    async subscribe(destination, { headers = {}, receipt = true, timeoutMs = 3000 } = {}) {
      const queue = new AsyncQueue(`${name} ${destination}`);
      const h = { ...headers };
      let receiptPromise;
      if (receipt) {
        h.receipt = `sub-receipt-${++receiptCounter}`;
        receiptPromise = wrapper.receipt(h.receipt, timeoutMs, `RECEIPT for SUBSCRIBE ${destination}`);
      }
      const sub = client.subscribe(destination, (msg) => queue.push(msg), h);
      const handle = {
        id: sub.id,
        destination,
        queue,
        next: (t) => queue.next(t),
        nextBody: async (t) => (await queue.next(t)).body,
        nextJson: async (t) => JSON.parse((await queue.next(t)).body),
        expectNone: (ms) => queue.expectNone(ms, (m) => m.body),
        async unsubscribe({ receipt: withReceipt = true } = {}) {
          if (!withReceipt) {
            sub.unsubscribe();
            return;
          }
          const id = `unsub-receipt-${++receiptCounter}`;
          const p = wrapper.receipt(id, timeoutMs, `RECEIPT for UNSUBSCRIBE ${destination}`);
          sub.unsubscribe({ receipt: id });
          await p;
        },
      };
      wrapper.subscriptions.set(sub.id, handle);
      if (receiptPromise) await receiptPromise;
      return handle;
    },

    // SEND. body: string, Uint8Array (binaryBody) or any other value (JSON-encoded).
    async send(destination, body = '', { headers = {}, receipt = false, timeoutMs = 3000, skipContentLengthHeader } = {}) {
      const h = { ...headers };
      let receiptPromise;
      if (receipt) {
        h.receipt = `send-receipt-${++receiptCounter}`;
        receiptPromise = wrapper.receipt(h.receipt, timeoutMs, `RECEIPT for SEND ${destination}`);
      }
      const params = { destination, headers: h, skipContentLengthHeader };
      if (body instanceof Uint8Array) params.binaryBody = body;
      else if (typeof body === 'string') params.body = body;
      else params.body = JSON.stringify(body);
      client.publish(params);
      if (receiptPromise) return receiptPromise;
      return undefined;
    },

    // Waits for RECEIPT receipt-id:<id>. Fails early (with the ERROR text) if an ERROR arrives.
    receipt(id, timeoutMs = 3000, what = `RECEIPT ${id}`) {
      return withTimeout(
        new Promise((resolve) => client.watchForReceipt(id, resolve)),
        timeoutMs,
        `${name}: ${what}` + (errors.length ? ` (ERROR frames: ${errors.items.map(describeFrame).join(' | ')})` : ''),
      );
    },

    nextError: (t = 3000) => errors.next(t),

    waitClosed(timeoutMs = 3000) {
      return withTimeout(closed, timeoutMs, `${name}: the server to close the WebSocket`);
    },

    // Graceful: DISCONNECT with receipt, then close. Throws if the server never answers.
    async disconnect(timeoutMs = 3000) {
      openClients.delete(wrapper);
      try {
        await withTimeout(client.deactivate(), timeoutMs, `${name}: DISCONNECT receipt / close`);
      } catch (err) {
        await client.deactivate({ force: true }).catch(() => {});
        throw err;
      }
    },

    // Abrupt: drop the TCP connection without DISCONNECT or a close handshake.
    async terminate() {
      openClients.delete(wrapper);
      if (socket && socket.readyState !== WebSocket.CLOSED) socket.terminate();
      await withTimeout(client.deactivate({ force: true }), 3000, `${name}: terminate`).catch(() => {});
    },

    // Cleanup without expectations.
    async kill() {
      openClients.delete(wrapper);
      if (socket && socket.readyState !== WebSocket.CLOSED) socket.terminate();
      await withTimeout(client.deactivate({ force: true }), 1000, 'kill').catch(() => {});
    },
  };

  const connected = new Promise((resolve, reject) => {
    client.onConnect = (frame) => {
      wrapper.connectedFrame = frame;
      resolve(frame);
    };
    client.onStompError = (frame) => {
      errors.push(frame);
      if (!wrapper.connectedFrame) reject(new Error(`${name}: ERROR instead of CONNECTED: ${describeFrame(frame)}`));
    };
    client.onWebSocketClose = (evt) => {
      wrapper.isClosed = true;
      resolveClosed(evt);
      if (!wrapper.connectedFrame) {
        reject(new Error(`${name}: WebSocket closed before CONNECTED (code ${evt?.code} ${evt?.reason ?? ''})`));
      }
    };
    client.onWebSocketError = () => {
      // onWebSocketClose follows and reports it
    };
  });
  client.onUnhandledMessage = (msg) => unhandled.push(msg);

  openClients.add(wrapper);
  client.activate();
  try {
    await withTimeout(connected, opts.connectionTimeout ?? 5000, `${name}: CONNECTED from ${url}`);
  } catch (err) {
    await wrapper.kill();
    throw err;
  }
  return wrapper;
}

export function describeFrame(frame) {
  if (!frame) return String(frame);
  const headers = Object.entries(frame.headers ?? {})
    .map(([k, v]) => `${k}:${v}`)
    .join(', ');
  let body = frame.body ?? '';
  if (body.length > 200) body = `${body.slice(0, 200)}...`;
  return `${frame.command} [${headers}] ${JSON.stringify(body)}`;
}

// ---------------------------------------------------------------------------------------------
// Rooms

let roomCounter = 0;
// A fresh, valid room key (1–64 chars of [A-Za-z0-9_-]).
export function uniqueRoom(prefix = 'room') {
  roomCounter += 1;
  return `${prefix}-${process.pid}-${roomCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

export const roomDest = (key) => `/exchange/chat.exchange/room.${key}`;
export const chatDest = (key) => `/chat/room.${key}`;

// Subscribes `client` to the room, sends join and waits for the join echo. Returns the
// subscription handle (its queue is empty afterwards unless others' messages arrived too).
export async function joinRoom(client, key, from, nickname, { headers = {} } = {}) {
  const sub = await client.subscribe(roomDest(key), { headers });
  await client.send(chatDest(key), { type: 'join', from, nickname });
  // skip anything that is not our own join echo (e.g. peers/history replies asked for)
  const skipped = [];
  for (;;) {
    const msg = await sub.next(3000);
    const json = JSON.parse(msg.body);
    if (json.type === 'join' && json.from === from) break;
    skipped.push(msg);
  }
  // keep skipped messages for the caller, in order
  sub.queue.items.unshift(...skipped);
  return sub;
}

// A minimal Chrome-like SDP announcing one stream.
export function fakeSdp(type, streamId, trackId = `${streamId}-audio`) {
  const sdp = [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=extmap-allow-mixed',
    `a=msid-semantic: WMS ${streamId}`,
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    'a=mid:0',
    'a=sendrecv',
    `a=msid:${streamId} ${trackId}`,
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    '',
  ].join('\r\n');
  // the seed sends RTCPeerConnection.localDescription, which serializes as {type, sdp}
  return { type, sdp };
}

// ---------------------------------------------------------------------------------------------
// Raw STOMP over a `ws` socket

function unescapeHeader(text) {
  return text.replace(/\\([rnc\\])/g, (_, c) => ({ r: '\r', n: '\n', c: ':', '\\': '\\' })[c]);
}

function escapeHeader(text) {
  return String(text)
    .replace(/\\/g, '\\\\')
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/:/g, '\\c');
}

// Encodes a frame. body: string or Buffer. contentLength: true adds content-length.
export function encodeFrame(command, headers = {}, body = '', { contentLength = false, escape = false } = {}) {
  const bodyBuf = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  let head = `${command}\n`;
  for (const [k, v] of Object.entries(headers)) {
    head += escape ? `${escapeHeader(k)}:${escapeHeader(v)}\n` : `${k}:${v}\n`;
  }
  if (contentLength) head += `content-length:${bodyBuf.length}\n`;
  head += '\n';
  return Buffer.concat([Buffer.from(head, 'utf8'), bodyBuf, Buffer.from([0])]);
}

// A raw client. Records every incoming WebSocket message time (activity) and every heart-beat
// EOL; parses frames (content-length aware, NUL-terminated otherwise).
// wsOptions: passed to `ws` (e.g. {localAddress: '127.0.0.2'} to come from another address).
export function rawStomp(url, { protocols = STOMP_SUBPROTOCOLS, name = 'raw', wsOptions } = {}) {
  const ws = new WebSocket(url, protocols, wsOptions);
  const frames = new AsyncQueue(`${name} frames`);
  const activity = []; // timestamps of incoming WebSocket messages
  const heartbeats = []; // timestamps of heart-beat EOLs between frames
  let buf = Buffer.alloc(0);
  let version = null;
  let parseError = null;

  const parse = () => {
    for (;;) {
      // heart-beats: EOLs between frames
      while (buf.length > 0 && (buf[0] === 0x0a || (buf[0] === 0x0d && buf[1] === 0x0a))) {
        heartbeats.push(Date.now());
        buf = buf.subarray(buf[0] === 0x0d ? 2 : 1);
      }
      if (buf.length === 0) return;
      let headEnd = buf.indexOf('\n\n');
      let sepLen = 2;
      const crlf = buf.indexOf('\r\n\r\n');
      if (crlf >= 0 && (headEnd < 0 || crlf < headEnd)) {
        headEnd = crlf;
        sepLen = 4;
      }
      if (headEnd < 0) return;
      const lines = buf.subarray(0, headEnd).toString('utf8').split(/\r?\n/);
      const command = lines.shift();
      const headers = {};
      const headerList = [];
      const doUnescape = command !== 'CONNECTED' && version && version !== '1.0';
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i < 0) {
          parseError = `header line without colon: ${JSON.stringify(line)}`;
          continue;
        }
        const k = doUnescape ? unescapeHeader(line.slice(0, i)) : line.slice(0, i);
        const v = doUnescape ? unescapeHeader(line.slice(i + 1)) : line.slice(i + 1);
        headerList.push([k, v]);
        if (!(k in headers)) headers[k] = v;
      }
      const bodyStart = headEnd + sepLen;
      let body;
      let end;
      if (headers['content-length'] !== undefined) {
        const len = Number(headers['content-length']);
        if (buf.length < bodyStart + len + 1) return;
        body = buf.subarray(bodyStart, bodyStart + len);
        if (buf[bodyStart + len] !== 0) parseError = `no NUL after content-length ${len} body`;
        end = bodyStart + len + 1;
      } else {
        const nul = buf.indexOf(0, bodyStart);
        if (nul < 0) return;
        body = buf.subarray(bodyStart, nul);
        end = nul + 1;
      }
      buf = buf.subarray(end);
      const frame = {
        command,
        headers,
        headerList,
        binaryBody: Buffer.from(body),
        body: body.toString('utf8'),
        at: Date.now(),
      };
      if (command === 'CONNECTED') version = headers.version ?? '1.0';
      frames.push(frame);
    }
  };

  let resolveClosed;
  const closed = new Promise((resolve) => {
    resolveClosed = resolve;
  });
  const opened = new Promise((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', reject);
  });
  ws.on('error', () => {});
  ws.on('message', (data) => {
    activity.push(Date.now());
    const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    buf = Buffer.concat([buf, chunk]);
    parse();
  });
  ws.on('close', (code, reason) => resolveClosed({ code, reason: reason.toString(), at: Date.now() }));

  const raw = {
    ws,
    frames,
    activity,
    heartbeats,
    closed,
    opened: withTimeout(opened, 5000, `${name}: WebSocket open ${url}`),
    get protocol() {
      return ws.protocol;
    },
    get version() {
      return version;
    },
    get parseError() {
      return parseError;
    },
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
    // raw bytes/text as one WebSocket message (text frame for strings)
    sendRaw(data) {
      ws.send(data);
    },
    sendFrame(command, headers = {}, body = '', opts = {}) {
      const bytes = encodeFrame(command, headers, body, opts);
      if (opts.binary) ws.send(bytes);
      else ws.send(bytes.toString('utf8'));
    },
    nextFrame: (t = 3000) => frames.next(t),
    // next frame with the given command; other frames in between fail the call
    async expectFrame(command, t = 3000) {
      const f = await frames.next(t);
      if (f.command !== command) {
        throw new Error(`${name}: expected ${command}, got ${f.command} ${JSON.stringify(f.headers)} ${JSON.stringify(f.body)}`);
      }
      return f;
    },
    expectNoFrame: (ms = 300) => frames.expectNone(ms, (f) => `${f.command} ${f.body}`),
    waitClosed(t = 3000) {
      return withTimeout(closed, t, `${name}: the server to close the WebSocket`);
    },
    // CONNECT (headers as given; pass {} for the legacy header-less CONNECT) -> CONNECTED frame
    async connect(headers = { 'accept-version': '1.2,1.1,1.0', host: '127.0.0.1' }, t = 3000) {
      await raw.opened;
      raw.sendFrame('CONNECT', headers);
      return raw.expectFrame('CONNECTED', t);
    },
    close() {
      openClients.delete(raw);
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
    },
    kill() {
      raw.close();
      return Promise.resolve();
    },
  };
  openClients.add(raw);
  return raw;
}
