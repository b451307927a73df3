// The soak's traffic: a population of members kept near a target size, spread over a fixed set
// of rooms, each member chatting and signalling, then leaving after a random lifetime in one of
// several ways and being replaced; plus full-room probes and garbage probes on the side.
//
//   members    --members live at once; transports mixed (raw /ws and /stomp/websocket, SockJS
//              websocket / xhr-streaming / xhr-polling); half with STOMP heart-beats (5 s)
//   rooms      --rooms keys; a new member prefers fuller rooms (weight 1 + occupancy), so
//              rooms fill up to --max-members while others stay small
//   actions    every member acts every ~--action-ms (uniform 0.5..1.5 ×): chat 30 %, ice 36 %,
//              offer 12 %, answer 12 % (to a random other member), media 7 %, rename 3 %
//   lifetime   uniform --lifetime-min-s..--lifetime-max-s, then one of: leave + DISCONNECT,
//              DISCONNECT, UNSUBSCRIBE + DISCONNECT, abrupt (socket destroyed / SockJS
//              request aborted), or a spoofed `from` (ERROR, the server closes)
//   probes     a garbage probe every --probe-ms (probes.mjs), and, while some room is full, a
//              9th join into it every --full-probe-ms (must get ERROR "room full")

import { fakeSdp, Member } from './members.mjs';
import { PROBE_KINDS, PROBES } from './probes.mjs';

const TRANSPORT_WEIGHTS = {
  ws: 35,
  'stomp-websocket': 15,
  'sockjs-websocket': 20,
  'sockjs-xhr-streaming': 22,
  'sockjs-xhr-polling': 8,
};
const ACTION_WEIGHTS = { message: 30, ice: 36, offer: 12, answer: 12, media: 7, rename: 3 };
const DEPART_WEIGHTS = { leave: 30, disconnect: 25, unsubscribe: 10, abrupt: 28, violate: 7 };
const TICK_MS = 100;
const SPAWN_PER_TICK = 6;
const MAX_CONNECTING = 30;
const CLOSE_TIMEOUT_MS = 15_000;
const HOLD_SEEN_MAX_MS = 60_000; // a leave later than this is reported by the ledger anyway

function weighted(rng, weights) {
  const entries = Object.entries(weights);
  let r = rng() * entries.reduce((sum, [, w]) => sum + w, 0);
  for (const [key, w] of entries) {
    r -= w;
    if (r < 0) return key;
  }
  return entries[entries.length - 1][0];
}

const between = (rng, lo, hi) => lo + (hi - lo) * rng();
const pick = (rng, list) => list[Math.floor(rng() * list.length)];
const bump = (map, key, n = 1) => {
  map[key] = (map[key] ?? 0) + n;
};

function chatText(rng, seq) {
  const words = ['hello', 'can you hear me', 'sharing my screen', '잘 들려요', '안녕하세요', 'muted', 'brb', '👍'];
  let text = `${seq}:`;
  const n = 1 + Math.floor(rng() * 24);
  for (let i = 0; i < n; i += 1) text += ` ${pick(rng, words)}`;
  return text;
}

export class Traffic {
  constructor({ server, rng, opts, ledger }) {
    this.server = server;
    this.rng = rng;
    this.opts = opts;
    this.ledger = ledger;
    this.rooms = Array.from({ length: opts.rooms }, (_, k) => ({
      key: `soak-${k}`,
      members: new Set(), // connecting, joining or joined, not departing
      held: new Map(), // departed member -> time its slot is surely free (until its leave is seen)
      probing: false,
    }));
    this.byId = new Map(); // every member of the run, for leaves (pruned a while after closing)
    this.open = new Set(); // members whose socket is not closed yet
    this.inFlight = new Set(); // promises of probes and closes
    this.seq = 0;
    this.probeIndex = 0;
    this.msgSeq = 0;
    this.stopping = false;
    this.nextProbeAt = 0;
    this.nextFullProbeAt = 0;
    this.counters = {
      connects: 0,
      joins: 0,
      sent: 0,
      received: 0,
      sentByType: {},
      receivedByType: {},
      departures: {},
      transports: {},
      probes: {},
      fullRoomRejections: 0,
      expectedErrors: 0,
    };
  }

  start() {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.sweeper = setInterval(() => this.ledger.sweep(Date.now()), 500);
  }

  get live() {
    let n = 0;
    for (const m of this.open) if (!m.departing && !m.probe) n += 1;
    return n;
  }

  // --- scheduling -----------------------------------------------------------------------------

  tick() {
    const now = Date.now();
    if (this.stopping) return;
    this.releaseHeld(now);
    this.topUp();
    for (const m of this.open) {
      if (m.state !== 'joined' || m.departing || m.probe) continue;
      if (now >= m.departAt && !m.room.probing) this.depart(m, weighted(this.rng, DEPART_WEIGHTS));
      else if (now >= m.nextActionAt) {
        this.act(m, now);
        m.nextActionAt = now + this.opts.actionMs * between(this.rng, 0.5, 1.5);
      }
    }
    if (now >= this.nextProbeAt) {
      this.nextProbeAt = now + this.opts.probeMs;
      this.runProbe();
    }
    if (now >= this.nextFullProbeAt) {
      this.nextFullProbeAt = now + this.opts.fullProbeMs;
      this.fullRoomProbe();
    }
    for (const [id, m] of this.byId) {
      if (m.closedAt && now - m.closedAt > 4 * this.ledger.leaveGraceMs) this.byId.delete(id);
    }
  }

  occupancy(room) {
    return room.members.size + room.held.size;
  }

  releaseHeld(now) {
    for (const room of this.rooms) {
      for (const [m, until] of room.held) if (now >= until) room.held.delete(m);
    }
  }

  topUp() {
    let connecting = 0;
    for (const m of this.open) if (m.state === 'connecting' || m.state === 'joining') connecting += 1;
    let want = Math.min(this.opts.members - this.live, SPAWN_PER_TICK, MAX_CONNECTING - connecting);
    for (; want > 0; want -= 1) {
      const room = this.chooseRoom();
      if (!room) return;
      this.spawn(room);
    }
  }

  chooseRoom() {
    const free = this.rooms.filter((r) => !r.probing && this.occupancy(r) < this.opts.maxMembers);
    if (free.length === 0) return null;
    const weights = Object.fromEntries(free.map((r, i) => [i, 1 + this.occupancy(r)]));
    return free[Number(weighted(this.rng, weights))];
  }

  joinedIn(room, except = null) {
    return [...room.members].filter((m) => m.state === 'joined' && !m.departing && m !== except);
  }

  // --- members --------------------------------------------------------------------------------

  spawn(room, { probe = false } = {}) {
    this.seq += 1;
    const id = `m${this.seq}`;
    const transport = weighted(this.rng, TRANSPORT_WEIGHTS);
    const m = new Member({
      id,
      nickname: this.rng() < 0.2 ? `회원${this.seq}` : `member ${this.seq}`,
      room,
      transport,
      heartbeat: this.rng() < 0.5 ? 5000 : 0,
      server: this.server,
      handlers: this.handlers(),
    });
    m.probe = probe;
    if (probe) m.expectError = new RegExp(`room full \\(max ${this.opts.maxMembers} members\\)`);
    else room.members.add(m);
    this.byId.set(id, m);
    this.open.add(m);
    this.counters.connects += 1;
    bump(this.counters.transports, transport);
    m.join(this.opts.joinTimeoutMs).then(
      () => this.onJoined(m),
      (err) => this.onJoinFailed(m, err),
    );
    return m;
  }

  onJoined(m) {
    const now = Date.now();
    if (m.probe) {
      this.ledger.violation('full-room-accepted', `${m.id} joined ${m.room.key}, which had ${this.opts.maxMembers} members`);
      this.depart(m, 'disconnect');
      return;
    }
    this.counters.joins += 1;
    m.wasJoined = true;
    m.departAt = now + 1000 * between(this.rng, this.opts.lifetimeMinS, this.opts.lifetimeMaxS);
    m.nextActionAt = now + this.opts.actionMs * this.rng();
  }

  onJoinFailed(m, err) {
    if (m.probe && m.gotExpectedError) return; // the room was full, as it should be
    if (!m.departing) {
      this.ledger.violation('join-failed', err.message);
      this.depart(m, 'abrupt');
    }
  }

  handlers() {
    return {
      onMessage: (m, json) => this.onMessage(m, json),
      onGarbled: (m, body) => this.ledger.violation('not-json', `${m.id} got ${JSON.stringify(body.slice(0, 80))}`),
      onError: (m, frame) => this.onError(m, frame),
      onClosed: (m, evt, was) => this.onClosed(m, evt, was),
    };
  }

  onMessage(m, json) {
    this.counters.received += 1;
    bump(this.counters.receivedByType, json.type);
    switch (json.type) {
      case 'message':
        this.ledger.receivedChat(m, json);
        break;
      case 'offer':
      case 'answer':
      case 'ice':
        this.ledger.receivedSignal(m, json);
        break;
      case 'leave':
        this.onLeave(m, json);
        break;
      case 'media':
        if (json.from === m.id) this.ledger.violation('media-to-self', `${m.id} got its own media`);
        break;
      case 'join':
        break;
      default:
        this.ledger.violation('unexpected-type', `${m.id} got ${JSON.stringify(json).slice(0, 120)}`);
    }
  }

  onLeave(m, json) {
    const gone = this.byId.get(json.from);
    if (!gone) {
      this.ledger.violation('leave-unknown', `${m.id} got a leave of ${json.from}`);
      return;
    }
    if (!gone.departing) {
      this.ledger.violation('leave-of-live-member', `${m.id} got a leave of ${gone.id} (${gone.transport}), which did not leave`);
    }
    this.ledger.receivedLeave(m, json, gone);
    gone.room.held.delete(gone);
  }

  onError(m, frame) {
    const message = frame.headers?.message ?? '';
    if (m.expectError?.test(message)) {
      m.gotExpectedError = true;
      this.counters.expectedErrors += 1;
      if (m.probe) {
        this.counters.fullRoomRejections += 1;
        m.failJoin?.(new Error('room full, as expected'));
      }
      return;
    }
    this.ledger.violation('unexpected-ERROR', `${m.id} (${m.transport}, ${m.state}${m.departing ? ', departing' : ''}): ${message}`);
  }

  onClosed(m, evt, was) {
    m.closedAt = Date.now();
    this.open.delete(m);
    clearTimeout(m.closeTimer);
    m.onClose?.();
    if (m.probe) {
      m.room.probing = false;
      if (!m.gotExpectedError && !m.departing) {
        this.ledger.violation('full-room-probe', `${m.id} closed (code ${evt?.code}) without the room-full ERROR`);
      }
      return;
    }
    if (!m.departing) {
      this.ledger.violation('unexpected-close', `${m.id} (${m.transport}, was ${was}): code ${evt?.code} ${evt?.reason ?? ''}`);
      this.markDeparting(m, 'died');
    }
    if (m.departMode === 'violate' && !m.gotExpectedError) {
      this.ledger.violation('violation-without-ERROR', `${m.id} (${m.transport}) sent a spoofed from and was closed without ERROR`);
    }
  }

  // --- actions --------------------------------------------------------------------------------

  act(m, now) {
    let type = weighted(this.rng, ACTION_WEIGHTS);
    const peers = this.joinedIn(m.room, m);
    if (peers.length === 0 && (type === 'offer' || type === 'answer' || type === 'ice')) type = 'message';
    this.msgSeq += 1;
    const seq = `s${this.msgSeq}`;
    let body;
    switch (type) {
      case 'message':
        body = { type, from: m.id, nickname: m.nickname, msg: chatText(this.rng, seq), seq };
        this.ledger.sentChat(seq, m, this.joinedIn(m.room), now);
        break;
      case 'offer':
      case 'answer': {
        const target = pick(this.rng, peers);
        body = { type, from: m.id, target: target.id, sdp: fakeSdp(type, m.streamId), seq };
        m.sentSdp = true;
        this.ledger.sentSignal(seq, m, target, now);
        break;
      }
      case 'ice': {
        const target = pick(this.rng, peers);
        const candidate =
          this.rng() < 0.1
            ? null
            : {
                candidate: `candidate:${this.msgSeq} 1 udp 2122260223 192.0.2.${this.msgSeq % 250} ${10000 + (this.msgSeq % 50000)} typ host`,
                sdpMid: '0',
                sdpMLineIndex: 0,
              };
        body = { type, from: m.id, target: target.id, iceCandidate: candidate, seq };
        this.ledger.sentSignal(seq, m, target, now);
        break;
      }
      case 'media':
        body = { type, from: m.id, audio: this.rng() < 0.7, video: this.rng() < 0.6, screen: false };
        break;
      case 'rename':
        m.nickname = `${m.nickname.split('~')[0]}~${this.msgSeq}`;
        type = 'join';
        body = { type, from: m.id, nickname: m.nickname };
        break;
      default:
        throw new Error(`unknown action ${type}`);
    }
    m.send(body);
    this.counters.sent += 1;
    bump(this.counters.sentByType, type);
  }

  // --- departures -----------------------------------------------------------------------------

  markDeparting(m, mode) {
    if (m.departing) return false;
    const now = Date.now();
    m.departing = true;
    m.departMode = mode;
    m.sdpDeliveredBeforeDepart = m.deliveredSdp;
    m.room.members.delete(m);
    // Its slot stays taken until some member sees its leave (then parley has let go of it),
    // or, when nobody is left to see it, for as long as the leave may take. (Also for a member
    // whose join echo is still on its way: parley may have bound it.)
    const stayers = this.joinedIn(m.room);
    const holdMs = stayers.length > 0 ? HOLD_SEEN_MAX_MS : this.ledger.leaveGraceMs;
    if (m.wasJoined || m.state === 'joining') m.room.held.set(m, now + holdMs);
    if (m.wasJoined) this.ledger.departed(m, stayers, now);
    bump(this.counters.departures, mode);
    return true;
  }

  depart(m, mode) {
    if (!this.markDeparting(m, mode)) return;
    if (m.state === 'closed') return;
    const closed = new Promise((resolve) => {
      m.onClose = resolve;
    });
    this.track(closed);
    m.closeTimer = setTimeout(() => {
      this.ledger.violation('close-timeout', `${m.id} (${m.transport}, ${mode}) still open ${CLOSE_TIMEOUT_MS} ms after it started to leave`);
      m.destroy();
    }, CLOSE_TIMEOUT_MS);
    switch (mode) {
      case 'leave':
        m.send({ type: 'leave', from: m.id });
        m.disconnect();
        break;
      case 'disconnect':
        m.disconnect();
        break;
      case 'unsubscribe':
        m.unsubscribe();
        m.disconnect();
        break;
      case 'abrupt':
        m.destroy();
        break;
      case 'violate':
        m.expectError = /identity mismatch|spoofed/;
        m.send({ type: 'message', from: `${m.id}-spoof`, nickname: m.nickname, msg: 'not me' });
        break;
      default:
        throw new Error(`unknown departure ${mode}`);
    }
  }

  // --- probes ---------------------------------------------------------------------------------

  track(promise) {
    this.inFlight.add(promise);
    promise.finally(() => this.inFlight.delete(promise));
  }

  runProbe() {
    const kinds = PROBE_KINDS;
    const kind = kinds[this.probeIndex++ % kinds.length];
    bump(this.counters.probes, kind);
    this.track(
      PROBES[kind](this.server, this.rng).then(
        (problem) => problem && this.ledger.violation(`probe-${kind}`, problem),
        (err) => this.ledger.violation(`probe-${kind}`, err.message),
      ),
    );
  }

  fullRoomProbe() {
    const full = this.rooms.filter(
      (r) => !r.probing && r.held.size === 0 && r.members.size === this.opts.maxMembers && this.joinedIn(r).length === this.opts.maxMembers,
    );
    if (full.length === 0) return;
    const room = pick(this.rng, full);
    room.probing = true;
    const m = this.spawn(room, { probe: true });
    // the server closes a rejected member's connection; one that stays is a failure
    setTimeout(() => {
      if (m.state === 'closed') return;
      this.ledger.violation('full-room-probe', `${m.id} still open 10 s after its join into full ${room.key}`);
      this.depart(m, 'abrupt');
    }, 10_000);
  }

  // --- the end --------------------------------------------------------------------------------

  // Stops every activity, lets the last messages arrive and be checked.
  async quiesce() {
    this.stopping = true;
    await Promise.allSettled([...this.inFlight]);
    const deadline = Date.now() + this.ledger.graceMs + 1000;
    while (this.ledger.signals.size + this.ledger.chats.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // Every open member leaves (in the usual mix of ways); resolves when all sockets closed.
  async closeAll() {
    for (const m of [...this.open]) {
      if (m.departing) continue;
      this.depart(m, weighted(this.rng, DEPART_WEIGHTS));
    }
    await Promise.allSettled([...this.inFlight]);
  }

  async finish() {
    const deadline = Date.now() + this.ledger.leaveGraceMs;
    while (this.ledger.leaves.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    clearInterval(this.timer);
    clearInterval(this.sweeper);
    this.ledger.sweep(Date.now(), true);
  }
}
