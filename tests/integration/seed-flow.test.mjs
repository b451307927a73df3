// The seed React client (shared/seed/000_770f4ea2fe7f421f.txt) must work unmodified: it uses
// the legacy stompjs API (`Stomp.over(sockjs)`, `connect({}, cb)`, `subscribe(dest, cb)`,
// `send(dest, {}, body)`), i.e. a CONNECT with no headers at all, over SockJS at /stomp (whose
// WebSocket transport is /stomp/<server>/<session>/websocket; raw /stomp/websocket also exists).
// These tests replay its frames byte for byte over raw WebSockets.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import WebSocket from 'ws';

import {
  AsyncQueue,
  chatDest,
  encodeFrame,
  fakeSdp,
  httpGet,
  rawStomp,
  roomDest,
  trackClient,
  uniqueRoom,
  useServer,
  withTimeout,
} from './helpers.mjs';

const T = { timeout: 20_000 };
const QUIET_MS = 300;

// What the seed's legacy client does, over any raw STOMP transport `raw` (rawStomp or sockjs).
async function seedConnect(raw) {
  await raw.opened;
  raw.sendRaw('CONNECT\n\n\0');
  return raw.expectFrame('CONNECTED');
}

let subCounter = 0;
async function seedSubscribe(raw, key) {
  const id = `sub-${subCounter++}`;
  raw.sendFrame('SUBSCRIBE', { id, destination: roomDest(key), receipt: `r-${id}` });
  const receipt = await raw.expectFrame('RECEIPT');
  assert.equal(receipt.headers['receipt-id'], `r-${id}`);
  return id;
}

function seedSend(raw, key, json, { contentLength = true } = {}) {
  // legacy stompjs send(dest, {}, body): destination (+ content-length) only
  raw.sendFrame('SEND', { destination: chatDest(key) }, JSON.stringify(json), { contentLength });
}

async function nextJson(raw, t = 3000) {
  const frame = await raw.expectFrame('MESSAGE', t);
  return JSON.parse(frame.body);
}

// Seed's subscribe callback logic: filters by target. We check the server already filtered.
const join = (from, nickname) => ({ type: 'join', from, nickname });

describe('seed client flow', () => {
  const srv = useServer();

  for (const path of ['/ws', '/stomp/websocket']) {
    test(`header-less CONNECT on ${path} without subprotocol -> CONNECTED version 1.0`, T, async () => {
      const raw = rawStomp(`ws://127.0.0.1:${srv.port}${path}`, { protocols: [], name: `seed${path}` });
      const connected = await seedConnect(raw);
      assert.equal(raw.protocol, '');
      assert.equal(connected.headers.version ?? '1.0', '1.0');
      assert.ok(connected.headers.session, 'session header');
    });
  }

  test('header-less CONNECT with stomp subprotocols offered -> CONNECTED 1.0 or the negotiated version', T, async () => {
    const raw = rawStomp(srv.url, { name: 'seed-v12' });
    const connected = await seedConnect(raw);
    const negotiated = { 'v12.stomp': '1.2', 'v11.stomp': '1.1', 'v10.stomp': '1.0' }[raw.protocol];
    assert.ok(
      [undefined, '1.0', negotiated].includes(connected.headers.version),
      `version ${connected.headers.version} with subprotocol ${raw.protocol}`,
    );
  });

  test('seed flow over raw /stomp/websocket: join, offer/answer/ice to the target only, Korean chat, leave on close', T, async () => {
    const key = uniqueRoom('seed');
    const url = `ws://127.0.0.1:${srv.port}/stomp/websocket`;
    const A = rawStomp(url, { protocols: [], name: 'peerA' });
    const B = rawStomp(url, { protocols: [], name: 'peerB' });
    const C = rawStomp(url, { protocols: [], name: 'peerC' });
    for (const p of [A, B, C]) await seedConnect(p);

    // A: subscribe, then join (the seed sends join right after connecting)
    await seedSubscribe(A, key);
    seedSend(A, key, join('alice', '앨리스'));
    assert.deepEqual(await nextJson(A), join('alice', '앨리스'));

    await seedSubscribe(B, key);
    seedSend(B, key, join('bob', '밥'), { contentLength: false });
    assert.deepEqual(await nextJson(B), join('bob', '밥'));
    assert.deepEqual(await nextJson(A), join('bob', '밥'));

    await seedSubscribe(C, key);
    seedSend(C, key, join('carol', '캐롤'));
    assert.deepEqual(await nextJson(C), join('carol', '캐롤'));
    assert.deepEqual(await nextJson(A), join('carol', '캐롤'));
    assert.deepEqual(await nextJson(B), join('carol', '캐롤'));

    // A sees bob's join (json.from !== from) -> makeOffer(bob)
    const offer = { type: 'offer', from: 'alice', target: 'bob', sdp: fakeSdp('offer', 'alice-stream') };
    seedSend(A, key, offer);
    assert.deepEqual(await nextJson(B), offer);
    // B: makeAnswer(alice)
    const answer = { type: 'answer', from: 'bob', target: 'alice', sdp: fakeSdp('answer', 'bob-stream') };
    seedSend(B, key, answer);
    assert.deepEqual(await nextJson(A), answer);
    // both: onicecandidate, ending with null
    const iceA = { type: 'ice', from: 'alice', target: 'bob', iceCandidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50001 typ host', sdpMid: '0', sdpMLineIndex: 0 } };
    const iceEnd = { type: 'ice', from: 'alice', target: 'bob', iceCandidate: null };
    seedSend(A, key, iceA);
    seedSend(A, key, iceEnd);
    assert.deepEqual(await nextJson(B), iceA);
    assert.deepEqual(await nextJson(B), iceEnd);

    // chat in Korean: everyone including the sender
    const chat = { type: 'message', nickname: '캐롤', msg: '안녕하세요! 잘 들려요? 🎤' };
    seedSend(C, key, chat);
    for (const p of [A, B, C]) assert.deepEqual(await nextJson(p), chat);
    // C never saw any of the targeted messages: the chat was its next message
    await C.expectNoFrame(QUIET_MS);

    // B closes the tab: A and C get B's leave with the stream id of B's SDP
    B.close();
    const leave = { type: 'leave', from: 'bob', streamId: 'bob-stream' };
    assert.deepEqual(await nextJson(A), leave);
    assert.deepEqual(await nextJson(C), leave);
    await A.expectNoFrame(QUIET_MS);
    assert.equal(A.parseError, null);
  });

  test('SockJS /stomp/info answers JSON with websocket:true and credentialed CORS for the dev-server origin', T, async () => {
    const origin = 'http://localhost:3000';
    const res = await httpGet(`${srv.httpUrl}/stomp/info?t=${Date.now()}`, { Origin: origin });
    assert.equal(res.status, 200);
    const info = JSON.parse(res.text);
    assert.equal(info.websocket, true);
    assert.equal(typeof info.cookie_needed, 'boolean');
    assert.equal(typeof info.entropy, 'number');
    assert.equal(res.headers.get('access-control-allow-origin'), origin);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
  });

  test('seed flow over the SockJS WebSocket transport (/stomp/<server>/<session>/websocket)', T, async () => {
    const key = uniqueRoom('sockjs');
    const a = sockjsStomp(`ws://127.0.0.1:${srv.port}/stomp/123/${randomSession()}/websocket`, 'sockjsA');
    const b = sockjsStomp(`ws://127.0.0.1:${srv.port}/stomp/456/${randomSession()}/websocket`, 'sockjsB');
    for (const p of [a, b]) {
      await p.opened;
      const connected = await seedConnect(p);
      assert.ok(['1.0', undefined].includes(connected.headers.version), `version ${connected.headers.version}`);
    }
    await seedSubscribe(a, key);
    seedSend(a, key, join('a', 'Alice'));
    assert.deepEqual(await nextJson(a), join('a', 'Alice'));
    await seedSubscribe(b, key);
    seedSend(b, key, join('b', 'Bob'));
    assert.deepEqual(await nextJson(b), join('b', 'Bob'));
    assert.deepEqual(await nextJson(a), join('b', 'Bob'));
    const chat = { type: 'message', nickname: 'Bob', msg: '한국어 채팅 over SockJS' };
    seedSend(b, key, chat);
    assert.deepEqual(await nextJson(a), chat);
    assert.deepEqual(await nextJson(b), chat);
    const offer = { type: 'offer', from: 'a', target: 'b', sdp: fakeSdp('offer', 'sockjs-a-stream') };
    seedSend(a, key, offer);
    assert.deepEqual(await nextJson(b), offer);
    a.close();
    assert.deepEqual(await nextJson(b), { type: 'leave', from: 'a', streamId: 'sockjs-a-stream' });
  });
});

function randomSession() {
  return Math.random().toString(36).slice(2, 10);
}

// A STOMP client over the SockJS WebSocket framing: server sends "o" (open), "h" (heart-beat),
// "a[json strings]" (messages), "c[code,reason]" (close); the client sends JSON arrays of strings.
function sockjsStomp(url, name) {
  const ws = new WebSocket(url);
  const frames = new AsyncQueue(`${name} frames`);
  const sockjsFrames = [];
  let buf = '';
  let opened;
  const openedP = new Promise((resolve, reject) => {
    opened = resolve;
    ws.on('error', reject);
  });
  ws.on('error', () => {});

  const parseStomp = () => {
    for (;;) {
      buf = buf.replace(/^(\r?\n)+/, '');
      const nul = buf.indexOf('\0');
      if (nul < 0) return;
      const text = buf.slice(0, nul);
      buf = buf.slice(nul + 1);
      const sep = text.indexOf('\n\n');
      const head = sep >= 0 ? text.slice(0, sep) : text;
      const body = sep >= 0 ? text.slice(sep + 2) : '';
      const [command, ...lines] = head.split('\n');
      const headers = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0 && !(line.slice(0, i) in headers)) headers[line.slice(0, i)] = line.slice(i + 1);
      }
      frames.push({ command, headers, body });
    }
  };

  ws.on('message', (data) => {
    const text = data.toString('utf8');
    sockjsFrames.push(text);
    if (text === 'o') opened();
    else if (text.startsWith('a')) {
      for (const chunk of JSON.parse(text.slice(1))) buf += chunk;
      parseStomp();
    }
  });

  return trackClient({
    ws,
    frames,
    sockjsFrames,
    opened: withTimeout(openedP, 5000, `${name}: SockJS "o" frame`),
    sendRaw(text) {
      ws.send(JSON.stringify([text]));
    },
    sendFrame(command, headers = {}, body = '', opts = {}) {
      this.sendRaw(encodeFrame(command, headers, body, opts).toString('utf8'));
    },
    async expectFrame(command, t = 3000) {
      const f = await frames.next(t);
      if (f.command !== command) throw new Error(`${name}: expected ${command}, got ${f.command} ${JSON.stringify(f.headers)} ${f.body}`);
      return f;
    },
    close() {
      ws.terminate();
    },
    kill() {
      ws.terminate();
      return Promise.resolve();
    },
  });
}
