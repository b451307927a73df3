// TURN across network namespaces (issue 6, "Tests"): two people who cannot reach each other
// directly still meet, through the TURN relay alone, with the client's default ICE policy.
//
//   netns A (10.201.1.2) ── veth ── netns S (10.201.1.1, 10.201.2.1) ── veth ── netns B (10.201.2.2)
//
// S runs parley and coturn and does not forward between its two links (net.ipv4.ip_forward=0,
// the default in a new namespace): A and B each reach S, never each other, which is what two
// people behind firewalls or symmetric NATs that drop each other's packets see. Each person's
// Chromium runs inside its own namespace (`ip netns exec` wrapping the binary; Playwright talks
// to it over inherited pipes). Rules checked: both decode each other's video; the selected
// candidate pair has a relay end (host candidates were offered, with `iceTransportPolicy:
// 'all'`, and failed); no host↔host pair succeeded.
// Needs root (CAP_NET_ADMIN) and `ip netns`; skipped, with the reason, where they are missing.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { SERVER_BIN, sleep, uniqueRoom } from '../integration/helpers.mjs';
import { startCoturn } from './coturn.mjs';
import { CHROMIUM_ARGS, CHROMIUM_BIN, expectDecoding, joinFromPreJoin, openParley, printDiagnostics } from './parley-page.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WEB_ROOT = process.env.PARLEY_WEB_ROOT ?? path.resolve(here, '..', '..', 'web', 'dist');
const SECRET = randomBytes(24).toString('base64url');
const tag = `parley${process.pid}`;
const NS = { s: `${tag}-s`, a: `${tag}-a`, b: `${tag}-b` };
const SERVER_IP = '10.201.1.1';
const PARLEY_PORT = 8080;
const ORIGIN = `http://${SERVER_IP}:${PARLEY_PORT}`;

function run(cmd, args) {
  const out = spawnSync(cmd, args, { encoding: 'utf8' });
  if (out.error) throw new Error(`${cmd} ${args.join(' ')}: ${out.error.message}`);
  if (out.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${out.status}: ${out.stderr.trim()}`);
  return out.stdout;
}

// Why this file cannot run here, or null.
function netnsUnavailable() {
  if (process.getuid?.() !== 0) return 'needs root (CAP_NET_ADMIN) for ip netns';
  const probe = `${tag}-probe`;
  try {
    run('ip', ['netns', 'add', probe]);
    run('ip', ['netns', 'del', probe]);
    return null;
  } catch (err) {
    return `ip netns add failed: ${err.message}`;
  }
}
const skip = netnsUnavailable();

let dir;
let turn;
let parley;
let parleyLog = '';
const browsers = [];

function buildNetwork() {
  for (const ns of Object.values(NS)) {
    run('ip', ['netns', 'add', ns]);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }
  for (const [side, subnet] of [['a', 1], ['b', 2]]) {
    run('ip', ['-n', NS.s, 'link', 'add', `${side}0`, 'type', 'veth', 'peer', 'name', `${side}1`, 'netns', NS[side]]);
    run('ip', ['-n', NS.s, 'addr', 'add', `10.201.${subnet}.1/24`, 'dev', `${side}0`]);
    run('ip', ['-n', NS[side], 'addr', 'add', `10.201.${subnet}.2/24`, 'dev', `${side}1`]);
    run('ip', ['-n', NS.s, 'link', 'set', `${side}0`, 'up']);
    run('ip', ['-n', NS[side], 'link', 'set', `${side}1`, 'up']);
    run('ip', ['-n', NS[side], 'route', 'add', 'default', 'via', `10.201.${subnet}.1`]);
  }
  const forward = run('ip', ['netns', 'exec', NS.s, 'cat', '/proc/sys/net/ipv4/ip_forward']).trim();
  assert.equal(forward, '0', 'namespace S must not route between A and B');
}

async function startParley() {
  const args = ['netns', 'exec', NS.s, SERVER_BIN, '--bind', SERVER_IP, '--port', String(PARLEY_PORT), '--log-level', 'warn',
    '--web-root', WEB_ROOT, '--stun-uri', `stun:${SERVER_IP}:${turn.port}`, '--turn-uri', turn.uris[0], '--turn-secret', SECRET];
  parley = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  parley.stdout.on('data', (d) => (parleyLog += d));
  parley.stderr.on('data', (d) => (parleyLog += d));
  const deadline = Date.now() + 5000;
  for (;;) {
    const ss = run('ip', ['netns', 'exec', NS.s, 'ss', '-Htln', `sport = :${PARLEY_PORT}`]);
    if (ss.trim()) return;
    if (parley.exitCode !== null || Date.now() > deadline) throw new Error(`parley did not listen in ${NS.s}:\n${parleyLog}`);
    await sleep(50);
  }
}

// Chromium inside namespace `ns`: a wrapper that enters it, then execs the real binary.
async function launchIn(ns) {
  const wrapper = path.join(dir, `chromium-${ns}`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM_BIN} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const browser = await chromium.launch({
    executablePath: wrapper,
    headless: true,
    // http://10.201.1.1 is not a secure origin; the camera needs one
    args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${ORIGIN}`],
    timeout: 20_000,
  });
  browsers.push(browser);
  return browser;
}

// In the page: per remote member, the policy, the selected pair's candidate types, and whether
// any host↔host pair succeeded.
function iceSummary() {
  const out = {};
  return Promise.all(
    [...window.__parley.peerConnections()].map(async ([id, pc]) => {
      const report = await window.__e2e.rawGetStats(pc);
      const byId = new Map();
      report.forEach((s) => byId.set(s.id, s));
      const type = (candidateId) => byId.get(candidateId)?.candidateType ?? null;
      const pairs = [...byId.values()].filter((s) => s.type === 'candidate-pair');
      const transport = [...byId.values()].find((s) => s.type === 'transport' && s.selectedCandidatePairId);
      const selected = transport ? byId.get(transport.selectedCandidatePairId) : null;
      out[id] = {
        policy: pc.getConfiguration().iceTransportPolicy,
        local: selected ? type(selected.localCandidateId) : null,
        remote: selected ? type(selected.remoteCandidateId) : null,
        hostPairs: pairs.filter((p) => type(p.localCandidateId) === 'host' && type(p.remoteCandidateId) === 'host').map((p) => p.state),
      };
    }),
  ).then(() => out);
}

describe('TURN between two network namespaces that cannot reach each other', { skip: skip ?? false }, () => {
  before(async () => {
    if (!existsSync(path.join(WEB_ROOT, 'index.html'))) throw new Error(`no web client build at ${WEB_ROOT}: cd web && npm run build`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'parley-netns-'));
    buildNetwork();
    turn = await startCoturn({ secret: SECRET, listeningIp: SERVER_IP, netns: NS.s });
    await startParley();
  });

  after(async () => {
    for (const b of browsers) await b.close().catch(() => {});
    if (parley && parley.exitCode === null) {
      parley.kill('SIGTERM');
      await new Promise((resolve) => parley.once('exit', resolve));
    }
    await turn?.stop();
    for (const ns of Object.values(NS)) spawnSync('ip', ['netns', 'del', ns]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('two people meet through the relay when host candidates cannot connect', { timeout: 50_000 }, async () => {
    const members = [];
    try {
      const [browserA, browserB] = await Promise.all([launchIn(NS.a), launchIn(NS.b)]);
      const key = uniqueRoom('netns');
      for (const [browser, name] of [[browserA, 'Alice'], [browserB, 'Bob']]) {
        const member = await openParley(browser, `${ORIGIN}/r/${key}?lowres=1`, { name });
        members.push(member);
        await joinFromPreJoin(member);
        await member.page.waitForFunction(() => window.__parley?.memberId, null, { timeout: 10_000 });
        member.id = await member.page.evaluate(() => window.__parley.memberId);
      }
      const [alice, bob] = members;
      await Promise.all([
        expectDecoding(alice, [bob.id], { timeoutMs: 25_000, windowMs: 1500 }),
        expectDecoding(bob, [alice.id], { timeoutMs: 25_000, windowMs: 1500 }),
      ]);
      for (const [me, other] of [[alice, bob], [bob, alice]]) {
        const ice = (await me.page.evaluate(iceSummary))[other.id];
        const seen = JSON.stringify(ice);
        assert.equal(ice.policy, 'all', `${me.name}: default policy, host candidates allowed (${seen})`);
        // host→relay is a TURN path too: media to the other side's allocation on the server
        assert.ok(ice.local === 'relay' || ice.remote === 'relay', `${me.name}: the selected pair to ${other.name} goes through TURN (${seen})`);
        assert.ok(!ice.hostPairs.includes('succeeded'), `${me.name}: no host↔host pair to ${other.name} succeeded (${seen})`);
      }
    } catch (err) {
      for (const m of members) await m.stats().catch(() => {});
      printDiagnostics(members, [], err);
      console.error(`--- parley log:\n${parleyLog.slice(-3000)}\n--- turnserver log:\n${turn?.log().slice(-4000)}`);
      throw err;
    } finally {
      for (const m of members) await m.close();
    }
  });
});
