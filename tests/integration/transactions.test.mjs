// STOMP transactions: BEGIN / SEND with transaction / COMMIT / ABORT.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { connectClient, useServer } from './helpers.mjs';

const T = { timeout: 15_000 };
const QUIET_MS = 300;
let topicCounter = 0;
const uniqueTopic = () => `/topic/tx-${process.pid}-${++topicCounter}`;

describe('transactions', () => {
  const srv = useServer();

  async function pair() {
    const topic = uniqueTopic();
    const consumer = await connectClient(srv.url, { name: 'consumer' });
    const sub = await consumer.subscribe(topic);
    const producer = await connectClient(srv.url, { name: 'producer' });
    return { topic, consumer, sub, producer };
  }

  test('SENDs in a transaction are delivered only at COMMIT, in order', T, async () => {
    const { topic, sub, producer } = await pair();
    const tx = producer.client.begin('tx-commit');
    await producer.send(topic, 'tx-first', { headers: { transaction: tx.id }, receipt: true });
    await producer.send(topic, 'tx-second', { headers: { transaction: tx.id }, receipt: true });
    await sub.expectNone(QUIET_MS);
    tx.commit();
    assert.equal(await sub.nextBody(), 'tx-first');
    assert.equal(await sub.nextBody(), 'tx-second');
    await sub.expectNone(QUIET_MS);
    assert.equal(producer.errors.length, 0);
  });

  test('ABORT discards the transaction\'s SENDs', T, async () => {
    const { topic, sub, producer } = await pair();
    const tx = producer.client.begin('tx-abort');
    await producer.send(topic, 'discard-me-1', { headers: { transaction: tx.id } });
    await producer.send(topic, 'discard-me-2', { headers: { transaction: tx.id }, receipt: true });
    tx.abort();
    await producer.send(topic, 'after-abort', { receipt: true });
    assert.equal(await sub.nextBody(), 'after-abort');
    await sub.expectNone(QUIET_MS);
    assert.equal(producer.errors.length, 0);
  });

  test('a SEND outside the open transaction is delivered immediately', T, async () => {
    const { topic, sub, producer } = await pair();
    const tx = producer.client.begin('tx-mixed');
    await producer.send(topic, 'in-tx', { headers: { transaction: tx.id } });
    await producer.send(topic, 'not-in-tx', { receipt: true });
    assert.equal(await sub.nextBody(), 'not-in-tx');
    await sub.expectNone(QUIET_MS);
    tx.commit();
    assert.equal(await sub.nextBody(), 'in-tx');
  });

  test('COMMIT of an unknown transaction -> ERROR', T, async () => {
    const c = await connectClient(srv.url);
    c.client.commit('never-begun');
    const err = await c.nextError(3000);
    assert.equal(err.command, 'ERROR');
    assert.ok((err.headers.message ?? '').length > 0, 'ERROR has a message header');
  });

  test('ABORT of an unknown transaction -> ERROR', T, async () => {
    const c = await connectClient(srv.url);
    c.client.abort('never-begun-either');
    const err = await c.nextError(3000);
    assert.ok((err.headers.message ?? '').length > 0);
  });

  test('SEND naming an unknown transaction -> ERROR, nothing delivered', T, async () => {
    const { topic, sub, producer } = await pair();
    await producer.send(topic, 'ghost', { headers: { transaction: 'no-such-tx' } });
    const err = await producer.nextError(3000);
    assert.ok((err.headers.message ?? '').length > 0);
    await sub.expectNone(QUIET_MS);
  });

  test('a transaction still open at DISCONNECT is discarded', T, async () => {
    const { topic, sub, producer } = await pair();
    const tx = producer.client.begin('tx-dangling');
    await producer.send(topic, 'never', { headers: { transaction: tx.id }, receipt: true });
    await producer.disconnect();
    await sub.expectNone(QUIET_MS);
  });

  test('two transactions of one session are independent', T, async () => {
    const { topic, sub, producer } = await pair();
    const t1 = producer.client.begin('tx-one');
    const t2 = producer.client.begin('tx-two');
    await producer.send(topic, 'from-one', { headers: { transaction: t1.id } });
    await producer.send(topic, 'from-two', { headers: { transaction: t2.id }, receipt: true });
    t2.commit();
    assert.equal(await sub.nextBody(), 'from-two');
    t1.abort();
    await sub.expectNone(QUIET_MS);
  });
});
