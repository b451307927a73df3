// Parley's web client (web/dist, served by parley at /) in headless Chromium, for the e2e tests
// and bench/web: launching the browser, opening a page per person, reading what it receives.
//
//   launchBrowser()                  Debian Chromium with fake camera, microphone and screen
//   openParley(browser, url, opts)   one person: a fresh browser context (own permissions,
//                                    localStorage, sessionStorage) and page; captures console
//   readStats(member)                per remote member: connection state, inbound video frames
//                                    decoded (camera and screen), audio packets received
//   waitFor(member, what, fn, ms)    polls readStats until fn(stats) holds
//   printDiagnostics(members, ...)   console errors, page errors and last stats of every page
//
// Every page gets an init script (before the app's own code) that sets the 320×240@15 capture
// size, counts the app's getStats() calls per RTCPeerConnection, and counts rollbacks (an offer
// applied while our own offer was pending, see `traced`). The tests read those through window.__e2e.

import { chromium } from 'playwright-core';

import { sleep } from '../integration/helpers.mjs';

export const CHROMIUM_BIN = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // this machine's network is closed: no background connections to Google
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // a test-pattern camera, a beeping microphone and (for getDisplayMedia) a fake 1280×720
  // "screen:-3:0" monitor, all granted without a prompt; in Chromium 156 headless the fake-UI
  // flag alone answers getDisplayMedia, the auto-select flag keeps it so if the picker returns
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--auto-select-desktop-capture-source=Entire screen',
  '--allow-loopback-in-peer-connection',
];

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_BIN, headless: true, args: CHROMIUM_ARGS, timeout: 20_000 });
}

// Runs in every page before the app. Plain JS: serialized by Playwright.
function initScript() {
  try {
    localStorage.setItem('parley.lowres', '1'); // what ?lowres=1 selects, kept across navigation
  } catch {
    // opaque origin (about:blank)
  }
  if (typeof RTCPeerConnection !== 'function') return;
  const proto = RTCPeerConnection.prototype;
  const getStats = proto.getStats;
  const setRemoteDescription = proto.setRemoteDescription;
  const e2e = {
    getStatsCalls: [], // {at, pc} of the app's calls (performance.now() ms)
    pcs: [],
    rollbacks: 0,
    rawGetStats: (pc) => getStats.call(pc),
  };
  window.__e2e = e2e;
  proto.getStats = function (...args) {
    let i = e2e.pcs.indexOf(this);
    if (i < 0) i = e2e.pcs.push(this) - 1;
    e2e.getStatsCalls.push({ at: performance.now(), pc: i });
    return getStats.apply(this, args);
  };
  const setLocalDescription = proto.setLocalDescription;
  // The offer/answer steps of every connection, for the failure report: what was applied, in
  // which signaling state, and how it ended. A connection runs these steps one after another,
  // so a step starts when the one before it on that connection has settled: `from` is the state
  // then, not when the app called it (an offer that arrives while our own setLocalDescription()
  // still runs is applied in 'have-local-offer', a rollback, though called in 'stable').
  e2e.trace = [];
  const lastStep = new WeakMap(); // pc -> the promise of its last traced step, settled either way
  const traced = (pc, op, description, call) => {
    let i = e2e.pcs.indexOf(pc);
    if (i < 0) i = e2e.pcs.push(pc) - 1;
    const entry = { at: Math.round(performance.now()), pc: i, op, type: description?.type ?? '(implicit)', from: pc.signalingState, result: 'pending' };
    e2e.trace.push(entry);
    if (e2e.trace.length > 200) e2e.trace.shift();
    (lastStep.get(pc) ?? Promise.resolve()).then(() => {
      entry.from = pc.signalingState;
      if (op === 'setRemote' && entry.type === 'offer' && entry.from === 'have-local-offer') e2e.rollbacks += 1;
    });
    const result = call();
    lastStep.set(
      pc,
      result.then(
        () => {},
        () => {},
      ),
    );
    return result.then(
      (value) => {
        entry.result = `ok → ${pc.signalingState}`;
        return value;
      },
      (error) => {
        entry.result = `${error?.name}: ${error?.message}`;
        throw error;
      },
    );
  };
  proto.setRemoteDescription = function (description, ...rest) {
    return traced(this, 'setRemote', description, () => setRemoteDescription.call(this, description, ...rest));
  };
  // The room messages each page sends and receives over STOMP (type, sender, target: 8
  // characters of each id), and its WebSocket opens and closes, in the same trace.
  const note = (op, what) => {
    e2e.trace.push({ at: Math.round(performance.now()), pc: '-', op, type: what, from: '', result: '' });
    if (e2e.trace.length > 200) e2e.trace.shift();
  };
  const summarize = (data) => {
    if (typeof data !== 'string') return null;
    const at = data.indexOf('\n\n');
    const command = data.slice(0, data.indexOf('\n'));
    if (!['SEND', 'MESSAGE'].includes(command) || at < 0) return command && command !== '\n' ? command : null;
    try {
      const body = JSON.parse(data.slice(at + 2, data.lastIndexOf('\0') > at ? data.lastIndexOf('\0') : undefined));
      const short = (id) => (typeof id === 'string' ? id.slice(0, 8) : '');
      const peers = Array.isArray(body.peers) ? `[${body.peers.map((p) => short(p.from)).join(',')}]` : '';
      return `${command} ${body.type} ${short(body.from)}${body.target ? `→${short(body.target)}` : ''}${peers}`;
    } catch {
      return `${command} (not JSON)`;
    }
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      note('ws', `open ${String(args[0]).slice(-12)}`);
      this.addEventListener('message', (event) => {
        const what = summarize(event.data);
        if (what && !what.includes(' ice ')) note('recv', what);
      });
      this.addEventListener('close', (event) => note('ws', `closed ${event.code} ${event.reason}`));
    }
    send(data) {
      const what = summarize(data);
      if (what && !what.includes(' ice ')) note('send', what);
      return super.send(data);
    }
  };
  const addIceCandidate = proto.addIceCandidate;
  proto.addIceCandidate = function (...args) {
    const candidate = args[0]?.candidate;
    // the address and type only ("candidate:<foundation> <component> <proto> <priority> <address> <port> typ <type>")
    const words = candidate ? candidate.split(' ') : [];
    const what = candidate ? `${words[4]} ${words[7]}` : 'end';
    // traced only when refused: candidates are many
    return addIceCandidate.apply(this, args).catch((error) => {
      let i = e2e.pcs.indexOf(this);
      if (i < 0) i = e2e.pcs.push(this) - 1;
      e2e.trace.push({ at: Math.round(performance.now()), pc: i, op: 'addIceCandidate', type: what, from: this.signalingState, result: `${error?.name}: ${error?.message}` });
      throw error;
    });
  };
  proto.setLocalDescription = function (description, ...rest) {
    return traced(this, 'setLocal', description, () => setLocalDescription.call(this, description, ...rest));
  };

  // What the tests poll: per remote member, the current RTCPeerConnection's inbound RTP.
  e2e.stats = async () => {
    const hook = window.__parley;
    const meeting = document.querySelector('[data-testid="meeting"]');
    const tiles = [...document.querySelectorAll('[data-testid="tile"]')].map((el) => ({
      member: el.dataset.memberId,
      kind: el.dataset.kind,
      self: el.dataset.self === 'true',
    }));
    const banner = document.querySelector('[data-testid="status-banner"]')?.dataset.status ?? null;
    if (!hook) return { joined: false, status: meeting?.dataset.status ?? null, banner, tiles, peers: {} };
    const participants = new Map(hook.participants().map((p) => [p.id, p]));
    const peers = {};
    for (const [id, pc] of hook.peerConnections()) {
      const p = participants.get(id);
      const cameraTrack = p?.stream?.getVideoTracks()[0]?.id;
      const screenTrack = p?.screen?.getVideoTracks()[0]?.id;
      const entry = {
        connection: pc.connectionState,
        signaling: pc.signalingState,
        ice: `${pc.iceGatheringState}/${pc.iceConnectionState}`,
        candidates: { local: 0, remote: 0 },
        camera: null,
        screen: null,
        video: [],
        audioPackets: 0,
      };
      const report = await e2e.rawGetStats(pc);
      report.forEach((s) => {
        if (s.type === 'local-candidate') entry.candidates.local += 1;
        if (s.type === 'remote-candidate') entry.candidates.remote += 1;
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'audio') entry.audioPackets += s.packetsReceived ?? 0;
        if (s.kind !== 'video') return;
        const v = { track: s.trackIdentifier, framesDecoded: s.framesDecoded ?? 0, width: s.frameWidth ?? 0, height: s.frameHeight ?? 0 };
        entry.video.push(v);
        if (v.track === cameraTrack) entry.camera = v;
        if (v.track === screenTrack) entry.screen = v;
      });
      peers[id] = entry;
    }
    const pcIndex = (pc) => e2e.pcs.indexOf(pc);
    const current = [...hook.peerConnections()].map(([id, pc]) => `${id}=pc${pcIndex(pc)}`);
    const trace = e2e.trace.slice(-40).map((t) => (t.pc === '-' ? `${t.at} ${t.op} ${t.type}` : `${t.at} pc${t.pc} ${t.op}(${t.type}) in ${t.from}: ${t.result}`));
    return { joined: true, memberId: hook.memberId, status: meeting?.dataset.status ?? null, banner, tiles, peers, current, trace };
  };
}

// One person in a fresh context. Returns {name, page, context, log, stats(), close(), ...}.
export async function openParley(browser, url, { name, locale = 'en-US', viewport = { width: 1280, height: 720 } } = {}) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], locale, viewport });
  await context.addInitScript(initScript);
  const page = await context.newPage();
  const log = [];
  page.on('console', (msg) => log.push(`[console.${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => log.push(`[pageerror] ${err.stack ?? err}`));
  page.on('requestfailed', (req) => log.push(`[requestfailed] ${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  const member = {
    name,
    page,
    context,
    log,
    closed: false,
    last: null,
    id: null,
    async stats() {
      member.last = await page.evaluate(() => window.__e2e.stats());
      if (member.last.memberId) member.id = member.last.memberId;
      return member.last;
    },
    pageErrors: () => log.filter((line) => line.startsWith('[pageerror]')),
    async close() {
      if (member.closed) return;
      member.closed = true;
      await context.close().catch(() => {});
    },
  };
  if (url) await page.goto(url, { timeout: 10_000 });
  return member;
}

// On the pre-join screen: type the name (unless remembered), wait for the camera, click Join.
export async function joinFromPreJoin(member, { click = true } = {}) {
  const { page } = member;
  const input = page.getByTestId('name-input');
  if ((await input.inputValue()) !== member.name) await input.fill(member.name);
  const button = page.getByTestId('join-button');
  await button.waitFor({ state: 'visible', timeout: 10_000 });
  await page.waitForFunction(() => !document.querySelector('[data-testid="join-button"]')?.disabled, null, { timeout: 10_000 });
  if (click) await button.click();
}

export async function waitFor(member, what, predicate, timeoutMs = 15_000, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  for (;;) {
    try {
      const s = await member.stats();
      if (predicate(s)) return s;
    } catch (err) {
      lastError = err; // a navigation in progress: try again
    }
    if (Date.now() > deadline) {
      const why = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(`${member.name}: timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(intervalMs);
  }
}

// The video frames decoded from `id`'s camera (or screen) and its audio packets, 0 when absent.
export const framesFrom = (s, id, kind = 'camera') => s.peers[id]?.[kind]?.framesDecoded ?? 0;
export const audioFrom = (s, id) => s.peers[id]?.audioPackets ?? 0;

// Waits until `member` decodes video from every id in `ids`, then checks that the frames decoded
// and audio packets received from each of them keep rising: after `windowMs`, and if some have
// not risen yet, polling on for up to `graceMs` more. On these 2-core machines with three
// Chromiums, a fresh call's video can pause for a second (a keyframe request on a starved CPU:
// "2 → 2 frames over 1000 ms" once in CI), which is not the failure this checks for: a stream
// that stays frozen for windowMs + graceMs still fails, naming what stalled.
export async function expectDecoding(
  member,
  ids,
  { timeoutMs = 20_000, windowMs = 2000, graceMs = 4000, kind = 'camera', audio = true } = {},
) {
  const first = await waitFor(
    member,
    `${kind} video decoded from ${ids.join(', ')}`,
    (s) => ids.every((id) => s.peers[id]?.connection === 'connected' && framesFrom(s, id, kind) > 0),
    timeoutMs,
  );
  const problemsIn = (second, elapsedMs) => {
    const problems = [];
    for (const id of ids) {
      const [f1, f2] = [framesFrom(first, id, kind), framesFrom(second, id, kind)];
      if (!(f2 > f1)) problems.push(`${kind} framesDecoded from ${id} did not rise over ${elapsedMs} ms (${f1} → ${f2})`);
      if (!audio) continue;
      const [a1, a2] = [audioFrom(first, id), audioFrom(second, id)];
      if (!(a2 > a1)) problems.push(`audio packetsReceived from ${id} did not rise over ${elapsedMs} ms (${a1} → ${a2})`);
    }
    return problems;
  };
  const t0 = Date.now();
  await sleep(windowMs);
  for (;;) {
    const second = await member.stats();
    const elapsedMs = Date.now() - t0;
    const problems = problemsIn(second, elapsedMs);
    if (!problems.length) return { first, second, elapsedMs };
    if (elapsedMs >= windowMs + graceMs) throw new Error(`${member.name}: ${problems.join('; ')}`);
    await sleep(250);
  }
}

export function printDiagnostics(members, servers, err) {
  const out = [`--- e2e failure: ${err?.stack ?? err}`];
  for (const m of members) {
    const noisy = m.log.filter((line) => !line.startsWith('[console.log]') && !line.startsWith('[console.debug]'));
    out.push(`--- ${m.name}: console errors/warnings, page errors, failed requests (${noisy.length}):`);
    out.push(...(noisy.length ? noisy.slice(-60) : ['(none)']));
    out.push(`--- ${m.name}: last stats:`, JSON.stringify(m.last));
  }
  for (const server of servers.filter(Boolean)) {
    out.push(`--- parley (${server.args.join(' ')}) stderr:`, server.stderr().slice(-4000) || '(empty)');
  }
  console.error(out.join('\n'));
}
