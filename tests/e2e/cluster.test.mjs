// End to end (issue 7): two parley nodes sharing rooms through a real RabbitMQ, and Parley's web
// client in two headless Chromium pages, one connected to each node: they see and hear each
// other (video frames decoded both ways), so join, offer, answer and ICE all crossed nodes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { startServer, uniqueRoom } from '../integration/helpers.mjs';
import { startRabbit } from '../integration/rabbitmq.mjs';
import { CHROMIUM_BIN, expectDecoding, joinFromPreJoin, launchBrowser, openParley, printDiagnostics, waitFor } from './parley-page.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WEB_ROOT = process.env.PARLEY_WEB_ROOT ?? path.resolve(here, '..', '..', 'web', 'dist');

let browser;
let rabbit;
let nodeA;
let nodeB;

before(async () => {
  if (!existsSync(CHROMIUM_BIN)) throw new Error(`no Chromium at ${CHROMIUM_BIN}`);
  if (!existsSync(path.join(WEB_ROOT, 'index.html'))) throw new Error(`no web client build at ${WEB_ROOT}`);
  [browser, rabbit] = await Promise.all([launchBrowser(), startRabbit()]);
  [nodeA, nodeB] = await Promise.all(
    ['e2e-a', 'e2e-b'].map((nodeId) => startServer({ webRoot: WEB_ROOT, amqp: rabbit.url, nodeId, logLevel: 'info' })),
  );
});

after(async () => {
  await browser?.close();
  await Promise.all([nodeA?.stop(), nodeB?.stop()]);
  await rabbit?.stop();
});

describe('two nodes, one RabbitMQ, Chromium', () => {
  test('a page on node A and a page on node B have a working call', { timeout: 90_000 }, async () => {
    const key = uniqueRoom('nodes');
    const members = [];
    try {
      const alice = await openParley(browser, `${nodeA.httpUrl}/r/${key}?lowres=1`, { name: 'Alice' });
      members.push(alice);
      const bob = await openParley(browser, `${nodeB.httpUrl}/r/${key}?lowres=1`, { name: 'Bob' });
      members.push(bob);
      await joinFromPreJoin(alice);
      await waitFor(alice, 'Alice joined on node A', (s) => s.joined && s.status === 'connected', 10_000);
      await joinFromPreJoin(bob);
      const [a, b] = await Promise.all(
        [alice, bob].map((m) => waitFor(m, 'joined', (s) => s.joined && s.status === 'connected', 10_000)),
      );
      await Promise.all([expectDecoding(alice, [b.memberId]), expectDecoding(bob, [a.memberId])]);
      for (const m of members) assert.deepEqual(m.pageErrors(), [], `${m.name}: uncaught page errors`);
      // and leaving on B reaches A through RabbitMQ
      await bob.close();
      await waitFor(alice, "Bob's tile to go", (s) => !s.tiles.some((t) => t.member === b.memberId), 10_000);
    } catch (err) {
      printDiagnostics(members, [nodeA, nodeB], err);
      throw err;
    } finally {
      for (const m of members) await m.close();
    }
  });
});
