// Rooms: the seed client's signaling flow and the server rules of docs/PROTOCOL.md
// (targeted delivery, identity binding, server-side leave, presence, history, limits).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  chatDest,
  connectClient,
  fakeSdp,
  joinRoom,
  roomDest,
  sleep,
  uniqueRoom,
  useServer,
} from './helpers.mjs';

const T = { timeout: 20_000 };
// how long "nobody else got anything" is watched after a later marker message arrived
const QUIET_MS = 300;

async function expectJson(sub, expected, what = '') {
  const msg = await sub.next(3000);
  assert.deepEqual(JSON.parse(msg.body), expected, `${sub.queue.name} ${what}`);
  return msg;
}

const join = (from, nickname) => ({ type: 'join', from, nickname });
const chat = (nickname, msg) => ({ type: 'message', nickname, msg });

// Connects and joins `people` ([[from, nickname], ...]) in order into room `key`, and consumes
// every join each member sees, so all queues are empty afterwards.
async function joinAll(url, key, people) {
  const members = [];
  for (const [from, nickname] of people) {
    const client = await connectClient(url, { name: from });
    const sub = await joinRoom(client, key, from, nickname);
    // the earlier members each see this join, exactly
    for (const m of members) await expectJson(m.sub, join(from, nickname), `join of ${from}`);
    members.push({ from, nickname, client, sub });
  }
  return members;
}

// A broadcast chat message from `sender` that every member in `all` must receive next: proves
// that nothing else (e.g. a misrouted targeted message) was queued before it.
async function marker(key, sender, all, text = `marker-${Date.now()}`) {
  const body = chat(sender.nickname, text);
  await sender.client.send(chatDest(key), body, { receipt: true });
  for (const m of all) await expectJson(m.sub, body, `marker (nothing may arrive before it) at ${m.from}`);
}

// Next message at `sub`, skipping a leave of `leaver` (whose connection the server closed).
async function nextSkippingLeave(sub, leaver) {
  for (;;) {
    const got = JSON.parse((await sub.next(3000)).body);
    if (got.type === 'leave' && got.from === leaver) continue;
    return got;
  }
}

async function expectQuiet(members, ms = QUIET_MS) {
  await Promise.all(members.map((m) => m.sub.expectNone(ms)));
}

describe('rooms (defaults)', () => {
  const srv = useServer();

  test('join is echoed to the sender first and reaches the members already in the room', T, async () => {
    const key = uniqueRoom();
    const a = await connectClient(srv.url, { name: 'a' });
    const subA = await a.subscribe(roomDest(key));
    await a.send(chatDest(key), join('a', 'Alice'));
    await expectJson(subA, join('a', 'Alice'), 'own join echo');

    const b = await connectClient(srv.url, { name: 'b' });
    const subB = await b.subscribe(roomDest(key));
    await b.send(chatDest(key), join('b', 'Bob'));
    await expectJson(subB, join('b', 'Bob'), 'b sees its own join first (not a\'s earlier join)');
    await expectJson(subA, join('b', 'Bob'), 'a sees b join');
    await subA.expectNone(QUIET_MS);
    await subB.expectNone(0);
  });

  test('MESSAGE frames of a room carry the room destination and the subscription id', T, async () => {
    const key = uniqueRoom();
    const a = await connectClient(srv.url);
    const sub = await a.subscribe(roomDest(key), { headers: { id: 'room-sub-1' } });
    await a.send(chatDest(key), join('a', 'Alice'));
    const msg = await sub.next();
    assert.equal(msg.headers.subscription, 'room-sub-1');
    assert.equal(msg.headers.destination, roomDest(key));
    assert.ok(msg.headers['message-id']);
  });

  test('chat message is delivered to every member, including the sender', T, async () => {
    const key = uniqueRoom();
    const [a, b, c] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob'], ['c', 'Carol']]);
    const body = chat('Bob', '안녕하세요 everyone');
    await b.client.send(chatDest(key), body);
    for (const m of [a, b, c]) await expectJson(m.sub, body, `chat at ${m.from}`);
    await expectQuiet([a, b, c]);
  });

  test('chat messages from one sender arrive in order', T, async () => {
    const key = uniqueRoom();
    const [a, b] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob']]);
    const bodies = Array.from({ length: 20 }, (_, i) => chat('Alice', `line ${i}`));
    for (const body of bodies) await a.client.send(chatDest(key), body);
    for (const m of [a, b]) {
      for (const body of bodies) await expectJson(m.sub, body, `ordered chat at ${m.from}`);
    }
  });

  test('offer reaches only its target', T, async () => {
    const key = uniqueRoom();
    const [a, b, c] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob'], ['c', 'Carol']]);
    const offer = { type: 'offer', from: 'b', target: 'a', sdp: fakeSdp('offer', 'stream-b') };
    await b.client.send(chatDest(key), offer, { receipt: true });
    await expectJson(a.sub, offer, 'offer at target a');
    await marker(key, b, [a, b, c]);
    await expectQuiet([a, b, c]);
  });

  test('answer reaches only its target', T, async () => {
    const key = uniqueRoom();
    const [a, b, c] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob'], ['c', 'Carol']]);
    const answer = { type: 'answer', from: 'a', target: 'b', sdp: fakeSdp('answer', 'stream-a') };
    await a.client.send(chatDest(key), answer, { receipt: true });
    await expectJson(b.sub, answer, 'answer at target b');
    await marker(key, a, [a, b, c]);
    await expectQuiet([a, b, c]);
  });

  test('ice candidates (and the null end-of-candidates) reach only their target', T, async () => {
    const key = uniqueRoom();
    const [a, b, c] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob'], ['c', 'Carol']]);
    const candidate = {
      candidate: 'candidate:842163049 1 udp 1677729535 127.0.0.1 50000 typ srflx raddr 0.0.0.0 rport 0',
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: 'abcd',
    };
    const ice1 = { type: 'ice', from: 'c', target: 'b', iceCandidate: candidate };
    const ice2 = { type: 'ice', from: 'c', target: 'b', iceCandidate: null };
    await c.client.send(chatDest(key), ice1);
    await c.client.send(chatDest(key), ice2, { receipt: true });
    await expectJson(b.sub, ice1, 'ice at target b');
    await expectJson(b.sub, ice2, 'null ice at target b');
    await marker(key, c, [a, b, c]);
    await expectQuiet([a, b, c]);
  });

  test('full seed handshake between two peers: join -> offer -> answer -> ice, each delivered once', T, async () => {
    const key = uniqueRoom();
    const [a, b] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob']]);
    // b saw... nothing (it joined last); a saw b's join and, like the seed, makes an offer to b
    const offer = { type: 'offer', from: 'a', target: 'b', sdp: fakeSdp('offer', 'stream-a') };
    await a.client.send(chatDest(key), offer);
    await expectJson(b.sub, offer, 'offer at b');
    const answer = { type: 'answer', from: 'b', target: 'a', sdp: fakeSdp('answer', 'stream-b') };
    await b.client.send(chatDest(key), answer);
    await expectJson(a.sub, answer, 'answer at a');
    const iceAB = { type: 'ice', from: 'a', target: 'b', iceCandidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 1 typ host', sdpMid: '0', sdpMLineIndex: 0 } };
    const iceBA = { type: 'ice', from: 'b', target: 'a', iceCandidate: { candidate: 'candidate:2 1 udp 1 127.0.0.1 2 typ host', sdpMid: '0', sdpMLineIndex: 0 } };
    await a.client.send(chatDest(key), iceAB);
    await b.client.send(chatDest(key), iceBA);
    await expectJson(b.sub, iceAB, 'ice at b');
    await expectJson(a.sub, iceBA, 'ice at a');
    await expectQuiet([a, b]);
  });

  test('rooms are isolated: messages in one room never reach another', T, async () => {
    const key1 = uniqueRoom();
    const key2 = uniqueRoom();
    const [a] = await joinAll(srv.url, key1, [['a', 'Alice']]);
    const [x] = await joinAll(srv.url, key2, [['x', 'Xavier']]);
    await a.client.send(chatDest(key1), chat('Alice', 'room one only'), { receipt: true });
    await expectJson(a.sub, chat('Alice', 'room one only'));
    await x.sub.expectNone(QUIET_MS);
  });

  test('spoofed from: ERROR mentioning spoof to the sender only, nobody else sees it, connection closes', T, async () => {
    const key = uniqueRoom();
    const [a, b, c] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob'], ['c', 'Carol']]);
    const spoof = { type: 'offer', from: 'a', target: 'c', sdp: fakeSdp('offer', 'stream-evil') };
    await b.client.send(chatDest(key), spoof);
    const err = await b.client.nextError(3000);
    assert.equal(err.command, 'ERROR');
    assert.match(err.headers.message ?? '', /spoof/i, `ERROR message header: ${err.headers.message}`);
    await b.client.waitClosed(3000);
    // a and c: the next thing they see is a's marker, nothing else (b's leave is fine: the
    // server closed b's connection)
    const mark = chat('Alice', 'after spoof');
    await a.client.send(chatDest(key), mark, { receipt: true });
    for (const m of [a, c]) {
      assert.deepEqual(await nextSkippingLeave(m.sub, 'b'), mark, `at ${m.from}: only the marker after the spoof`);
    }
    await sleep(QUIET_MS);
    for (const m of [a, c]) {
      const rest = m.sub.queue.drain().map((x) => JSON.parse(x.body)).filter((j) => !(j.type === 'leave' && j.from === 'b'));
      assert.deepEqual(rest, [], `nothing else at ${m.from}`);
    }
  });

  test('spoofed from on a chat message (from of another member) is rejected too', T, async () => {
    const key = uniqueRoom();
    const [a, b] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob']]);
    await b.client.send(chatDest(key), { type: 'message', from: 'a', nickname: 'Alice', msg: 'I am Alice' });
    const err = await b.client.nextError(3000);
    assert.match(err.headers.message ?? '', /spoof/i, `message: ${err.headers.message}`);
    const mark = chat('Alice', 'the real Alice');
    await a.client.send(chatDest(key), mark, { receipt: true });
    assert.deepEqual(await nextSkippingLeave(a.sub, 'b'), mark, 'a must not see the spoofed chat');
  });

  test('identity taken: a second connection joining with a bound id gets ERROR, members see nothing', T, async () => {
    const key = uniqueRoom();
    const [a, b] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob']]);
    const impostor = await connectClient(srv.url, { name: 'impostor' });
    const subI = await impostor.subscribe(roomDest(key));
    await impostor.send(chatDest(key), join('a', 'Alice'));
    const err = await impostor.nextError(3000);
    assert.equal(err.command, 'ERROR');
    assert.ok((err.headers.message ?? '').length > 0, 'ERROR has a message header');
    // the impostor's join was not echoed to it ...
    await subI.expectNone(0);
    // ... nor delivered to the members; the original a still works
    await marker(key, a, [a, b]);
    await expectQuiet([a, b]);
  });

  test('resume: a second connection with the first join\'s secret takes the id over; members see leave then join', T, async () => {
    const key = uniqueRoom();
    const secret = 'resume-secret-0123456789';
    const first = await connectClient(srv.url, { name: 'a-first' });
    const subFirst = await first.subscribe(roomDest(key));
    await first.send(chatDest(key), { type: 'join', from: 'a', nickname: 'Alice', resume: secret });
    // the echo carries no secret
    await expectJson(subFirst, { type: 'join', from: 'a', nickname: 'Alice' });
    const [b] = await joinAll(srv.url, key, [['b', 'Bob']]);
    await expectJson(subFirst, join('b', 'Bob'));
    const again = await connectClient(srv.url, { name: 'a-again' });
    const subAgain = await again.subscribe(roomDest(key));
    await again.send(chatDest(key), { type: 'join', from: 'a', nickname: 'Alice', resume: secret });
    await expectJson(b.sub, { type: 'leave', from: 'a', streamId: null });
    await expectJson(b.sub, join('a', 'Alice'));
    await expectJson(subAgain, join('a', 'Alice'));
    // the new connection speaks as a; the old one's end produces no second leave
    await first.disconnect();
    const a = { from: 'a', nickname: 'Alice', client: again, sub: subAgain };
    await marker(key, a, [a, b]);
    await expectQuiet([a, b]);
  });

  test('resume with a wrong secret: identity taken, members see nothing', T, async () => {
    const key = uniqueRoom();
    const first = await connectClient(srv.url, { name: 'a-first' });
    const subFirst = await first.subscribe(roomDest(key));
    await first.send(chatDest(key), { type: 'join', from: 'a', nickname: 'Alice', resume: 'the-right-secret-000' });
    await expectJson(subFirst, join('a', 'Alice'));
    const thief = await connectClient(srv.url, { name: 'thief' });
    await thief.subscribe(roomDest(key));
    await thief.send(chatDest(key), { type: 'join', from: 'a', nickname: 'Alice', resume: 'a-wrong-secret-00000' });
    const err = await thief.nextError(3000);
    assert.match(err.headers.message ?? '', /identity taken/);
    await subFirst.expectNone(300);
  });

  test('leave on DISCONNECT: others get {type:leave, from, streamId from a=msid}', T, async () => {
    const key = uniqueRoom();
    const [a, b, c] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob'], ['c', 'Carol']]);
    const offer = { type: 'offer', from: 'b', target: 'a', sdp: fakeSdp('offer', 'b-stream-1234', 'b-track-9') };
    await b.client.send(chatDest(key), offer);
    await expectJson(a.sub, offer);
    await b.client.disconnect();
    const leave = { type: 'leave', from: 'b', streamId: 'b-stream-1234' };
    await expectJson(a.sub, leave, 'leave at a');
    await expectJson(c.sub, leave, 'leave at c');
    await expectQuiet([a, c]);
  });

  test('leave on abrupt socket close (no DISCONNECT)', T, async () => {
    const key = uniqueRoom();
    const [a, b] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob']]);
    const offer = { type: 'offer', from: 'b', target: 'a', sdp: fakeSdp('offer', 'abrupt-stream', 'abrupt-track') };
    await b.client.send(chatDest(key), offer, { receipt: true });
    await expectJson(a.sub, offer);
    await b.client.terminate();
    await expectJson(a.sub, { type: 'leave', from: 'b', streamId: 'abrupt-stream' }, 'leave at a');
    await expectQuiet([a]);
  });

  test('leave on UNSUBSCRIBE; the leaver stays connected and gets no more room messages', T, async () => {
    const key = uniqueRoom();
    const [a, b] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob']]);
    const offer = { type: 'offer', from: 'b', target: 'a', sdp: fakeSdp('offer', 'unsub-stream') };
    await b.client.send(chatDest(key), offer);
    await expectJson(a.sub, offer);
    await b.sub.unsubscribe();
    await expectJson(a.sub, { type: 'leave', from: 'b', streamId: 'unsub-stream' }, 'leave at a');
    await a.client.send(chatDest(key), chat('Alice', 'still here?'), { receipt: true });
    await expectJson(a.sub, chat('Alice', 'still here?'));
    assert.equal(b.client.isClosed, false, 'b is still connected');
    // b's old subscription must not get anything (stompjs routes unknown ones to unhandled)
    await b.client.unhandled.expectNone(QUIET_MS, (m) => m.body);
    await b.sub.expectNone(0);
  });

  test('a subscriber that never joined leaves silently (no leave message)', T, async () => {
    const key = uniqueRoom();
    const [a] = await joinAll(srv.url, key, [['a', 'Alice']]);
    const lurker = await connectClient(srv.url, { name: 'lurker' });
    await lurker.subscribe(roomDest(key));
    await lurker.disconnect();
    await marker(key, a, [a]);
    await expectQuiet([a]);
  });

  test('x-presence: true -> the first message is {type:peers, peers:[{from,nickname}...]}', T, async () => {
    const key = uniqueRoom();
    await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob']]);
    const c = await connectClient(srv.url, { name: 'c' });
    const sub = await c.subscribe(roomDest(key), { headers: { 'x-presence': 'true' } });
    const first = JSON.parse((await sub.next()).body);
    assert.equal(first.type, 'peers');
    assert.ok(Array.isArray(first.peers), `peers: ${JSON.stringify(first)}`);
    const peers = [...first.peers].sort((x, y) => x.from.localeCompare(y.from));
    assert.deepEqual(peers, [
      { from: 'a', nickname: 'Alice' },
      { from: 'b', nickname: 'Bob' },
    ]);
    assert.deepEqual(Object.keys(first).sort(), ['peers', 'type']);
    await sub.expectNone(QUIET_MS);
  });

  test('x-presence in an empty room -> {type:peers, peers:[]}', T, async () => {
    const key = uniqueRoom();
    const c = await connectClient(srv.url);
    const sub = await c.subscribe(roomDest(key), { headers: { 'x-presence': 'true' } });
    assert.deepEqual(JSON.parse((await sub.next()).body), { type: 'peers', peers: [] });
  });

  test('without x-presence / x-history a new subscriber gets no extra message', T, async () => {
    const key = uniqueRoom();
    const [a] = await joinAll(srv.url, key, [['a', 'Alice']]);
    await a.client.send(chatDest(key), chat('Alice', 'before'), { receipt: true });
    await expectJson(a.sub, chat('Alice', 'before'));
    const c = await connectClient(srv.url);
    const sub = await c.subscribe(roomDest(key));
    await sub.expectNone(QUIET_MS);
  });

  test('x-history: true -> {type:history, messages:[...]} with the earlier chat, in order', T, async () => {
    const key = uniqueRoom();
    const [a, b] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob']]);
    const m1 = chat('Alice', '첫 번째 메시지');
    const m2 = chat('Bob', 'second message');
    await a.client.send(chatDest(key), m1, { receipt: true });
    await b.client.send(chatDest(key), m2, { receipt: true });
    for (const m of [a, b]) {
      await expectJson(m.sub, m1);
      await expectJson(m.sub, m2);
    }
    const c = await connectClient(srv.url, { name: 'c' });
    const sub = await c.subscribe(roomDest(key), { headers: { 'x-history': 'true' } });
    assert.deepEqual(JSON.parse((await sub.next()).body), { type: 'history', messages: [m1, m2] });
    await sub.expectNone(QUIET_MS);
  });

  test('invalid room key characters on SUBSCRIBE -> ERROR naming the rule', T, async () => {
    const c = await connectClient(srv.url);
    await c.subscribe('/exchange/chat.exchange/room.bad!key', { receipt: false });
    const err = await c.nextError(3000);
    assert.match(err.headers.message ?? '', /room|key/i, `message: ${err.headers.message}`);
  });

  test('room key longer than 64 characters -> ERROR', T, async () => {
    const c = await connectClient(srv.url);
    await c.subscribe(roomDest('k'.repeat(65)), { receipt: false });
    const err = await c.nextError(3000);
    assert.match(err.headers.message ?? '', /room|key/i, `message: ${err.headers.message}`);
  });

  test('room key of exactly 64 characters of [A-Za-z0-9_-] is accepted', T, async () => {
    const key = `${'Ab9_-'.repeat(12)}Zz0_`;
    assert.equal(key.length, 64);
    const c = await connectClient(srv.url);
    const sub = await joinRoom(c, key, 'long', 'Long Key');
    await sub.expectNone(0);
    assert.equal(c.errors.length, 0);
  });

  test('SEND to /chat/room.<invalid key> -> ERROR', T, async () => {
    const c = await connectClient(srv.url);
    await c.send('/chat/room.no spaces allowed', join('a', 'Alice'));
    const err = await c.nextError(3000);
    assert.match(err.headers.message ?? '', /room|key/i, `message: ${err.headers.message}`);
  });

  test('room SEND whose body is not JSON -> ERROR, members see nothing', T, async () => {
    const key = uniqueRoom();
    const [a, b] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob']]);
    const evil = await connectClient(srv.url, { name: 'evil' });
    await evil.send(chatDest(key), 'this is {not json');
    const err = await evil.nextError(3000);
    assert.ok((err.headers.message ?? '').length > 0);
    await marker(key, a, [a, b]);
    await expectQuiet([a, b]);
  });
});

describe('rooms with --max-members 2 --max-frame-bytes 4096', () => {
  const srv = useServer({ maxMembers: 2, maxFrameBytes: 4096 });

  test('room full: the third join gets ERROR naming the member limit, members see nothing', T, async () => {
    const key = uniqueRoom();
    const [a, b] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob']]);
    const c = await connectClient(srv.url, { name: 'c' });
    await c.subscribe(roomDest(key));
    await c.send(chatDest(key), join('c', 'Carol'));
    const err = await c.nextError(3000);
    const message = err.headers.message ?? '';
    assert.match(message, /member|full/i, `message: ${message}`);
    assert.match(message, /\b2\b/, `the limit (2) is named: ${message}`);
    await marker(key, a, [a, b]);
    await expectQuiet([a, b]);
  });

  test('a slot freed by a leave can be taken again', T, async () => {
    const key = uniqueRoom();
    const [a, b] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob']]);
    await b.client.disconnect();
    const leave = JSON.parse((await a.sub.next()).body);
    assert.equal(leave.type, 'leave', `expected b's leave, got ${JSON.stringify(leave)}`);
    assert.equal(leave.from, 'b');
    const c = await connectClient(srv.url, { name: 'c' });
    const subC = await joinRoom(c, key, 'c', 'Carol');
    await expectJson(a.sub, join('c', 'Carol'));
    await subC.expectNone(0);
    assert.equal(c.errors.length, 0);
  });

  test('frame over --max-frame-bytes -> ERROR naming the frame size limit', T, async () => {
    const c = await connectClient(srv.url);
    await c.send('/topic/big', 'x'.repeat(5000));
    const err = await c.nextError(3000);
    const message = err.headers.message ?? '';
    assert.match(message, /frame|size|large|bytes/i, `message: ${message}`);
    assert.match(message, /4096/, `the limit (4096) is named: ${message}`);
  });

  test('frame under --max-frame-bytes is delivered', T, async () => {
    const c = await connectClient(srv.url);
    const sub = await c.subscribe('/topic/medium');
    const body = 'y'.repeat(3500);
    await c.send('/topic/medium', body, { receipt: true });
    assert.equal(await sub.nextBody(), body);
    assert.equal(c.errors.length, 0);
  });

  test('an oversized frame from one client does not affect the others', T, async () => {
    const key = uniqueRoom();
    const [a, b] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob']]);
    const big = await connectClient(srv.url, { name: 'big' });
    await big.send(chatDest(key), chat('Big', 'z'.repeat(6000)));
    await big.nextError(3000);
    await marker(key, a, [a, b]);
    await expectQuiet([a, b]);
  });
});

describe('rooms with --rate-limit 5', () => {
  const srv = useServer({ rateLimit: 5 });

  test('50 quick SENDs -> ERROR naming the rate limit', T, async () => {
    const key = uniqueRoom();
    const c = await connectClient(srv.url, { name: 'flooder' });
    await joinRoom(c, key, 'f', 'Flooder');
    for (let i = 0; i < 50 && !c.isClosed; i += 1) {
      try {
        await c.send(chatDest(key), chat('Flooder', `spam ${i}`));
      } catch {
        break; // stompjs refuses to publish once the server closed the connection
      }
    }
    const err = await c.nextError(3000);
    assert.match(err.headers.message ?? '', /rate/i, `message: ${err.headers.message}`);
  });

  test('the flood does not affect other members: they keep sending and receiving', T, async () => {
    const key = uniqueRoom();
    const [a, b] = await joinAll(srv.url, key, [['a', 'Alice'], ['b', 'Bob']]);
    const f = await connectClient(srv.url, { name: 'flooder' });
    for (let i = 0; i < 50 && !f.isClosed; i += 1) {
      try {
        await f.send('/topic/flood', `spam ${i}`);
      } catch {
        break;
      }
    }
    await f.nextError(3000);
    await marker(key, a, [a, b]);
  });

  test('a client within the rate (4 msg/s) is not limited', T, async () => {
    const key = uniqueRoom();
    const [a] = await joinAll(srv.url, key, [['a', 'Alice']]);
    for (let i = 0; i < 8; i += 1) {
      await a.client.send(chatDest(key), chat('Alice', `slow ${i}`));
      await expectJson(a.sub, chat('Alice', `slow ${i}`));
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(a.client.errors.length, 0);
  });
});
