// Scale-out (issue 7; docs/PROTOCOL.md "Scale-out"): two or three parley nodes sharing rooms
// through one real RabbitMQ (a private instance started for this file). Every room rule holds
// across nodes: targeted delivery reaches only the target, identities stay bound cluster-wide,
// presence and history span nodes, a dead node's members leave, a moderator's kick removes a
// member held by another node, and a RabbitMQ outage neither stops same-node traffic nor
// loses a message silently.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';

import { chatDest, closeAllClients, connectClient, fakeSdp, joinRoom, printServerLog, roomDest, sleep, startServer, uniqueRoom, withTimeout } from './helpers.mjs';
import { startRabbit } from './rabbitmq.mjs';

const T = { timeout: 60_000 };
const NODE_TIMEOUT_MS = 3000;
const SECRET = 'cluster-test-secret-0123456789abcdefghij';

let rabbit;
const nodes = {};

async function startNode(name, extra = {}) {
  nodes[name] = await startServer({ amqp: rabbit.url, nodeId: `node-${name}`, nodeTimeoutMs: NODE_TIMEOUT_MS, logLevel: 'info', ...extra });
  return nodes[name];
}

before(async () => {
  rabbit = await startRabbit();
  await Promise.all([startNode('a'), startNode('b')]);
});

afterEach(async (t) => {
  await closeAllClients();
  if (!t.passed) for (const [name, server] of Object.entries(nodes)) printServerLog(server, `node ${name}: test "${t.name}" failed`);
});

after(async () => {
  await closeAllClients();
  await Promise.all(Object.values(nodes).map((n) => n.stop()));
  await rabbit?.stop();
});

const join = (from, nickname) => ({ type: 'join', from, nickname });

// A member on `node`: connected, subscribed, joined (its own join echo consumed).
async function member(node, key, id, { headers = {}, connectHeaders = {} } = {}) {
  const client = await connectClient(node.url, { name: `${id}@${node.port}`, connectHeaders });
  const sub = await joinRoom(client, key, id, `${id}-nick`, { headers });
  return { client, sub, id };
}

// Next message of `type` at `sub` (skipping others), within `ms`.
async function nextOfType(sub, type, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`${sub.queue.name}: no ${type} within ${ms} ms`);
    const msg = JSON.parse((await sub.next(left)).body);
    if (msg.type === type) return msg;
  }
}

describe('rooms across two nodes', () => {
  test('offer, answer and ice between nodes reach only their target', T, async () => {
    const key = uniqueRoom('x');
    const ann = await member(nodes.a, key, 'ann');
    const bob = await member(nodes.b, key, 'bob');
    assert.deepEqual(await nextOfType(ann.sub, 'join'), join('bob', 'bob-nick'), 'ann sees bob join through RabbitMQ');
    const cat = await member(nodes.a, key, 'cat'); // same node as ann: must see none of it
    assert.deepEqual(await nextOfType(bob.sub, 'join'), join('cat', 'cat-nick'), 'bob sees cat join');
    const offer = { type: 'offer', from: 'ann', target: 'bob', sdp: fakeSdp('offer', 'ann-stream') };
    await ann.client.send(chatDest(key), offer, { receipt: true });
    assert.deepEqual(await nextOfType(bob.sub, 'offer'), offer);
    const answer = { type: 'answer', from: 'bob', target: 'ann', sdp: fakeSdp('answer', 'bob-stream') };
    await bob.client.send(chatDest(key), answer, { receipt: true });
    assert.deepEqual(await nextOfType(ann.sub, 'answer'), answer);
    const ice = { type: 'ice', from: 'bob', target: 'ann', iceCandidate: { candidate: 'candidate:1 1 udp 1 10.0.0.2 5000 typ host', sdpMid: '0' } };
    await bob.client.send(chatDest(key), ice, { receipt: true });
    assert.deepEqual(await nextOfType(ann.sub, 'ice'), ice);
    // a broadcast marker: cat must get it next, proving nothing targeted reached cat first
    await bob.client.send(chatDest(key), { type: 'message', nickname: 'bob-nick', msg: 'marker' }, { receipt: true });
    assert.deepEqual(JSON.parse((await cat.sub.next(5000)).body), { type: 'message', nickname: 'bob-nick', msg: 'marker' });
  });

  test('an id bound on node A cannot be taken on node B; a spoofed from is refused', T, async () => {
    const key = uniqueRoom('id');
    await member(nodes.a, key, 'ann');
    // Once node B knows the room (its first subscriber's presence reply waits for that), the
    // id is refused outright.
    const intruder = await connectClient(nodes.b.url, { name: 'intruder' });
    const sub = await intruder.subscribe(roomDest(key), { headers: { 'x-presence': 'true' } });
    // (ann's join may still be on its way through RabbitMQ and arrive first)
    assert.deepEqual((await nextOfType(sub, 'peers')).peers, [{ from: 'ann', nickname: 'ann-nick' }]);
    await intruder.send(chatDest(key), join('ann', 'fake'));
    assert.match((await intruder.nextError()).headers.message, /^identity taken: 'ann' is already in room/);
    const bob = await member(nodes.b, key, 'bob');
    await bob.client.send(chatDest(key), { type: 'offer', from: 'ann', target: 'ann', sdp: 'v=0' });
    assert.match((await bob.client.nextError()).headers.message, /^spoofed from/);
  });

  test('a join racing the sync of a new node loses to the member that held the id first', T, async () => {
    const key = uniqueRoom('race');
    const ann = await member(nodes.a, key, 'ann');
    // Node B's first subscriber joins as 'ann' before B heard from A: B accepts it, then A's
    // state arrives and every node keeps A's member (node-a < node-b): the racer is no member.
    const racer = await connectClient(nodes.b.url, { name: 'racer' });
    await racer.subscribe(roomDest(key));
    await racer.send(chatDest(key), join('ann', 'racer'));
    await sleep(1500);
    await ann.sub.expectNone(200); // A never saw ann leave or join again
    await racer.send(chatDest(key), { type: 'media', from: 'ann', audio: false });
    assert.match((await racer.nextError()).headers.message, /^join the room before sending media/);
  });

  test('joins racing a new binding: the member already in the room hears the newcomer, 15 times', T, async () => {
    for (let i = 0; i < 15; i += 1) {
      const key = uniqueRoom(`race${i}`);
      // no pause: bob joins on B while A may still be binding the room at RabbitMQ
      const ann = await member(nodes.a, key, 'ann');
      const bob = await member(nodes.b, key, 'bob');
      await sleep(600);
      const heard = (sub, from) => sub.queue.items.some((m) => { const j = JSON.parse(m.body); return j.type === 'join' && j.from === from; });
      // Whichever join went out first through RabbitMQ, the other member hears it (and, as on
      // one node, a subscriber may also hear a join that came after its own): never neither,
      // or nobody would send the offer. Joins are never doubled.
      const annHeardBob = heard(ann.sub, 'bob');
      const bobHeardAnn = heard(bob.sub, 'ann');
      assert.ok(annHeardBob || bobHeardAnn, `round ${i}: neither heard the other join`);
      for (const m of [ann, bob]) {
        assert.ok(m.sub.queue.items.filter((x) => JSON.parse(x.body).type === 'join').length <= 1, `round ${i}: ${m.id} heard a join twice`);
      }
      await ann.client.kill();
      await bob.client.kill();
    }
  });

  test('presence and chat history span nodes', T, async () => {
    const key = uniqueRoom('presence');
    const ann = await member(nodes.a, key, 'ann');
    await ann.client.send(chatDest(key), { type: 'message', nickname: 'ann-nick', msg: 'said on A' }, { receipt: true });
    await nextOfType(ann.sub, 'message');
    // Node B has nobody in this room yet: its first subscriber's presence and history wait
    // for node A's answer.
    const carl = await connectClient(nodes.b.url, { name: 'carl' });
    const sub = await carl.subscribe(roomDest(key), { headers: { 'x-presence': 'true', 'x-history': 'true' } });
    assert.deepEqual(await nextOfType(sub, 'peers'), { type: 'peers', peers: [{ from: 'ann', nickname: 'ann-nick' }] });
    const history = await nextOfType(sub, 'history');
    assert.equal(history.type, 'history');
    assert.deepEqual(history.messages, [{ type: 'message', nickname: 'ann-nick', msg: 'said on A' }]);
    // and B now enforces A's binding
    await carl.send(chatDest(key), join('ann', 'copy'));
    assert.match((await carl.nextError()).headers.message, /^identity taken/);
  });

  test("a moderator on A removes a member held by B", T, async () => {
    const [ka, kb] = await Promise.all([startNode('ka', { jwtSecret: SECRET }), startNode('kb', { jwtSecret: SECRET })]);
    const token = (sub, role) => {
      const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, room: '*', role, exp: Math.floor(Date.now() / 1000) + 600 })}`;
      return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
    };
    const key = uniqueRoom('kick');
    const mod = await member(ka, key, 'mod', { connectHeaders: { passcode: token('mod', 'moderator') } });
    const bob = await member(kb, key, 'bob', { connectHeaders: { passcode: token('bob', 'member') } });
    const cat = await member(kb, key, 'cat', { connectHeaders: { passcode: token('cat', 'member') } });
    await nextOfType(mod.sub, 'join');
    await nextOfType(mod.sub, 'join');
    await mod.client.send(chatDest(key), { type: 'kick', from: 'mod', target: 'bob' }, { receipt: true });
    assert.equal((await nextOfType(bob.sub, 'kick')).target, 'bob');
    assert.deepEqual(await nextOfType(cat.sub, 'leave'), { type: 'leave', from: 'bob', streamId: null });
    assert.deepEqual(await nextOfType(mod.sub, 'leave'), { type: 'leave', from: 'bob', streamId: null });
    await cat.client.send(chatDest(key), { type: 'message', nickname: 'cat-nick', msg: 'after' }, { receipt: true });
    await nextOfType(mod.sub, 'message');
    await bob.sub.expectNone(300);
    await Promise.all([ka.stop(), kb.stop()]);
    delete nodes.ka;
    delete nodes.kb;
  });
});

describe('node failure', () => {
  test("SIGKILL of node B: members on A get B's members' leave within the node timeout", T, async () => {
    const c = await startNode('c');
    const key = uniqueRoom('dead');
    const ann = await member(nodes.a, key, 'ann');
    const offer = { type: 'offer', from: 'ann', target: 'zed', sdp: fakeSdp('offer', 'ann-stream') };
    const zed = await member(c, key, 'zed');
    await nextOfType(ann.sub, 'join');
    // zed's answer passes through A, so A learns zed's stream id for the leave
    await ann.client.send(chatDest(key), offer, { receipt: true });
    await nextOfType(zed.sub, 'offer');
    await zed.client.send(chatDest(key), { type: 'answer', from: 'zed', target: 'ann', sdp: fakeSdp('answer', 'zed-stream') }, { receipt: true });
    await nextOfType(ann.sub, 'answer');
    const killedAt = Date.now();
    c.child.kill('SIGKILL');
    await c.exited;
    delete nodes.c;
    zed.client.kill();
    const leave = await nextOfType(ann.sub, 'leave', NODE_TIMEOUT_MS + 5000);
    const took = Date.now() - killedAt;
    assert.deepEqual(leave, { type: 'leave', from: 'zed', streamId: 'zed-stream' });
    assert.ok(took >= NODE_TIMEOUT_MS - 500, `leave after ${took} ms: not before the node timeout`);
    console.log(`# failover: leave of a SIGKILLed node's member after ${took} ms (node timeout ${NODE_TIMEOUT_MS} ms)`);
  });

  test('a node stopped with SIGTERM says goodbye: its members leave at once', T, async () => {
    const d = await startNode('d');
    const key = uniqueRoom('bye');
    const ann = await member(nodes.a, key, 'ann');
    await member(d, key, 'dan');
    await nextOfType(ann.sub, 'join');
    const stoppedAt = Date.now();
    await d.stop();
    delete nodes.d;
    assert.equal((await nextOfType(ann.sub, 'leave', 3000)).from, 'dan');
    assert.ok(Date.now() - stoppedAt < NODE_TIMEOUT_MS, 'well before the node timeout');
  });
});

describe('RabbitMQ outage', () => {
  test('5 s without RabbitMQ: same-node traffic goes on, cross-node resumes, nothing lost silently', { timeout: 90_000 }, async () => {
    const key = uniqueRoom('outage');
    const ann = await member(nodes.a, key, 'ann');
    const amy = await member(nodes.a, key, 'amy');
    const bob = await member(nodes.b, key, 'bob');
    await nextOfType(ann.sub, 'join');
    await nextOfType(ann.sub, 'join');

    await rabbit.pause();
    const health = await (await fetch(`${nodes.a.httpUrl}/api/health`)).json();
    assert.equal(health.cluster.state === 'up', false, 'health reports the broker down');
    assert.equal(health.status, 'degraded');
    // During the outage: ann's chat lines reach amy (same node) at once; each SEND either gets
    // its receipt (then bob must get it after the outage) or an ERROR.
    const sent = [];
    for (let i = 0; i < 20; i += 1) {
      const msg = { type: 'message', nickname: 'ann-nick', msg: `during-${i}` };
      await withTimeout(ann.client.send(chatDest(key), msg, { receipt: true }), 2000, `receipt ${i}`);
      sent.push(msg.msg);
      assert.equal((await nextOfType(amy.sub, 'message', 1000)).msg, msg.msg, 'same-node delivery during the outage');
      await sleep(200);
    }
    await rabbit.resume();
    // everything acknowledged reaches bob, in order, once
    const got = [];
    while (got.length < sent.length) got.push((await nextOfType(bob.sub, 'message', 20_000)).msg);
    assert.deepEqual(got, sent);
    await bob.sub.expectNone(500);
    // and cross-node traffic flows both ways again
    await bob.client.send(chatDest(key), { type: 'message', nickname: 'bob-nick', msg: 'back' }, { receipt: true });
    for (;;) {
      const msg = await nextOfType(ann.sub, 'message', 10_000);
      if (msg.msg === 'back') break;
      assert.match(msg.msg, /^during-/, 'only her own lines before it');
    }
    const metrics = await (await fetch(`${nodes.a.httpUrl}/metrics`)).text();
    assert.match(metrics, /parley_cluster_up 1/);
    assert.match(metrics, /parley_cluster_reconnects_total [1-9]/);
  });
});
