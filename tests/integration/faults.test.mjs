// Fault injection against real parley processes (issue 8): TCP resets in the middle of STOMP
// frames, WebSocket frames, HTTP requests and SockJS xhr_send bodies; half-open connections
// (no FIN, no more bytes) reaped by the STOMP heart-beat and by WebSocket keep-alive pings;
// clients that never read; 10 000 connections opened and dropped; SIGTERM while receipted
// SENDs are in flight. Each test checks that the server stays up, that a member lost this way
// leaves its room exactly once, that the gauges come back to where they were, and that the
// other clients are served meanwhile. Measured figures are printed (console.log).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { describe, test } from 'node:test';

import WebSocket from 'ws';

import {
  STOMP_SUBPROTOCOLS,
  chatDest,
  connectClient,
  encodeFrame,
  fakeSdp,
  joinRoom,
  metricValue,
  parseMetrics,
  printServerLog,
  rawStomp,
  roomDest,
  sleep,
  startServer,
  trackClient,
  uniqueRoom,
  useServer,
  withTimeout,
} from './helpers.mjs';

// ---------------------------------------------------------------------------------------------
// Plumbing

// One HTTP request on a fresh connection (agent: false: "Connection: close", so the request
// holds no server connection once answered). Returns {status, text}; `handle.req` aborts it.
function httpRequest(port, { method = 'GET', path = '/', headers = {}, body, timeoutMs = 5000, handle } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode, text }));
      res.on('error', reject);
    });
    if (handle) handle.req = req;
    req.on('error', reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
    req.end(body);
  });
}

async function scrape(port) {
  const res = await httpRequest(port, { path: '/metrics' });
  assert.equal(res.status, 200, `GET /metrics: ${res.status}`);
  return parseMetrics(res.text);
}

// The gauges a lost client must give back. A scrape holds one connection itself.
async function gauges(port) {
  const m = await scrape(port);
  return {
    connections: metricValue(m, 'parley_connections'),
    sessions: metricValue(m, 'parley_sessions'),
    sockjs: metricValue(m, 'parley_sockjs_sessions'),
    members: metricValue(m, 'parley_members'),
    rooms: metricValue(m, 'parley_rooms'),
  };
}

async function counter(port, name, labels = {}) {
  return metricValue(await scrape(port), name, labels) ?? 0;
}

async function eventually(check, what, ms = 3000, every = 50) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await check();
    if (last === true) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await sleep(every);
  }
}

// Polls until every gauge in `expected` has its value again; returns how long it took.
async function gaugesBack(port, expected, ms = 5000) {
  const t0 = Date.now();
  await eventually(
    async () => {
      const now = await gauges(port);
      return Object.entries(expected).every(([k, v]) => now[k] === v) || now;
    },
    `gauges back to ${JSON.stringify(expected)}`,
    ms,
  );
  return Date.now() - t0;
}

async function assertHealthy(srv) {
  assert.equal(srv.server.exitStatus, null, 'the server process is still running');
  const res = await httpRequest(srv.port, { path: '/api/health' });
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.text).status, 'ok');
}

const procStatus = (pid) => readFileSync(`/proc/${pid}/status`, 'utf8');
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(procStatus(pid))[1]);
const fdCount = (pid) => readdirSync(`/proc/${pid}/fd`).length;

// The parsed JSON bodies a stompjs subscription received, in order (its queue is left alone and
// read as a log: nobody calls next() on it).
const bodies = (sub) => sub.queue.items.map((m) => JSON.parse(m.body));
const leavesOf = (sub, from) => bodies(sub).filter((j) => j.type === 'leave' && j.from === from);

async function waitForLeave(sub, from, ms) {
  await eventually(() => leavesOf(sub, from).length > 0, `the leave of ${from}`, ms, 10);
  return Date.now();
}

// ---------------------------------------------------------------------------------------------
// A WebSocket client written on a bare TCP socket: the test decides every byte, half frames
// included, and owns the socket (pause it, reset it).

function wsFrame(opcode, payload) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  let header;
  if (data.length < 126) {
    header = Buffer.alloc(2);
    header[1] = data.length;
  } else if (data.length < 65536) {
    header = Buffer.alloc(4);
    header[1] = 126;
    header.writeUInt16BE(data.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(data.length), 2);
  }
  header[0] = 0x80 | opcode;
  header[1] |= 0x80; // client frames are masked
  const key = crypto.randomBytes(4);
  const masked = Buffer.from(data);
  for (let i = 0; i < masked.length; i += 1) masked[i] ^= key[i & 3];
  return Buffer.concat([header, key, masked]);
}

class RawWs {
  static open(port, { localAddress, path = '/ws', protocol = 'v12.stomp', timeoutMs = 5000 } = {}) {
    return withTimeout(
      new Promise((resolve, reject) => {
        const socket = net.connect({ host: '127.0.0.1', port, localAddress });
        const key = crypto.randomBytes(16).toString('base64');
        let buf = Buffer.alloc(0);
        const onData = (chunk) => {
          buf = Buffer.concat([buf, chunk]);
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          socket.off('data', onData);
          const head = buf.subarray(0, end).toString('latin1');
          const accept = crypto.createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
          if (!/^HTTP\/1\.1 101 /.test(head) || !head.includes(`Sec-WebSocket-Accept: ${accept}`)) {
            socket.destroy();
            reject(new Error(`WebSocket upgrade refused: ${head}`));
            return;
          }
          resolve(new RawWs(socket, buf.subarray(end + 4)));
        };
        socket.on('data', onData);
        socket.on('error', reject);
        socket.on('connect', () =>
          socket.write(
            `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
              `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
          ),
        );
      }),
      timeoutMs,
      `WebSocket upgrade on :${port}`,
    );
  }

  constructor(socket, rest) {
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.text = ''; // every text/binary payload, concatenated (STOMP frames end with NUL)
    this.pings = [];
    this.closeFrame = null;
    this.autoPong = true;
    this.closed = new Promise((resolve) => socket.on('close', () => resolve(Date.now())));
    socket.on('error', () => {});
    socket.on('data', (chunk) => this.onData(chunk));
    trackClient(this);
    if (rest.length) this.onData(rest);
  }

  onData(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const b = this.buf;
      if (b.length < 2) return;
      let len = b[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      if (b.length < off + len) return;
      const opcode = b[0] & 0x0f;
      const payload = b.subarray(off, off + len);
      this.buf = b.subarray(off + len);
      if (opcode === 0 || opcode === 1 || opcode === 2) this.text += payload.toString('utf8');
      else if (opcode === 8) this.closeFrame = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      else if (opcode === 9) {
        this.pings.push(Date.now());
        if (this.autoPong && !this.socket.destroyed) this.socket.write(wsFrame(0xa, payload));
      }
    }
  }

  sendText(text) {
    this.socket.write(wsFrame(1, text));
  }

  sendFrame(command, headers = {}, body = '', opts = {}) {
    this.sendText(encodeFrame(command, headers, body, opts).toString('utf8'));
  }

  async waitFor(pattern, ms = 3000) {
    const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    await eventually(() => re.test(this.text), `${re} from the server (got ${JSON.stringify(this.text.slice(-300))})`, ms, 10);
  }

  // Silent from now on: never reads (so never answers a ping) and never writes. No FIN.
  goSilent() {
    this.autoPong = false;
    this.socket.pause();
  }

  reset() {
    this.socket.resetAndDestroy();
  }

  kill() {
    if (!this.socket.destroyed) this.socket.destroy();
    return Promise.resolve();
  }
}

// CONNECT, SUBSCRIBE to the room (receipt), join as `from`; with `streamId`, also an offer to
// `target` announcing that stream (so its leave must carry it).
async function rawMember(port, key, from, { heartBeat = '0,0', streamId, target, localAddress } = {}) {
  const ws = await RawWs.open(port, { localAddress });
  ws.sendText(`CONNECT\naccept-version:1.2\nhost:127.0.0.1\nheart-beat:${heartBeat}\n\n\0`);
  await ws.waitFor(/^CONNECTED\n/);
  ws.sendFrame('SUBSCRIBE', { id: 'room', destination: roomDest(key), receipt: `sub-${from}` });
  await ws.waitFor(`receipt-id:sub-${from}\n`);
  ws.sendFrame('SEND', { destination: chatDest(key), 'content-type': 'application/json' }, JSON.stringify({ type: 'join', from, nickname: from.toUpperCase() }), { contentLength: true });
  if (streamId) {
    ws.sendFrame(
      'SEND',
      { destination: chatDest(key), 'content-type': 'application/json', receipt: `offer-${from}` },
      JSON.stringify({ type: 'offer', from, target, sdp: fakeSdp('offer', streamId) }),
      { contentLength: true },
    );
    await ws.waitFor(`receipt-id:offer-${from}\n`);
  }
  return ws;
}

// A member that chats every `everyMs` (sequence numbers in msg) until stop(), which sends one
// last message with a receipt and resolves with how many were sent.
function chatter(client, key, nickname, everyMs = 20) {
  let seq = 0;
  let failed = null;
  const timer = setInterval(() => {
    client.send(chatDest(key), { type: 'message', nickname, msg: `chat-${seq}` }).catch((err) => {
      failed = err;
    });
    seq += 1;
  }, everyMs);
  return {
    get sent() {
      return seq;
    },
    async stop() {
      clearInterval(timer);
      if (failed) throw failed;
      await client.send(chatDest(key), { type: 'message', nickname, msg: `chat-${seq}` }, { receipt: true });
      seq += 1;
      return seq;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 1. Resets mid-frame

describe('abrupt TCP resets in the middle of a frame or request', () => {
  const srv = useServer({ sockjsDisconnectDelayMs: 1000 });

  test('RST mid STOMP frame, mid WebSocket frame, mid HTTP request and mid xhr_send body: one leave each, gauges back, others unaffected', { timeout: 20_000 }, async () => {
    const key = uniqueRoom('rst');
    const a = await connectClient(srv.url, { name: 'a' });
    const subA = await joinRoom(a, key, 'a', 'A');
    const b = await connectClient(srv.url, { name: 'b' });
    await joinRoom(b, key, 'b', 'B');
    await eventually(() => bodies(subA).some((j) => j.type === 'join' && j.from === 'b'), "a sees b's join");
    const baseline = await gauges(srv.port);
    assert.deepEqual(baseline, { connections: 3, sessions: 2, sockjs: 0, members: 2, rooms: 1 }, 'a, b and the scrape itself');

    const talk = chatter(b, key, 'B');

    // v1: a whole WebSocket message holding half a STOMP SEND (content-length promises more).
    const v1 = await rawMember(srv.port, key, 'v1', { streamId: 'v1-stream', target: 'a' });
    const v1Body = JSON.stringify({ type: 'message', nickname: 'V1', msg: `HALF-v1 ${'x'.repeat(3000)}` });
    v1.sendText(
      `SEND\ndestination:${chatDest(key)}\ncontent-type:application/json\ncontent-length:${Buffer.byteLength(v1Body)}\n\n${v1Body.slice(0, 1000)}`,
    );
    await sleep(150);
    v1.reset();
    await waitForLeave(subA, 'v1', 3000);

    // v2: half a WebSocket frame (header announces the whole SEND, half the payload comes).
    const v2 = await rawMember(srv.port, key, 'v2');
    const v2Frame = wsFrame(
      1,
      encodeFrame('SEND', { destination: chatDest(key) }, JSON.stringify({ type: 'message', nickname: 'V2', msg: `HALF-v2 ${'y'.repeat(3000)}` })),
    );
    v2.socket.write(v2Frame.subarray(0, Math.floor(v2Frame.length / 2)));
    await sleep(150);
    v2.reset();
    await waitForLeave(subA, 'v2', 3000);

    // v3: the `ws` library's own socket, reset after a STOMP frame without its NUL.
    const v3 = rawStomp(srv.url, { name: 'v3' });
    await v3.connect();
    v3.sendFrame('SUBSCRIBE', { id: 'room', destination: roomDest(key), receipt: 'sub-v3' });
    await v3.expectFrame('RECEIPT');
    v3.sendFrame('SEND', { destination: chatDest(key) }, JSON.stringify({ type: 'join', from: 'v3', nickname: 'V3' }));
    v3.sendRaw(`SEND\ndestination:${chatDest(key)}\n\n${JSON.stringify({ type: 'message', nickname: 'V3', msg: 'HALF-v3' })}`);
    await eventually(() => bodies(subA).some((j) => j.type === 'join' && j.from === 'v3'), "v3's join");
    await sleep(100);
    v3.ws._socket.resetAndDestroy();
    await waitForLeave(subA, 'v3', 3000);

    // h1: an HTTP request reset in its headers; h2: a POST reset in its body.
    for (const partial of [
      'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: abc',
      `POST /stomp/000/nosuch/xhr_send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 5000\r\n\r\n["SEND\\n${'z'.repeat(500)}`,
    ]) {
      const s = net.connect({ host: '127.0.0.1', port: srv.port });
      s.on('error', () => {});
      await new Promise((resolve) => s.once('connect', resolve));
      s.write(partial);
      await sleep(100);
      s.resetAndDestroy();
    }

    // sj: a SockJS xhr session in the room; one of its xhr_send bodies is cut by a reset.
    const sid = `faults${process.pid}${Math.random().toString(36).slice(2, 8)}`;
    const base = `/stomp/000/${sid}`;
    const sj = { text: '', stopped: false, poll: {} };
    assert.equal((await httpRequest(srv.port, { method: 'POST', path: `${base}/xhr` })).text, 'o\n');
    const xhrSend = async (...frames) => {
      const res = await httpRequest(srv.port, {
        method: 'POST',
        path: `${base}/xhr_send`,
        headers: { 'Content-Type': 'text/plain' },
        body: JSON.stringify(frames),
      });
      assert.equal(res.status, 204, `xhr_send: ${res.status} ${res.text}`);
    };
    const polling = (async () => {
      while (!sj.stopped) {
        const res = await httpRequest(srv.port, { method: 'POST', path: `${base}/xhr`, timeoutMs: 30_000, handle: sj.poll }).catch(() => null);
        if (!res) return;
        if (res.text.startsWith('a')) sj.text += JSON.parse(res.text.slice(1)).join('');
        if (res.text.startsWith('c')) return;
      }
    })();
    await xhrSend('CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0');
    await eventually(() => sj.text.startsWith('CONNECTED\n'), 'CONNECTED over xhr');
    await xhrSend(
      encodeFrame('SUBSCRIBE', { id: 'room', destination: roomDest(key) }).toString(),
      encodeFrame('SEND', { destination: chatDest(key) }, JSON.stringify({ type: 'join', from: 'sj', nickname: 'SJ' })).toString(),
    );
    await eventually(() => bodies(subA).some((j) => j.type === 'join' && j.from === 'sj'), "sj's join");
    const halfBody = JSON.stringify([encodeFrame('SEND', { destination: chatDest(key) }, JSON.stringify({ type: 'message', nickname: 'SJ', msg: `HALF-sj ${'w'.repeat(2000)}` })).toString()]);
    const s = net.connect({ host: '127.0.0.1', port: srv.port });
    s.on('error', () => {});
    await new Promise((resolve) => s.once('connect', resolve));
    s.write(
      `POST ${base}/xhr_send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(halfBody)}\r\n\r\n${halfBody.slice(0, 1000)}`,
    );
    await sleep(150);
    s.resetAndDestroy();
    // The session lives on and its STOMP stream is intact: a whole xhr_send still lands.
    await xhrSend(encodeFrame('SEND', { destination: chatDest(key) }, JSON.stringify({ type: 'message', nickname: 'SJ', msg: 'sj-after-reset' })).toString());
    await eventually(() => bodies(subA).some((j) => j.msg === 'sj-after-reset'), "sj's message after the reset");
    assert.equal(leavesOf(subA, 'sj').length, 0, 'a reset xhr_send does not end the SockJS session');
    // Now its receiving connection is reset too: the session ends (disconnect delay 1 s).
    sj.stopped = true;
    const sjGone = Date.now();
    sj.poll.req.socket?.resetAndDestroy();
    await polling;
    const sjLeft = await waitForLeave(subA, 'sj', 4000);
    console.log(`# SockJS member's leave ${sjLeft - sjGone} ms after its receiving connection was reset (disconnect delay 1000 ms)`);

    const sent = await talk.stop();
    await eventually(() => bodies(subA).filter((j) => j.type === 'message' && j.nickname === 'B').length >= sent, `all ${sent} chat lines at a`, 5000);
    await sleep(300); // a second leave, or a late half frame, would show up now

    const got = bodies(subA);
    const chat = got.filter((j) => j.type === 'message' && j.nickname === 'B').map((j) => j.msg);
    assert.deepEqual(chat, Array.from({ length: sent }, (_, i) => `chat-${i}`), 'b -> a: every line, in order, once');
    assert.ok(sent >= 50, `b chatted ${sent} lines while the faults happened`);
    assert.deepEqual(leavesOf(subA, 'v1'), [{ type: 'leave', from: 'v1', streamId: 'v1-stream' }]);
    for (const from of ['v2', 'v3', 'sj']) assert.deepEqual(leavesOf(subA, from), [{ type: 'leave', from, streamId: null }]);
    assert.deepEqual(got.filter((j) => /HALF/.test(j.msg ?? '')), [], 'no part of a cut frame was delivered');
    assert.equal(got.filter((j) => j.type === 'offer').length, 1, "v1's offer reached its target");

    const back = await gaugesBack(srv.port, baseline);
    console.log(`# gauges back to ${JSON.stringify(baseline)} ${back} ms after the last fault; b sent ${sent} lines meanwhile`);
    await assertHealthy(srv);
    assert.equal(a.isClosed, false);
    assert.equal(b.isClosed, false);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Half-open connections

// 'open', or why a WebSocket from `localAddress` could not open (e.g. a 503 over a limit).
const tryOpen = (port, localAddress) =>
  RawWs.open(port, { localAddress }).then(
    (ws) => {
      ws.kill();
      return 'open';
    },
    (err) => err.message.split('\r\n')[0],
  );

// How long (ms, from `since`) until parley_connections is back to `expected`; null if it is
// not within `ms`.
async function connectionGivenBack(port, expected, since, ms) {
  try {
    await gaugesBack(port, { connections: expected }, ms);
    return Date.now() - since;
  } catch {
    return null;
  }
}

describe('half-open connections (peer silent, no FIN)', () => {
  describe('STOMP heart-beat (--heartbeat-recv-ms 500 --heartbeat-grace 2 --max-connections-per-ip 1)', () => {
    // --handshake-timeout-ms also bounds the WebSocket close handshake the silent peer never
    // answers (Beast), so the TCP connection can go 1 s after the session.
    const srv = useServer({ heartbeatRecvMs: 500, heartbeatGrace: 2, handshakeTimeoutMs: 1000, maxConnectionsPerIp: 1 });

    test('a client that promised heart-beats and goes silent is dropped after 2 x 500 ms, leaves once, is counted', { timeout: 20_000 }, async () => {
      const key = uniqueRoom('halfopen');
      const a = await connectClient(srv.url, { name: 'a' });
      const subA = await joinRoom(a, key, 'a', 'A');
      const baseline = await gauges(srv.port);
      const timeoutsBefore = await counter(srv.port, 'parley_errors_total', { reason: 'heartbeat_timeout' });

      // heart-beat:500,0 — the client will send every 500 ms (cx), wants nothing back.
      const ws = await rawMember(srv.port, key, 'mute', { heartBeat: '500,0', streamId: 'mute-stream', target: 'a' });
      assert.match(ws.text, /^CONNECTED\n[^\0]*heart-beat:0,500\n/, 'the server will check every 500 ms');
      const silentSince = Date.now(); // the offer with its receipt was the last exchange
      ws.goSilent();

      const left = await waitForLeave(subA, 'mute', 5000);
      const dropMs = left - silentSince;
      console.log(`# half-open STOMP client: leave ${dropMs} ms after it went silent (bound: 2 x 500 = 1000 ms)`);
      assert.ok(dropMs >= 900, `dropped after ${dropMs} ms: earlier than 2 x the negotiated 500 ms`);
      assert.ok(dropMs <= 1000 + 700, `dropped after ${dropMs} ms (2 x 500 ms + 700 ms slack)`);
      await sleep(300);
      assert.deepEqual(leavesOf(subA, 'mute'), [{ type: 'leave', from: 'mute', streamId: 'mute-stream' }]);
      assert.equal(await counter(srv.port, 'parley_errors_total', { reason: 'heartbeat_timeout' }), timeoutsBefore + 1);
      const now = await gauges(srv.port);
      assert.deepEqual({ sessions: now.sessions, members: now.members }, { sessions: baseline.sessions, members: baseline.members });
      assert.equal(a.isClosed, false, 'the member that stayed is not affected');
      await assertHealthy(srv);
    });

    // The session is gone after 2 x 500 ms, and the server closes the socket one close
    // handshake later (--handshake-timeout-ms 1000): its connection slot must go with it, or the
    // address cannot come back (here 1 connection per address) and parley_connections drifts.
    // Known failure (reported): WsSession::arm_timer() evaluates session_.on_timer(), which
    // closes the session (finish() cancels the timer), then re-arms the timer for now + 24 h
    // with a handler that holds the WsSession, so the session object and its connection slot
    // live on for a day after every heart-beat or CONNECT timeout.
    test('its connection is given back: the address may connect again', { timeout: 20_000 }, async () => {
      const baseline = await gauges(srv.port);
      const pid = srv.server.child.pid;
      const fdsBefore = fdCount(pid);
      const ws = await RawWs.open(srv.port, { localAddress: '127.0.0.2' });
      ws.sendText('CONNECT\naccept-version:1.2\nhost:127.0.0.1\nheart-beat:500,0\n\n\0');
      await ws.waitFor(/^CONNECTED\n/);
      const silentSince = Date.now();
      ws.goSilent();
      const goneMs = await connectionGivenBack(srv.port, baseline.connections, silentSince, 4000);
      let fdsAfter = fdCount(pid);
      await eventually(() => (fdsAfter = fdCount(pid)) <= fdsBefore, 'the server to close the socket', 1500).catch(() => {});
      const again = await tryOpen(srv.port, '127.0.0.2');
      console.log(
        `# half-open STOMP client: connection given back after ${goneMs ?? 'more than 4000'} ms; ` +
          `server fds ${fdsBefore} -> ${fdsAfter} (the socket itself is closed); a new WebSocket from its address: ${again}`,
      );
      assert.ok(fdsAfter <= fdsBefore, 'the server closed the socket');
      assert.notEqual(goneMs, null, `parley_connections still ${(await gauges(srv.port)).connections} (baseline ${baseline.connections}) 4 s after a heart-beat drop: the connection slot is held`);
      assert.equal(again, 'open', 'the dropped client\'s address is refused: its slot was not given back');
    });
  });

  describe('CONNECT timeout (--connect-timeout-ms 500 --max-connections-per-ip 1)', () => {
    const srv = useServer({ connectTimeoutMs: 500, handshakeTimeoutMs: 1000, maxConnectionsPerIp: 1 });

    test('a WebSocket that never sends CONNECT is closed and its connection given back', { timeout: 20_000 }, async () => {
      const baseline = await gauges(srv.port);
      const timeoutsBefore = await counter(srv.port, 'parley_errors_total', { reason: 'connect_timeout' });
      const ws = await RawWs.open(srv.port, { localAddress: '127.0.0.2' });
      const openedAt = Date.now();
      ws.goSilent();
      await eventually(async () => (await counter(srv.port, 'parley_errors_total', { reason: 'connect_timeout' })) === timeoutsBefore + 1, 'the connect timeout', 3000);
      const goneMs = await connectionGivenBack(srv.port, baseline.connections, openedAt, 4000);
      const again = await tryOpen(srv.port, '127.0.0.2');
      console.log(`# silent WebSocket without CONNECT: connection given back after ${goneMs ?? 'more than 4000'} ms; a new WebSocket from its address: ${again}`);
      assert.notEqual(goneMs, null, `parley_connections still ${(await gauges(srv.port)).connections} (baseline ${baseline.connections}) 4 s after a connect timeout: the connection slot is held`);
      assert.equal(again, 'open', 'the address is refused: the slot was not given back');
    });
  });

  describe('WebSocket keep-alive pings (--ws-idle-timeout-s 1)', () => {
    const srv = useServer({ wsIdleTimeoutS: 1 });

    test('a peer that answers no ping is dropped within the idle timeout and leaves once; one that answers stays', { timeout: 20_000 }, async () => {
      const key = uniqueRoom('idle');
      const a = await connectClient(srv.url, { name: 'a' });
      const subA = await joinRoom(a, key, 'a', 'A');
      const baseline = await gauges(srv.port);

      // No STOMP heart-beats either way: only WebSocket pings can tell that this peer is gone.
      const alive = await rawMember(srv.port, key, 'alive');
      const aliveSince = Date.now();
      const dead = await rawMember(srv.port, key, 'dead');
      const silentSince = Date.now(); // dead's join was its last byte
      dead.goSilent();

      const left = await waitForLeave(subA, 'dead', 5000);
      const dropMs = left - silentSince;
      await gaugesBack(srv.port, { ...baseline, connections: baseline.connections + 1, sessions: baseline.sessions + 1, members: baseline.members + 1 }, 3000);
      const connGone = Date.now() - silentSince;
      console.log(`# peer answering no ping: leave ${dropMs} ms after it went silent (--ws-idle-timeout-s 1), connection gone after ${connGone} ms; pings to the quiet peer that answers came ${alive.pings.slice(0, 3).map((p) => p - aliveSince).join(', ')} ms after its last frame`);
      assert.ok(dropMs >= 900, `dropped after ${dropMs} ms, before the 1 s idle timeout`);
      assert.ok(dropMs <= 2 * 1000 + 700, `dropped after ${dropMs} ms (2 x 1 s + slack)`);

      // The peer that answers pings (and says nothing else) is still there, and still works.
      await sleep(Math.max(0, 3000 - (Date.now() - silentSince)));
      assert.ok(alive.pings.length >= 2, `the server pinged the quiet peer ${alive.pings.length} times in 3 s`);
      assert.equal(alive.socket.destroyed, false);
      alive.sendFrame('SEND', { destination: chatDest(key), receipt: 'still-here' }, JSON.stringify({ type: 'message', nickname: 'ALIVE', msg: 'still here' }));
      await alive.waitFor('receipt-id:still-here\n');
      assert.deepEqual(leavesOf(subA, 'dead'), [{ type: 'leave', from: 'dead', streamId: null }]);
      assert.deepEqual(leavesOf(subA, 'alive'), []);
      await assertHealthy(srv);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 3. A client that never reads

describe('a subscriber that stops reading (--max-outbound-bytes 65536)', () => {
  const srv = useServer({ maxOutboundBytes: 65536 });

  // Under ASan at -O0 the server fans out ~4x slower: a quarter of the pace keeps the reader's
  // own 64 KiB allowance from being the bottleneck (the slow one still fills its buffers).
  const paceMs = process.env.PARLEY_SANITIZER ? 100 : 25;
  test('it is cut and leaves; a reading member gets every message, in order, without waiting for it', { timeout: 45_000 }, async () => {
    const key = uniqueRoom('slow');
    const reader = rawStomp(srv.url, { name: 'reader' });
    await reader.connect();
    const members = [reader];
    const join = async (raw, from) => {
      raw.sendFrame('SUBSCRIBE', { id: 'room', destination: roomDest(key), receipt: `sub-${from}` });
      await raw.expectFrame('RECEIPT');
      raw.sendFrame('SEND', { destination: chatDest(key) }, JSON.stringify({ type: 'join', from, nickname: from }));
    };
    await join(reader, 'reader');
    const senders = [];
    for (let i = 0; i < 3; i += 1) {
      const raw = rawStomp(srv.url, { name: `sender${i}` });
      await raw.connect();
      await join(raw, `sender${i}`);
      senders.push({ raw, from: `sender${i}`, seq: 0 });
      members.push(raw);
    }
    const drops0 = await counter(srv.port, 'parley_slow_consumer_drops_total');
    const hits0 = await counter(srv.port, 'parley_limit_hits_total', { limit: 'outbound_bytes' });
    const filler = 'x'.repeat(15_000); // under the 16 KiB msg limit; 3 senders x 40/s x 15 kB = 1.8 MB/s
    let phase = 'before';
    const sendAll = () => {
      for (const s of senders) {
        s.raw.sendFrame('SEND', { destination: chatDest(key) }, JSON.stringify({ type: 'message', nickname: s.from, msg: `${s.seq}|${Date.now()}|${phase}|${filler}` }), { contentLength: true });
        s.seq += 1;
      }
    };
    const timer = setInterval(sendAll, paceMs);
    try {
      await sleep(1000);
      // The slow one joins, then never reads again (and answers no ping: it is paused).
      const slow = rawStomp(srv.url, { name: 'slow' });
      await slow.connect();
      await join(slow, 'slow');
      await slow.frames.next(3000); // its join echo: the subscription is live
      phase = 'during';
      const stalledAt = Date.now();
      slow.ws._socket.pause();
      const readerMessages = () => reader.frames.items.filter((f) => f.command === 'MESSAGE').map((f) => JSON.parse(f.body));
      await eventually(() => readerMessages().some((j) => j.type === 'leave' && j.from === 'slow'), 'the slow member to be cut (its leave)', 25_000, 20);
      const cutMs = Date.now() - stalledAt;
      phase = 'after';
      await sleep(500);
      clearInterval(timer);
      // Flush: one receipted SEND per sender; everything before it has been fanned out.
      for (const s of senders) {
        s.raw.sendFrame('SEND', { destination: chatDest(key), receipt: `end-${s.from}` }, JSON.stringify({ type: 'message', nickname: s.from, msg: `${s.seq}|${Date.now()}|after|end` }));
        s.seq += 1;
      }
      const total = senders.reduce((n, s) => n + s.seq, 0);
      await eventually(() => readerMessages().filter((j) => j.type === 'message').length >= total, `the reader to get all ${total} messages`, 10_000);
      await sleep(200);

      const got = readerMessages().filter((j) => j.type === 'message');
      assert.equal(got.length, total, 'the reader got each message exactly once');
      const latency = { before: [], during: [] };
      for (const s of senders) {
        const seqs = got.filter((j) => j.nickname === s.from).map((j) => Number(j.msg.split('|')[0]));
        assert.deepEqual(seqs, Array.from({ length: s.seq }, (_, i) => i), `${s.from} -> reader: all, in order`);
      }
      const frames = reader.frames.items.filter((f) => f.command === 'MESSAGE');
      for (const f of frames) {
        const j = JSON.parse(f.body);
        if (j.type !== 'message') continue;
        const [, sentAt, ph] = j.msg.split('|');
        if (ph in latency) latency[ph].push(f.at - Number(sentAt));
      }
      const stat = (xs) => `max ${Math.max(...xs)} ms, median ${xs.sort((p, q) => p - q)[xs.length >> 1]} ms over ${xs.length}`;
      console.log(`# slow consumer cut ${cutMs} ms after it stopped reading; reader latency before: ${stat(latency.before)}; while the slow one was stalled: ${stat(latency.during)}`);
      assert.ok(latency.during.length >= 30, 'the room kept chatting while the slow one stalled');
      assert.ok(Math.max(...latency.during) < 1000, 'the reader was not held up by the slow member');
      assert.ok(Math.max(...latency.before) < 1000);

      const leaves = readerMessages().filter((j) => j.type === 'leave');
      assert.deepEqual(leaves, [{ type: 'leave', from: 'slow', streamId: null }], 'only the slow member left, once');
      assert.equal(await counter(srv.port, 'parley_slow_consumer_drops_total'), drops0 + 1, 'exactly one slow consumer: the reader was never cut');
      assert.equal(await counter(srv.port, 'parley_limit_hits_total', { limit: 'outbound_bytes' }), hits0 + 1);
      for (const m of members) assert.equal(m.isOpen, true, `${m === reader ? 'reader' : 'sender'} still connected`);
      for (const s of senders) assert.ok(s.raw.frames.items.some((f) => f.command === 'RECEIPT' && f.headers['receipt-id'] === `end-${s.from}`));
      await gaugesBack(srv.port, { sessions: 4, members: 4 });
      await assertHealthy(srv);
    } finally {
      clearInterval(timer);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Connection churn

// Runs fn(i) for i in [0, n) with at most `limit` in flight.
async function pool(n, limit, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) {
        const i = next;
        next += 1;
        await fn(i);
      }
    }),
  );
}

const ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];

// One connection of kind i % 5, from one of ADDRESSES. Resolves with the kind's name, or
// throws describing what went wrong.
function churnOnce(port, i) {
  const localAddress = ADDRESSES[i % ADDRESSES.length];
  const kind = i % 5;
  const url = `ws://127.0.0.1:${port}/ws`;
  return withTimeout(
    new Promise((resolve, reject) => {
      if (kind === 0 || kind === 1) {
        // TCP connect, then FIN (kind 0) or RST (kind 1) without a byte.
        const s = net.connect({ host: '127.0.0.1', port, localAddress });
        s.on('error', (err) => (kind === 0 ? reject(err) : undefined));
        s.on('connect', () => {
          if (kind === 1) {
            s.resetAndDestroy();
            resolve('tcp-rst');
          } else {
            s.end();
          }
        });
        s.on('close', () => resolve(kind === 0 ? 'tcp-fin' : 'tcp-rst'));
        return;
      }
      const ws = new WebSocket(url, STOMP_SUBPROTOCOLS, { localAddress });
      ws.on('error', reject);
      if (kind === 2) {
        // WebSocket handshake, then a clean close handshake.
        ws.on('open', () => ws.close(1000));
        ws.on('close', (code) => (code === 1000 ? resolve('ws-close') : reject(new Error(`close code ${code}`))));
        return;
      }
      // STOMP CONNECT (kind 3), or CONNECT + room join (kind 4), then drop the socket.
      const key = `churn-${i}`;
      ws.on('open', () => {
        ws.send('CONNECT\naccept-version:1.2\nhost:127.0.0.1\n\n\0');
        if (kind === 4) {
          ws.send(`SUBSCRIBE\nid:0\ndestination:${roomDest(key)}\n\n\0`);
          ws.send(`SEND\ndestination:${chatDest(key)}\n\n${JSON.stringify({ type: 'join', from: 'c', nickname: 'C' })}\0`);
        }
      });
      ws.on('message', (data) => {
        const text = data.toString();
        if (text.startsWith('ERROR')) reject(new Error(text));
        if ((kind === 3 && text.startsWith('CONNECTED')) || (kind === 4 && text.includes('"join"'))) {
          ws.terminate();
          resolve(kind === 3 ? 'stomp-drop' : 'join-drop');
        }
      });
    }),
    10_000,
    `churn connection ${i} (kind ${kind}) from ${localAddress}`,
  );
}

describe('10 000 connections opened and dropped', () => {
  const srv = useServer({ maxConnectionsPerIp: 0, maxRooms: 20_000 });

  test('the server stays up and gives back every connection, descriptor and (almost) every byte', { timeout: 30_000 }, async () => {
    const pid = srv.server.child.pid;
    const failures = [];
    const run = async (from, n) =>
      pool(n, 200, (j) =>
        churnOnce(srv.port, from + j).catch((err) => {
          failures.push(`${from + j}: ${err.message}`);
        }),
      );
    // Warm up (allocator arenas, buffers) so that the baseline is steady state.
    await run(0, 1000);
    const baseline = { connections: 1, sessions: 0, sockjs: 0, members: 0, rooms: 0 };
    await gaugesBack(srv.port, baseline, 5000);
    await sleep(200);
    const rssBefore = rssKiB(pid);
    const fdsBefore = fdCount(pid);

    const N = 10_000;
    const t0 = Date.now();
    await run(1000, N);
    const loopMs = Date.now() - t0;
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} churn connections failed`);

    await assertHealthy(srv);
    const backMs = await gaugesBack(srv.port, baseline, 5000);
    await sleep(200);
    let fdsAfter = fdCount(pid);
    await eventually(() => {
      fdsAfter = fdCount(pid);
      return fdsAfter <= fdsBefore + 3 || fdsAfter;
    }, 'descriptors back to the baseline', 3000);
    const rssAfter = rssKiB(pid);
    const m = await scrape(srv.port);
    console.log(
      `# ${N} connections (5 kinds, 200 in flight, ${ADDRESSES.length} source addresses) in ${loopMs} ms; gauges back ${backMs} ms after; ` +
        `RSS ${(rssBefore / 1024).toFixed(1)} -> ${(rssAfter / 1024).toFixed(1)} MiB; fds ${fdsBefore} -> ${fdsAfter}; ` +
        `connections_total ${metricValue(m, 'parley_connections_total')}`,
    );
    assert.ok(metricValue(m, 'parley_connections_total') >= 1000 + N, 'every connection reached the server');
    assert.ok(Math.abs(fdsAfter - fdsBefore) <= 3, `fds ${fdsBefore} -> ${fdsAfter}`);
    // Under AddressSanitizer freed memory waits in its quarantine (256 MiB) by design: RSS says
    // nothing there, and LeakSanitizer checks for leaks at exit instead.
    if (!process.env.PARLEY_SANITIZER) {
      assert.ok(rssAfter - rssBefore <= 20 * 1024, `RSS grew by ${((rssAfter - rssBefore) / 1024).toFixed(1)} MiB`);
    }

    // And it still serves a room.
    const key = uniqueRoom('after-churn');
    const x = await connectClient(srv.url, { name: 'x' });
    const subX = await joinRoom(x, key, 'x', 'X');
    const y = await connectClient(srv.url, { name: 'y' });
    await joinRoom(y, key, 'y', 'Y');
    await y.send(chatDest(key), { type: 'message', nickname: 'Y', msg: 'hello after churn' }, { receipt: true });
    await eventually(() => bodies(subX).some((j) => j.msg === 'hello after churn'), 'a chat line after the churn');
  });
});

// ---------------------------------------------------------------------------------------------
// 5. SIGTERM under load

describe('SIGTERM while receipted SENDs are in flight', () => {
  test('every receipted SEND reached the other members; each gets ERROR "server shutting down" last; exit 0 in time', { timeout: 20_000 }, async (t) => {
    const SHUTDOWN_MS = 3000;
    const server = await startServer({ shutdownTimeoutMs: SHUTDOWN_MS, threads: 2, logLevel: 'info' });
    const members = [];
    try {
      const key = uniqueRoom('sigterm');
      const ids = ['m0', 'm1', 'm2', 'm3'];
      for (const id of ids) {
        const raw = rawStomp(server.url, { name: id });
        await raw.connect();
        raw.sendFrame('SUBSCRIBE', { id: 'room', destination: roomDest(key), receipt: `sub-${id}` });
        await raw.expectFrame('RECEIPT');
        members.push({ id, raw, seq: 0 });
      }
      for (const m of members) m.raw.sendFrame('SEND', { destination: chatDest(key) }, JSON.stringify({ type: 'join', from: m.id, nickname: m.id }));
      // Everyone has seen everyone's join.
      await eventually(
        () => members.every((m) => m.raw.frames.items.filter((f) => f.command === 'MESSAGE' && JSON.parse(f.body).type === 'join').length === ids.length),
        'all joins everywhere',
      );
      const timers = members.map((m) =>
        setInterval(() => {
          if (!m.raw.isOpen) return;
          m.raw.sendFrame('SEND', { destination: chatDest(key), receipt: `${m.id}:${m.seq}` }, JSON.stringify({ type: 'message', from: m.id, nickname: m.id, msg: `${m.id}:${m.seq}` }));
          m.seq += 1;
        }, 10),
      );
      let killedAt;
      try {
        await sleep(800);
        killedAt = Date.now();
        server.child.kill('SIGTERM');
        const status = await withTimeout(server.exited, SHUTDOWN_MS + 2000, 'parley to exit after SIGTERM');
        const shutdownMs = Date.now() - killedAt;
        await withTimeout(Promise.all(members.map((m) => m.raw.closed)), 2000, 'every client closed');
        for (const tm of timers) clearInterval(tm);

        let receipted = 0;
        let leavesSeen = 0;
        for (const m of members) {
          const frames = m.raw.frames.items;
          const errors = frames.filter((f) => f.command === 'ERROR');
          assert.equal(errors.length, 1, `${m.id}: one ERROR`);
          const error = frames.at(-1);
          assert.equal(error.command, 'ERROR', `${m.id}: the ERROR is the last frame (got ${frames.at(-1).command} last)`);
          assert.equal(error.headers.message, 'server shutting down');
          assert.equal(error.body, 'server shutting down');
          const closed = await m.raw.closed;
          assert.equal(closed.code, 1000, `${m.id}: closed normally after the ERROR`);
          assert.ok(!m.raw.parseError, m.raw.parseError);
          const leaves = frames.filter((f) => f.command === 'MESSAGE' && JSON.parse(f.body).type === 'leave').map((f) => JSON.parse(f.body));
          for (const l of leaves) assert.notEqual(l.from, m.id, `${m.id} got its own leave`);
          assert.equal(new Set(leaves.map((l) => l.from)).size, leaves.length, `${m.id}: one leave per member at most`);
          leavesSeen += leaves.length;
        }
        for (const sender of members) {
          const acked = sender.raw.frames.items.filter((f) => f.command === 'RECEIPT' && /^m\d:\d+$/.test(f.headers['receipt-id'])).map((f) => f.headers['receipt-id']);
          assert.ok(acked.length >= 20, `${sender.id}: ${acked.length} receipted SENDs before the shutdown`);
          for (const other of members) {
            const got = new Set(
              other.raw.frames.items
                .filter((f) => f.command === 'MESSAGE')
                .map((f) => JSON.parse(f.body))
                .filter((j) => j.type === 'message' && j.from === sender.id)
                .map((j) => j.msg),
            );
            const lost = acked.filter((r) => !got.has(r));
            assert.deepEqual(lost, [], `${sender.id} -> ${other.id}: receipted but never delivered`);
          }
          receipted += acked.length;
        }
        console.log(
          `# SIGTERM: exit ${JSON.stringify(status)} after ${shutdownMs} ms (--shutdown-timeout-ms ${SHUTDOWN_MS}); ` +
            `${receipted} receipted SENDs each checked at ${ids.length} members; ${members.reduce((n, m) => n + m.seq, 0)} sent; ${leavesSeen} leaves seen before the ERRORs`,
        );
        assert.deepEqual(status, { code: 0, signal: null });
        assert.ok(shutdownMs <= SHUTDOWN_MS + 1000, `exited ${shutdownMs} ms after SIGTERM`);
        assert.match(server.stderr(), /signal 15: stopping, closing 4 sessions/);
        assert.doesNotMatch(server.stderr(), /still open at deadline/);
      } finally {
        for (const tm of timers) clearInterval(tm);
      }
    } catch (err) {
      printServerLog(server, `test "${t.name}" failed`);
      throw err;
    } finally {
      for (const m of members) m.raw.close();
      await server.stop();
    }
  });
});
