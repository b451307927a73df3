// Heart-beats: the server drops silent clients (and emits their room leave), keeps clients that
// send heart-beats, and sends its own heart-beats at the negotiated interval.
// The server runs with --heartbeat-send-ms 500 --heartbeat-recv-ms 500, so a client offering
// heart-beat:500,... must be heard from at least every 500 ms; silent for > 2 x 500 ms -> dropped.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  chatDest,
  connectClient,
  encodeFrame,
  fakeSdp,
  joinRoom,
  rawStomp,
  roomDest,
  sleep,
  uniqueRoom,
  useServer,
} from './helpers.mjs';

const T = { timeout: 20_000 };

describe('heart-beats (server 500/500 ms)', () => {
  const srv = useServer({ heartbeatSendMs: 500, heartbeatRecvMs: 500 });

  test('a client that goes silent after CONNECTED (heart-beat:500,500) is closed within ~3 s', T, async () => {
    const raw = rawStomp(srv.url, { name: 'silent' });
    await raw.opened;
    raw.sendRaw('CONNECT\naccept-version:1.2\nheart-beat:500,500\n\n\0');
    const connected = await raw.expectFrame('CONNECTED');
    assert.equal(connected.headers.version, '1.2');
    assert.equal(connected.headers['heart-beat'], '500,500');
    const closed = await raw.waitClosed(4000);
    const elapsed = closed.at - connected.at;
    assert.ok(elapsed <= 3000, `closed ${elapsed} ms after CONNECTED (expected <= 3000)`);
    // silence is tolerated for 2 x 500 ms: an earlier close would be wrong
    assert.ok(elapsed >= 900, `closed only ${elapsed} ms after CONNECTED (expected >= ~1000)`);
  });

  test('the silent member\'s room gets its leave (with the streamId it announced)', T, async () => {
    const key = uniqueRoom('hb');
    const watcher = await connectClient(srv.url, { name: 'watcher' });
    const subW = await joinRoom(watcher, key, 'w', 'Watcher');

    const raw = rawStomp(srv.url, { name: 'silent' });
    await raw.opened;
    raw.sendRaw('CONNECT\naccept-version:1.2\nheart-beat:500,500\n\n\0');
    await raw.expectFrame('CONNECTED');
    raw.sendFrame('SUBSCRIBE', { id: '0', destination: roomDest(key), receipt: 'r-sub' });
    await raw.expectFrame('RECEIPT');
    const joinMsg = { type: 'join', from: 's', nickname: 'Silent' };
    raw.sendFrame('SEND', { destination: chatDest(key), 'content-type': 'application/json' }, JSON.stringify(joinMsg), { contentLength: true });
    const offer = { type: 'offer', from: 's', target: 'w', sdp: fakeSdp('offer', 'silent-stream', 'silent-track') };
    raw.sendFrame('SEND', { destination: chatDest(key), 'content-type': 'application/json' }, JSON.stringify(offer), { contentLength: true });
    const lastSent = Date.now();

    assert.deepEqual(JSON.parse((await subW.next(3000)).body), joinMsg);
    assert.deepEqual(JSON.parse((await subW.next(3000)).body), offer);
    // now the raw client says nothing more
    const leave = JSON.parse((await subW.next(4000)).body);
    const elapsed = Date.now() - lastSent;
    assert.deepEqual(leave, { type: 'leave', from: 's', streamId: 'silent-stream' });
    assert.ok(elapsed <= 3500, `leave ${elapsed} ms after the member went silent`);
    await raw.waitClosed(1000);
  });

  test('a client sending "\\n" every 400 ms stays connected for 3 s and still works', T, async () => {
    const raw = rawStomp(srv.url, { name: 'beating' });
    await raw.opened;
    raw.sendRaw('CONNECT\naccept-version:1.2\nheart-beat:400,0\n\n\0');
    await raw.expectFrame('CONNECTED');
    const timer = setInterval(() => {
      if (raw.isOpen) raw.sendRaw('\n');
    }, 400);
    try {
      await sleep(3000);
      assert.equal(raw.isOpen, true, 'connection still open after 3 s of heart-beats');
      raw.sendFrame('SUBSCRIBE', { id: 'alive', destination: '/topic/hb-alive', receipt: 'still-alive' });
      const receipt = await raw.expectFrame('RECEIPT');
      assert.equal(receipt.headers['receipt-id'], 'still-alive');
    } finally {
      clearInterval(timer);
    }
  });

  test('a client sending heart-beats as CRLF every 400 ms also stays connected', T, async () => {
    const raw = rawStomp(srv.url, { name: 'crlf' });
    await raw.opened;
    raw.sendRaw('CONNECT\naccept-version:1.2\nheart-beat:400,0\n\n\0');
    await raw.expectFrame('CONNECTED');
    const timer = setInterval(() => {
      if (raw.isOpen) raw.sendRaw('\r\n');
    }, 400);
    try {
      await sleep(2500);
      assert.equal(raw.isOpen, true);
      raw.sendFrame('SUBSCRIBE', { id: 'crlf', destination: '/topic/hb-crlf', receipt: 'crlf-alive' });
      await raw.expectFrame('RECEIPT');
    } finally {
      clearInterval(timer);
    }
  });

  test('server heart-beats: heart-beat:0,500 -> data at least every ~1 s', T, async () => {
    const raw = rawStomp(srv.url, { name: 'listener' });
    await raw.opened;
    raw.sendRaw('CONNECT\naccept-version:1.2\nheart-beat:0,500\n\n\0');
    const connected = await raw.expectFrame('CONNECTED');
    const [sx] = (connected.headers['heart-beat'] ?? '0,0').split(',').map(Number);
    assert.ok(sx > 0 && sx <= 500, `server offers to send heart-beats (got ${connected.headers['heart-beat']})`);
    const start = connected.at;
    await sleep(3000);
    const end = Date.now();
    assert.equal(raw.isOpen, true, 'a client that sends nothing but asked cx=0 is not dropped');
    const times = [start, ...raw.activity.filter((t) => t > start), end];
    let maxGap = 0;
    for (let i = 1; i < times.length; i += 1) maxGap = Math.max(maxGap, times[i] - times[i - 1]);
    assert.ok(raw.heartbeats.length >= 3, `got ${raw.heartbeats.length} heart-beats in 3 s`);
    assert.ok(maxGap <= 1000, `longest silence from the server was ${maxGap} ms`);
  });

  test('heart-beat:0,0 -> the server sends no heart-beats and does not drop the client', T, async () => {
    const raw = rawStomp(srv.url, { name: 'no-hb' });
    await raw.opened;
    raw.sendRaw('CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0');
    await raw.expectFrame('CONNECTED');
    await sleep(1500);
    assert.equal(raw.heartbeats.length, 0, `unexpected heart-beats: ${raw.heartbeats.length}`);
    assert.equal(raw.isOpen, true);
  });

  test('stompjs with heartbeatOutgoing/Incoming 300 stays connected for 3 s', T, async () => {
    const c = await connectClient(srv.url, { heartbeatIncoming: 300, heartbeatOutgoing: 300 });
    const sub = await c.subscribe('/topic/hb-stompjs');
    await sleep(3000);
    assert.equal(c.isClosed, false, 'stompjs connection still open');
    await c.send('/topic/hb-stompjs', 'alive', { receipt: true });
    assert.equal(await sub.nextBody(), 'alive');
  });

  test('a frame split across WebSocket messages with a pause still counts as activity', T, async () => {
    // the client declares 500 ms; it sends a SEND in two halves 400 ms apart, then a heart-beat
    const raw = rawStomp(srv.url, { name: 'split' });
    await raw.opened;
    raw.sendRaw('CONNECT\naccept-version:1.2\nheart-beat:500,0\n\n\0');
    await raw.expectFrame('CONNECTED');
    const bytes = encodeFrame('SUBSCRIBE', { id: 's', destination: '/topic/hb-split', receipt: 'split-ok' }).toString('utf8');
    raw.sendRaw(bytes.slice(0, 10));
    await sleep(400);
    raw.sendRaw(bytes.slice(10));
    const receipt = await raw.expectFrame('RECEIPT');
    assert.equal(receipt.headers['receipt-id'], 'split-ok');
    await sleep(400);
    raw.sendRaw('\n');
    await sleep(400);
    assert.equal(raw.isOpen, true);
  });
});
