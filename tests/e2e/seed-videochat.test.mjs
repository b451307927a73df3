// End to end: the seed client's VideoChat (ported to tests/e2e/seed-page/) in two headless
// Chromium pages, against a real parley. Rules checked, per SockJS transport:
//   - the seed connects through SockJS from another origin (credentialed CORS) and joins a room;
//   - join → offer → answer → ice through parley connects the two RTCPeerConnections, and each
//     page decodes the other's video;
//   - a chat `message` comes back to every member, the sender included (UTF-8 intact);
//   - when a page closes, the other receives parley's `leave` with the leaver's streamId and
//     removes that remote video.
// Needs Debian's chromium (/usr/bin/chromium, or CHROMIUM_BIN); run with `npm run e2e`.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { sleep, startServer, uniqueRoom } from '../integration/helpers.mjs';
import { CHROMIUM_BIN, launchBrowser } from './parley-page.mjs';
import { startStaticServer } from './static-server.mjs';

const TEST_TIMEOUT_MS = 45_000;

let browser;
let pageServer;

before(async () => {
  if (!existsSync(CHROMIUM_BIN)) {
    throw new Error(`no Chromium at ${CHROMIUM_BIN}: apt-get install chromium (or set CHROMIUM_BIN)`);
  }
  pageServer = await startStaticServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await pageServer?.close();
});

// One seed page in a fresh browser context (its own camera permission, cookies and storage).
async function openMember(server, room, from, nickname) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  const log = [];
  page.on('console', (msg) => log.push(`[console.${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => log.push(`[pageerror] ${err.stack ?? err}`));
  page.on('requestfailed', (req) => log.push(`[requestfailed] ${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  const query = new URLSearchParams({ server: server.httpUrl, room, from, nickname });
  await page.goto(`${pageServer.url}/?${query}`, { timeout: 10_000 });
  const member = {
    from,
    nickname,
    page,
    log,
    closed: false,
    lastSnapshot: null,
    async snapshot() {
      member.lastSnapshot = await page.evaluate(() => window.seedSnapshot());
      return member.lastSnapshot;
    },
    async close() {
      if (member.closed) return;
      member.closed = true;
      await context.close().catch(() => {});
    },
  };
  return member;
}

// Polls the page's snapshot until `predicate` holds; fails naming `what` with the last snapshot.
async function waitForState(member, what, predicate, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snap = await member.snapshot();
    if (predicate(snap)) return snap;
    if (Date.now() > deadline) {
      throw new Error(`${member.from}: timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(200);
  }
}

// On failure: what each page printed, its last state, and parley's stderr.
function printDiagnostics(members, server, err) {
  const out = [`--- e2e failure: ${err.message}`];
  for (const m of members) {
    const noisy = m.log.filter((line) => !line.startsWith('[console.log]') && !line.startsWith('[console.debug]'));
    out.push(`--- ${m.from}: console errors/warnings, page errors, failed requests (${noisy.length}):`);
    out.push(...(noisy.length ? noisy : ['(none)']));
    out.push(`--- ${m.from}: full console (${m.log.length} lines):`, ...m.log.slice(-40));
    out.push(`--- ${m.from}: last snapshot:`, JSON.stringify(m.lastSnapshot, null, 1));
  }
  if (server) {
    out.push(`--- parley (${server.args.join(' ')}) stderr:`, server.stderr().slice(-6000) || '(empty)');
  }
  console.error(out.join('\n'));
}

const decodingFrom = (snap, other) => {
  const video = snap.videos[0];
  const stats = snap.stats[other];
  return snap.videos.length === 1 && video.videoWidth > 0 && stats && stats.framesDecoded > 0;
};

async function meeting(t, { serverArgs, transport }) {
  const server = await startServer({ args: serverArgs });
  const members = [];
  try {
    const room = uniqueRoom('e2e');
    // one after the other, as people do: the seed offers to each newcomer it sees join, so two
    // pages joining at the same instant would both offer (glare), which the seed does not handle
    const alice = await openMember(server, room, 'alice', '앨리스');
    members.push(alice);
    const aliceJoined = await waitForState(alice, 'STOMP connected and join sent', (s) => s.joined || s.errors.length > 0, 15_000);
    assert.deepEqual(aliceJoined.errors, [], 'alice: page errors while joining');
    assert.equal(aliceJoined.transport, transport, 'alice: sockjs-client transport');

    const bob = await openMember(server, room, 'bob', '밥');
    members.push(bob);
    const bobJoined = await waitForState(bob, 'STOMP connected and join sent', (s) => s.joined || s.errors.length > 0, 15_000);
    assert.deepEqual(bobJoined.errors, [], 'bob: page errors while joining');
    assert.equal(bobJoined.transport, transport, 'bob: sockjs-client transport');

    // join → offer (alice, who saw bob join) → answer → ice: both connections up, video decoded
    const [a1, b1] = await Promise.all([
      waitForState(alice, 'connection to bob and decoded video', (s) => s.peers.bob === 'connected' && decodingFrom(s, 'bob'), 20_000),
      waitForState(bob, 'connection to alice and decoded video', (s) => s.peers.alice === 'connected' && decodingFrom(s, 'alice'), 20_000),
    ]);
    assert.equal(a1.videos[0].streamId, b1.localStreamId, "alice shows bob's camera stream");
    assert.equal(b1.videos[0].streamId, a1.localStreamId, "bob shows alice's camera stream");
    // targeted messages reach their target only: alice never sees an offer or answer for bob
    assert.ok(!a1.received.some((m) => m.target && m.target !== 'alice'), 'alice received a message targeted at someone else');
    assert.ok(!b1.received.some((m) => m.target && m.target !== 'bob'), 'bob received a message targeted at someone else');

    // the video keeps playing: more frames decoded, the element's clock advances
    const [a2, b2] = await Promise.all([
      waitForState(alice, "bob's video to keep decoding", (s) => s.stats.bob.framesDecoded >= a1.stats.bob.framesDecoded + 10 && s.videos[0].currentTime > a1.videos[0].currentTime, 10_000),
      waitForState(bob, "alice's video to keep decoding", (s) => s.stats.alice.framesDecoded >= b1.stats.alice.framesDecoded + 10 && s.videos[0].currentTime > b1.videos[0].currentTime, 10_000),
    ]);
    assert.ok(a2.stats.bob.audioPackets > 0, 'alice receives audio RTP from bob');
    assert.ok(b2.stats.alice.audioPackets > 0, 'bob receives audio RTP from alice');

    // chat: every member gets the line, the sender included, Korean intact
    await bob.page.evaluate(() => window.seedSendChat('안녕하세요! 잘 들려요?'));
    const line = '밥 : 안녕하세요! 잘 들려요?';
    await Promise.all([
      waitForState(alice, 'the chat line', (s) => s.chat.includes(line), 5_000),
      waitForState(bob, 'its own chat line back', (s) => s.chat.includes(line), 5_000),
    ]);

    // alice closes her tab: parley tells bob, who drops her connection and her video
    await alice.close();
    const leftAt = Date.now();
    const b3 = await waitForState(
      bob,
      "alice's leave and her video removed",
      (s) => s.received.some((m) => m.type === 'leave' && m.from === 'alice') && s.videos.length === 0,
      15_000,
    );
    const leaveMs = Date.now() - leftAt;
    const leaves = b3.received.filter((m) => m.type === 'leave');
    assert.deepEqual(leaves, [{ type: 'leave', from: 'alice', streamId: a1.localStreamId }], 'bob: exactly one leave, naming alice and her stream');
    assert.deepEqual(b3.remoteStreams, []);
    assert.equal(b3.peers.alice, 'closed');
    assert.deepEqual(b3.errors, [], 'bob: page errors');
    assert.equal(server.exitStatus, null, 'parley is still running');

    for (const s of [aliceJoined, bobJoined]) {
      const race = s.joinWaitedForStomp ? 'before STOMP CONNECTED: the unmodified seed would not have joined' : 'after STOMP CONNECTED';
      t.diagnostic(`${s.from}: ms since load ${JSON.stringify(s.timing)}; getUserMedia resolved ${race}`);
    }
    t.diagnostic(`bob had alice's leave and had dropped her video within ${leaveMs} ms of her tab closing`);
  } catch (err) {
    for (const m of members) if (!m.closed) await m.snapshot().catch(() => {});
    printDiagnostics(members, server, err);
    throw err;
  } finally {
    for (const m of members) await m.close();
    await server.stop();
  }
}

describe('seed VideoChat in Chromium', () => {
  test('over the SockJS websocket transport: two pages connect, see each other, and one leaves', { timeout: TEST_TIMEOUT_MS }, (t) =>
    meeting(t, { serverArgs: [], transport: 'websocket' }));

  test('over SockJS xhr-streaming (--no-sockjs-websocket): two pages connect, see each other, and one leaves', { timeout: TEST_TIMEOUT_MS }, (t) =>
    meeting(t, { serverArgs: ['--no-sockjs-websocket'], transport: 'xhr-streaming' }));
});
