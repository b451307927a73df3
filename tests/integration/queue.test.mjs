// /queue/<name>: competing consumers and acknowledgements (auto, client, client-individual).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { connectClient, useServer } from './helpers.mjs';

const T = { timeout: 20_000 };
let queueCounter = 0;
const uniqueQueue = () => `/queue/q-${process.pid}-${++queueCounter}`;
const QUIET_MS = 400;

describe('queues', () => {
  const srv = useServer();

  test('competing consumers: 10 messages split between two subscribers, each exactly once', T, async () => {
    const q = uniqueQueue();
    const c1 = await connectClient(srv.url, { name: 'consumer1' });
    const c2 = await connectClient(srv.url, { name: 'consumer2' });
    const s1 = await c1.subscribe(q);
    const s2 = await c2.subscribe(q);
    const producer = await connectClient(srv.url, { name: 'producer' });
    const sent = Array.from({ length: 10 }, (_, i) => `job-${i}`);
    for (const body of sent) await producer.send(q, body);
    await producer.send(q, 'job-last', { receipt: true });
    sent.push('job-last');

    const got1 = [];
    const got2 = [];
    const deadline = Date.now() + 5000;
    while (got1.length + got2.length < sent.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      got1.push(...s1.queue.drain().map((m) => m.body));
      got2.push(...s2.queue.drain().map((m) => m.body));
    }
    await new Promise((r) => setTimeout(r, QUIET_MS));
    got1.push(...s1.queue.drain().map((m) => m.body));
    got2.push(...s2.queue.drain().map((m) => m.body));

    assert.ok(got1.length > 0, `consumer1 got nothing (consumer2 got ${got2.length})`);
    assert.ok(got2.length > 0, `consumer2 got nothing (consumer1 got ${got1.length})`);
    assert.equal(got1.length + got2.length, sent.length, `total delivered: ${got1} | ${got2}`);
    assert.deepEqual([...got1, ...got2].sort(), [...sent].sort(), 'every message exactly once');
    // each consumer sees its share in send order
    const order = (xs) => xs.map((x) => sent.indexOf(x));
    assert.deepEqual(order(got1), [...order(got1)].sort((x, y) => x - y), 'consumer1 order');
    assert.deepEqual(order(got2), [...order(got2)].sort((x, y) => x - y), 'consumer2 order');
  });

  test('messages sent while nobody consumes are kept and delivered to the first subscriber', T, async () => {
    const q = uniqueQueue();
    const producer = await connectClient(srv.url);
    await producer.send(q, 'early-1');
    await producer.send(q, 'early-2', { receipt: true });
    const c = await connectClient(srv.url);
    const s = await c.subscribe(q);
    assert.equal(await s.nextBody(), 'early-1');
    assert.equal(await s.nextBody(), 'early-2');
    await s.expectNone(QUIET_MS);
  });

  test('client-individual: NACK -> the message is redelivered with redelivered:true', T, async () => {
    const q = uniqueQueue();
    const c = await connectClient(srv.url);
    const s = await c.subscribe(q, { headers: { ack: 'client-individual' } });
    await c.send(q, 'nack-me', { receipt: true });
    const first = await s.next();
    assert.equal(first.body, 'nack-me');
    assert.ok(first.headers.ack, 'MESSAGE of a client-ack subscription carries an ack header (1.2)');
    assert.notEqual(first.headers.redelivered, 'true');
    first.nack();
    const again = await s.next(3000);
    assert.equal(again.body, 'nack-me');
    assert.equal(again.headers.redelivered, 'true');
    again.ack();
    await s.expectNone(QUIET_MS);
  });

  test('client-individual: ACK of one message does not acknowledge the others', T, async () => {
    const q = uniqueQueue();
    const c = await connectClient(srv.url, { name: 'first' });
    const s = await c.subscribe(q, { headers: { ack: 'client-individual' } });
    for (const body of ['ci-1', 'ci-2', 'ci-3']) await c.send(q, body);
    const msgs = [await s.next(), await s.next(), await s.next()];
    assert.deepEqual(msgs.map((m) => m.body), ['ci-1', 'ci-2', 'ci-3']);
    msgs[2].ack({ receipt: 'ack-3' });
    await c.receipt('ack-3');
    await c.disconnect();
    // ci-1 and ci-2 were never acked: they go to the next consumer
    const d = await connectClient(srv.url, { name: 'second' });
    const s2 = await d.subscribe(q, { headers: { ack: 'client-individual' } });
    const got = [(await s2.next()).body, (await s2.next()).body].sort();
    assert.deepEqual(got, ['ci-1', 'ci-2']);
    await s2.expectNone(QUIET_MS);
  });

  test('a consumer disconnecting with unacked messages -> they are redelivered to the other consumer', T, async () => {
    const q = uniqueQueue();
    const a = await connectClient(srv.url, { name: 'a' });
    const sa = await a.subscribe(q, { headers: { ack: 'client-individual' } });
    const producer = await connectClient(srv.url, { name: 'producer' });
    await producer.send(q, 'unacked-1');
    await producer.send(q, 'unacked-2', { receipt: true });
    // only a was subscribed: a holds both, unacked
    assert.equal(await sa.nextBody(), 'unacked-1');
    assert.equal(await sa.nextBody(), 'unacked-2');
    const b = await connectClient(srv.url, { name: 'b' });
    const sb = await b.subscribe(q, { headers: { ack: 'client-individual' } });
    await sb.expectNone(200); // nothing for b while a holds them
    await a.terminate();
    const m1 = await sb.next(3000);
    const m2 = await sb.next(3000);
    assert.deepEqual([m1.body, m2.body].sort(), ['unacked-1', 'unacked-2']);
    assert.equal(m1.headers.redelivered, 'true');
    assert.equal(m2.headers.redelivered, 'true');
    m1.ack();
    m2.ack();
    await sb.expectNone(QUIET_MS);
  });

  test('acked messages are not redelivered when the consumer disconnects', T, async () => {
    const q = uniqueQueue();
    const a = await connectClient(srv.url, { name: 'a' });
    const sa = await a.subscribe(q, { headers: { ack: 'client-individual' } });
    await a.send(q, 'done-1');
    const m = await sa.next();
    m.ack({ receipt: 'acked' });
    await a.receipt('acked');
    await a.disconnect();
    const b = await connectClient(srv.url, { name: 'b' });
    const sb = await b.subscribe(q, { headers: { ack: 'client-individual' } });
    await sb.expectNone(QUIET_MS);
  });

  test('ack:client is cumulative: ACK of the 2nd message acknowledges the 1st too, not the 3rd', T, async () => {
    const q = uniqueQueue();
    const a = await connectClient(srv.url, { name: 'a' });
    const sa = await a.subscribe(q, { headers: { ack: 'client' } });
    for (const body of ['cum-1', 'cum-2', 'cum-3']) await a.send(q, body);
    const msgs = [await sa.next(), await sa.next(), await sa.next()];
    assert.deepEqual(msgs.map((x) => x.body), ['cum-1', 'cum-2', 'cum-3']);
    msgs[1].ack({ receipt: 'cum-ack' });
    await a.receipt('cum-ack');
    await a.disconnect();
    const b = await connectClient(srv.url, { name: 'b' });
    const sb = await b.subscribe(q, { headers: { ack: 'client' } });
    const redelivered = await sb.next(3000);
    assert.equal(redelivered.body, 'cum-3');
    assert.equal(redelivered.headers.redelivered, 'true');
    await sb.expectNone(QUIET_MS);
  });

  test('ack:auto messages are never redelivered', T, async () => {
    const q = uniqueQueue();
    const a = await connectClient(srv.url);
    const sa = await a.subscribe(q);
    await a.send(q, 'auto-1', { receipt: true });
    assert.equal(await sa.nextBody(), 'auto-1');
    await a.terminate();
    const b = await connectClient(srv.url);
    const sb = await b.subscribe(q);
    await sb.expectNone(QUIET_MS);
  });
});
