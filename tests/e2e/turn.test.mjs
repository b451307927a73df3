// TURN end to end (issue 6, "Tests"): a real coturn (`turnserver --use-auth-secret`) on loopback
// with a random secret, and parley handing out TURN REST API credentials for it. Rules checked:
//   - /api/ice-servers lists the STUN and TURN URIs, with username "<expiry>:<member id>" and
//     credential base64(HMAC-SHA1(secret, username));
//   - two web clients in relay-only mode (`?relay=1`: iceTransportPolicy 'relay') decode each
//     other's video, the selected candidate pair is relay on both sides, and coturn's log names
//     both members (the client asks with ?id=<member id>);
//   - coturn refuses expired credentials: a relay-only RTCPeerConnection gathers no relay
//     candidate with a username whose expiry is past, and one with fresh credentials does.
// Needs coturn (apt-get install coturn), Chromium and web/dist.

import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { startServer, uniqueRoom } from '../integration/helpers.mjs';
import { startCoturn, turnCredentials } from './coturn.mjs';
import { CHROMIUM_BIN, expectDecoding, joinFromPreJoin, launchBrowser, openParley, printDiagnostics } from './parley-page.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WEB_ROOT = process.env.PARLEY_WEB_ROOT ?? path.resolve(here, '..', '..', 'web', 'dist');
const SECRET = randomBytes(24).toString('base64url');
const TTL_S = 600;

let turn;
let server;
let browser;

before(async () => {
  if (!existsSync(CHROMIUM_BIN)) throw new Error(`no Chromium at ${CHROMIUM_BIN}: apt-get install chromium (or set CHROMIUM_BIN)`);
  if (!existsSync(path.join(WEB_ROOT, 'index.html'))) throw new Error(`no web client build at ${WEB_ROOT}: cd web && npm run build`);
  turn = await startCoturn({ secret: SECRET });
  [server, browser] = await Promise.all([
    startServer({
      webRoot: WEB_ROOT,
      args: ['--stun-uri', `stun:127.0.0.1:${turn.port}`, '--turn-uri', turn.uris[0], '--turn-secret', SECRET, '--turn-ttl-s', String(TTL_S)],
    }),
    launchBrowser(),
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await turn?.stop();
});

function printTurnLog(err) {
  console.error(`--- turn failure: ${err?.stack ?? err}\n--- turnserver (pid ${turn?.pid}) log, last 6000 chars:\n${turn?.log().slice(-6000)}`);
}

// In the page: per remote member, the RTCConfiguration's policy and the candidate types of the
// transport's selected pair.
function selectedPairs() {
  const out = {};
  const pcs = window.__parley.peerConnections();
  return Promise.all(
    [...pcs].map(async ([id, pc]) => {
      const report = await window.__e2e.rawGetStats(pc);
      const byId = new Map();
      report.forEach((s) => byId.set(s.id, s));
      const transport = [...byId.values()].find((s) => s.type === 'transport' && s.selectedCandidatePairId);
      const pair = transport ? byId.get(transport.selectedCandidatePairId) : null;
      out[id] = {
        policy: pc.getConfiguration().iceTransportPolicy,
        pairState: pair?.state ?? null,
        local: pair ? byId.get(pair.localCandidateId)?.candidateType : null,
        remote: pair ? byId.get(pair.remoteCandidateId)?.candidateType : null,
      };
    }),
  ).then(() => out);
}

// In the page: gather with a relay-only RTCPeerConnection; the candidate types it found, any
// icecandidateerror, and whether gathering completed within `timeoutMs`.
async function gatherRelayOnly({ iceServers, timeoutMs }) {
  const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: 'relay' });
  const types = [];
  const errors = [];
  pc.addEventListener('icecandidate', (e) => e.candidate && types.push(e.candidate.type));
  pc.addEventListener('icecandidateerror', (e) => errors.push({ code: e.errorCode, text: e.errorText, url: e.url }));
  const complete = new Promise((resolve) => {
    const check = () => pc.iceGatheringState === 'complete' && resolve(true);
    pc.addEventListener('icegatheringstatechange', check);
    check();
  });
  pc.createDataChannel('probe');
  await pc.setLocalDescription();
  const completed = await Promise.race([complete, new Promise((resolve) => setTimeout(() => resolve(false), timeoutMs))]);
  pc.close();
  return { completed, types, errors };
}

describe('TURN with coturn and short-lived credentials', () => {
  test('/api/ice-servers hands out STUN and TURN with credentials for the member id', { timeout: 5000 }, async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await fetch(`${server.httpUrl}/api/ice-servers?id=probe-1`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.ttl, TTL_S);
    assert.deepEqual(body.iceServers[0], { urls: [`stun:127.0.0.1:${turn.port}`] });
    const { urls, username, credential } = body.iceServers[1];
    assert.deepEqual(urls, turn.uris);
    const match = /^(\d+):probe-1$/.exec(username);
    assert.ok(match, `username ${username} is not <expiry>:probe-1`);
    const expiry = Number(match[1]);
    assert.ok(expiry >= before + TTL_S && expiry <= Math.floor(Date.now() / 1000) + TTL_S, `expiry ${expiry}`);
    assert.equal(credential, createHmac('sha1', SECRET).update(username).digest('base64'));
  });

  test('two relay-only web clients decode each other over the TURN relay', { timeout: 45_000 }, async () => {
    const members = [];
    try {
      const key = uniqueRoom('turn');
      for (const name of ['Alice', 'Bob']) {
        const member = await openParley(browser, `${server.httpUrl}/r/${key}?relay=1&lowres=1`, { name });
        members.push(member);
        await joinFromPreJoin(member);
      }
      const [alice, bob] = members;
      for (const m of members) await m.page.waitForFunction(() => window.__parley?.memberId, null, { timeout: 10_000 });
      alice.id = await alice.page.evaluate(() => window.__parley.memberId);
      bob.id = await bob.page.evaluate(() => window.__parley.memberId);

      await Promise.all([
        expectDecoding(alice, [bob.id], { timeoutMs: 20_000, windowMs: 1500 }),
        expectDecoding(bob, [alice.id], { timeoutMs: 20_000, windowMs: 1500 }),
      ]);

      for (const [me, other] of [[alice, bob], [bob, alice]]) {
        const pairs = await me.page.evaluate(selectedPairs);
        assert.deepEqual(
          pairs[other.id],
          { policy: 'relay', pairState: 'succeeded', local: 'relay', remote: 'relay' },
          `${me.name}: the connection to ${other.name} uses relay-only ICE and a relay↔relay pair`,
        );
      }
      // The client asked /api/ice-servers with ?id=<member id>, so coturn's allocations name both.
      for (const m of members) {
        assert.match(turn.log(), new RegExp(`user <\\d+:${m.id}>`), `coturn's log names ${m.name}'s member id ${m.id}`);
      }
      for (const m of members) assert.deepEqual(m.pageErrors(), [], `${m.name}: uncaught page errors`);
    } catch (err) {
      for (const m of members) await m.stats().catch(() => {});
      printDiagnostics(members, [server], err);
      printTurnLog(err);
      throw err;
    } finally {
      for (const m of members) await m.close();
    }
  });

  test('coturn refuses expired credentials: no relay candidate, while fresh ones get one', { timeout: 25_000 }, async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${server.httpUrl}/api/health`, { timeout: 10_000 });
      const fresh = (await (await fetch(`${server.httpUrl}/api/ice-servers?id=fresh`)).json()).iceServers[1];
      const expired = { urls: turn.uris, ...turnCredentials(SECRET, 'expired', Math.floor(Date.now() / 1000) - 60) };

      const withFresh = await page.evaluate(gatherRelayOnly, { iceServers: [fresh], timeoutMs: 10_000 });
      const withExpired = await page.evaluate(gatherRelayOnly, { iceServers: [expired], timeoutMs: 10_000 });
      const seen = `fresh: ${JSON.stringify(withFresh)}; expired: ${JSON.stringify(withExpired)}`;
      assert.ok(withFresh.types.includes('relay'), `fresh credentials gather a relay candidate (${seen})`);
      assert.equal(withExpired.completed, true, `gathering with expired credentials completes (${seen})`);
      assert.deepEqual(withExpired.types, [], `expired credentials gather no candidate at all (${seen})`);
      assert.ok(
        withExpired.errors.some((e) => e.code === 401),
        `the TURN server answered 401 Unauthorized to the expired username (${seen})`,
      );
    } catch (err) {
      printTurnLog(err);
      throw err;
    } finally {
      await context.close();
    }
  });
});
