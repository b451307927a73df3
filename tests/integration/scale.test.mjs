// Scale: 200 concurrent stompjs clients in one room (server --max-members 250).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  chatDest,
  connectClient,
  getMetrics,
  httpGet,
  metricValue,
  roomDest,
  sleep,
  uniqueRoom,
  useServer,
} from './helpers.mjs';

const N = 200;

// Runs fn over items with at most `limit` in flight.
async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

describe(`scale: ${N} clients in one room`, () => {
  const srv = useServer({ maxMembers: 250 });

  test(`${N} clients join one room, every client receives all ${N} joins, all disconnect cleanly`, { timeout: 60_000 }, async () => {
    const key = uniqueRoom('scale');
    const ids = Array.from({ length: N }, (_, i) => `user${String(i).padStart(3, '0')}`);

    // connect and subscribe everyone first, so every join is sent to all N subscribers
    const t0 = Date.now();
    const members = await pool(ids, 50, async (id) => {
      const client = await connectClient(srv.url, { name: id, connectionTimeout: 15_000 });
      const sub = await client.subscribe(roomDest(key), { timeoutMs: 10_000 });
      return { id, client, sub };
    });
    const connectedMs = Date.now() - t0;

    const metricsConnected = await getMetrics(srv.httpUrl);
    assert.equal(metricValue(metricsConnected, 'parley_sessions'), N, 'parley_sessions with everyone connected');

    const t1 = Date.now();
    for (const m of members) {
      await m.client.send(chatDest(key), { type: 'join', from: m.id, nickname: `Nick ${m.id}` });
    }
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && members.some((m) => m.sub.queue.received < N)) await sleep(50);
    const fanoutMs = Date.now() - t1;
    await sleep(300); // anything beyond N would show up now

    const expected = [...ids].sort();
    const problems = [];
    for (const m of members) {
      const bodies = m.sub.queue.drain().map((msg) => JSON.parse(msg.body));
      const froms = bodies.map((b) => b.from).sort();
      const allJoins = bodies.every((b) => b.type === 'join' && b.nickname === `Nick ${b.from}`);
      if (bodies.length !== N || !allJoins || JSON.stringify(froms) !== JSON.stringify(expected)) {
        problems.push(`${m.id}: ${bodies.length} messages, joins ok=${allJoins}, distinct=${new Set(froms).size}`);
      }
      if (m.client.errors.length) problems.push(`${m.id}: ERROR ${m.client.errors.items[0]?.headers?.message}`);
    }
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} clients did not get exactly the ${N} joins`);

    const t2 = Date.now();
    const failures = [];
    await pool(members, 50, async (m) => {
      try {
        await m.client.disconnect(10_000);
      } catch (err) {
        failures.push(`${m.id}: ${err.message}`);
      }
    });
    const disconnectMs = Date.now() - t2;
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} clients failed to DISCONNECT cleanly`);

    const health = await httpGet(`${srv.httpUrl}/api/health`);
    assert.equal(health.status, 200);
    assert.equal(JSON.parse(health.text).status, 'ok');

    let sessions;
    const until = Date.now() + 5000;
    do {
      sessions = metricValue(await getMetrics(srv.httpUrl), 'parley_sessions');
      if (sessions === 0) break;
      await sleep(100);
    } while (Date.now() < until);
    assert.equal(sessions, 0, 'parley_sessions returns to 0 after everyone left');
    console.log(`# scale: connect+subscribe ${connectedMs} ms, ${N}x${N} join fan-out ${fanoutMs} ms, disconnect ${disconnectMs} ms`);
  });

  test('the server still serves a new client after the crowd left', { timeout: 15_000 }, async () => {
    const c = await connectClient(srv.url);
    const sub = await c.subscribe('/topic/after-scale');
    await c.send('/topic/after-scale', 'still fine', { receipt: true });
    assert.equal(await sub.nextBody(), 'still fine');
  });
});
