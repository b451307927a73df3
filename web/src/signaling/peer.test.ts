/* eslint-disable @typescript-eslint/no-non-null-assertion -- tests: a missing value fails the test either way */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Peer, isPolite, type IncomingSignal, type LocalTrack, type PeerOptions, type PeerRole, type PeerSignal } from './peer';
import {
  FakeMediaStream,
  FakeMediaStreamTrack,
  FakePeerConnection,
  asStream,
  asTrack,
  fakeCamera,
  microtasks,
  parseFakeSdp,
  seededRandom,
  type Delay,
} from './testing/fakes';
import { settle as settleMicrotasks } from './testing/settle';

const settle = (rounds = 3) => settleMicrotasks(rounds);

const toIncoming = (s: PeerSignal): IncomingSignal =>
  s.type === 'ice' ? { type: 'ice', iceCandidate: s.iceCandidate } : { type: s.type, description: s.sdp };

function cameraTracks(stream: FakeMediaStream): LocalTrack[] {
  return stream.getTracks().map((t) => ({ key: `camera:${t.kind}`, track: asTrack(t), stream: asStream(stream) }));
}

interface Side {
  peer: Peer;
  pcs: FakePeerConnection[];
  readonly pc: FakePeerConnection;
  inbox: IncomingSignal[];
  sent: PeerSignal[];
  local: LocalTrack[];
  changes: number;
}

function side(
  selfId: string,
  remoteId: string,
  role: PeerRole,
  deliverTo: () => Side,
  options: { delay?: Delay; candidates?: number; seedLike?: () => boolean; extra?: Partial<PeerOptions> } = {},
): Side {
  const cam = fakeCamera();
  const s: Side = {
    peer: undefined as unknown as Peer,
    pcs: [],
    get pc() {
      const pc = this.pcs.at(-1);
      if (!pc) throw new Error('no connection');
      return pc;
    },
    inbox: [],
    sent: [],
    local: cameraTracks(cam.stream),
    changes: 0,
  };
  s.peer = new Peer({
    selfId,
    remoteId,
    role,
    createPeerConnection: () => {
      const pc = new FakePeerConnection({}, { delay: options.delay ?? microtasks(), candidates: options.candidates ?? 0 });
      s.pcs.push(pc);
      return pc as unknown as RTCPeerConnection;
    },
    send: (signal) => {
      s.sent.push(signal);
      deliverTo().inbox.push(toIncoming(signal));
    },
    localTracks: () => s.local,
    isSeedLike: options.seedLike ?? (() => false),
    onChange: () => s.changes++,
    log: () => undefined,
    ...options.extra,
  });
  return s;
}

type SideArgs = [string, string, PeerRole, Parameters<typeof side>[4]];

/** Two sides wired to each other. */
function pair(aArgs: SideArgs, bArgs: SideArgs): { a: Side; b: Side } {
  const box: { a?: Side; b?: Side } = {};
  const get = (k: 'a' | 'b') => {
    const s = box[k];
    if (!s) throw new Error('not wired yet');
    return s;
  };
  box.a = side(aArgs[0], aArgs[1], aArgs[2], () => get('b'), aArgs[3]);
  box.b = side(bArgs[0], bArgs[1], bArgs[2], () => get('a'), bArgs[3]);
  return { a: box.a, b: box.b };
}

/** Delivers everything queued, both ways, in order, until both sides are quiet. */
async function exchange(a: Side, b: Side): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await settle();
    if (a.inbox.length === 0 && b.inbox.length === 0 && a.pc.settled && b.pc.settled) return;
    for (const s of [a, b]) {
      for (const m of s.inbox.splice(0)) void s.peer.handleSignal(m);
    }
  }
  throw new Error('no convergence');
}

function expectConverged(a: Side, b: Side): void {
  expect(a.pc.signalingState).toBe('stable');
  expect(b.pc.signalingState).toBe('stable');
  expect(a.pc.localDescription?.sdp).toBeDefined();
  expect(a.pc.remoteDescription?.sdp).toBe(b.pc.localDescription?.sdp);
  expect(b.pc.remoteDescription?.sdp).toBe(a.pc.localDescription?.sdp);
}

const count = (s: Side, type: PeerSignal['type']) => s.sent.filter((m) => m.type === type).length;

afterEach(() => {
  vi.useRealTimers();
});

describe('politeness', () => {
  it('makes exactly one of two Parley members polite: the smaller id', () => {
    expect(isPolite('alice', 'bob')).toBe(true);
    expect(isPolite('bob', 'alice')).toBe(false);
    expect(isPolite('Z', 'a')).toBe(true); // UTF-16 code units, not locale order
  });
});

describe('perfect negotiation', () => {
  it('existing member offers, newcomer answers with its own tracks: one exchange', async () => {
    const { a, b } = pair(['alice', 'bob', 'offerer', {}], ['bob', 'alice', 'answerer', {}]);
    await exchange(a, b);
    expectConverged(a, b);
    expect([count(a, 'offer'), count(b, 'answer'), count(b, 'offer'), count(a, 'answer')]).toEqual([1, 1, 0, 0]);
    // Both directions carry media after the single exchange.
    expect(parseFakeSdp(b.pc.localDescription?.sdp).tracks).toHaveLength(2);
    expect(a.peer.remoteStreams).toHaveLength(1);
    expect(b.peer.remoteStreams).toHaveLength(1);
    a.peer.close();
    b.peer.close();
  });

  it.each(Array.from({ length: 50 }, (_, i) => i + 1))(
    'glare: both offer at once, both reach stable with one answer (interleaving %i)',
    async (seed) => {
      const random = seededRandom(seed);
      const delay = microtasks(random, 4);
      // Alternate which id is polite so both code paths see both roles.
      const [ida, idb] = seed % 2 === 0 ? ['alice', 'bob'] : ['bob', 'alice'];
      const { a, b } = pair([ida, idb, 'offerer', { delay, candidates: 2 }], [idb, ida, 'offerer', { delay, candidates: 2 }]);
      // Hold the wire until both offers are out: a true glare.
      for (let i = 0; i < 50 && !(a.sent.some((m) => m.type === 'offer') && b.sent.some((m) => m.type === 'offer')); i++) {
        await settle(1);
      }
      expect(count(a, 'offer')).toBe(1);
      expect(count(b, 'offer')).toBe(1);
      // Random interleaving of deliveries (each direction in order, as the server keeps it).
      for (let step = 0; step < 400 && (a.inbox.length > 0 || b.inbox.length > 0 || random() < 0.3); step++) {
        const r = random();
        const target = r < 0.4 ? a : r < 0.8 ? b : null;
        const message = target?.inbox.shift();
        if (target && message) void target.peer.handleSignal(message);
        for (let k = Math.floor(random() * 6); k > 0; k--) await Promise.resolve();
      }
      await exchange(a, b);
      expectConverged(a, b);
      expect(count(a, 'answer') + count(b, 'answer')).toBe(1);
      expect(count(a, 'offer') + count(b, 'offer')).toBe(2);
      const polite = a.peer.polite ? a : b;
      expect(count(polite, 'answer')).toBe(1);
      // The polite side answered on a fresh connection, without rolling its offer back: the
      // connection that made the colliding offer is closed.
      expect(polite.pcs).toHaveLength(2);
      expect(polite.pcs[0]!.closed).toBe(true);
      expect(polite.pc.rollbacks).toBe(0);
      expect(polite.peer.peerConnection).toBe(polite.pc as unknown as RTCPeerConnection);
      // Every candidate the two live connections gathered was applied by the other, in order;
      // those of the dropped connection, if it sent any, were not.
      for (const [from, to] of [
        [a, b],
        [b, a],
      ] as const) {
        const ufrag = parseFakeSdp(from.pc.localDescription?.sdp).ufrag;
        const sent = from.sent.flatMap((m) =>
          m.type === 'ice' && m.iceCandidate && m.iceCandidate.usernameFragment === ufrag ? [m.iceCandidate.candidate] : [],
        );
        const added = to.pc.addedCandidates.flatMap((c) => (c ? [c.candidate] : []));
        expect(sent).toHaveLength(2);
        expect(added).toEqual(sent);
      }
      a.peer.close();
      b.peer.close();
    },
  );

  it('accepts an SDP sent as a bare string as well as an object', async () => {
    const { a, b } = pair(['alice', 'bob', 'offerer', {}], ['bob', 'alice', 'answerer', {}]);
    await settle();
    const offer = a.inbox.length === 0 ? b.inbox.shift() : undefined;
    expect(offer?.type).toBe('offer');
    if (offer?.type !== 'offer') return;
    // The Meeting normalizes both wire forms to {type, sdp}; a bare string arrives as such.
    await b.peer.handleSignal({ type: 'offer', description: { type: 'offer', sdp: offer.description.sdp ?? '' } });
    await exchange(a, b);
    expectConverged(a, b);
  });
});

describe('ICE candidates', () => {
  it('buffers candidates that arrive before the remote description and applies them after, in order', async () => {
    const { b } = pair(['alice', 'bob', 'offerer', { candidates: 3 }], ['bob', 'alice', 'answerer', {}]);
    await settle();
    const offer = b.inbox.find((m) => m.type === 'offer');
    const candidates = b.inbox.filter((m) => m.type === 'ice');
    expect(candidates).toHaveLength(4); // three, then end-of-candidates
    b.inbox.length = 0;
    for (const c of candidates) await b.peer.handleSignal(c); // before the offer
    expect(b.pc.addedCandidates).toEqual([]);
    if (!offer) throw new Error('no offer');
    await b.peer.handleSignal(offer);
    await settle();
    expect(b.pc.addedCandidates).toEqual(candidates.map((c) => (c.type === 'ice' ? c.iceCandidate : undefined)));
    // Later candidates go straight in.
    await b.peer.handleSignal({ type: 'ice', iceCandidate: { candidate: 'candidate:late', sdpMid: '0', sdpMLineIndex: 0 } });
    expect(b.pc.addedCandidates.at(-1)).toEqual({ candidate: 'candidate:late', sdpMid: '0', sdpMLineIndex: 0 });
  });

  it('sends gathered candidates as JSON objects and null at the end', async () => {
    const { a } = pair(['alice', 'bob', 'offerer', { candidates: 1 }], ['bob', 'alice', 'answerer', {}]);
    await settle();
    const ice = a.sent.filter((m) => m.type === 'ice');
    expect(ice).toEqual([
      { type: 'ice', iceCandidate: expect.objectContaining({ candidate: expect.stringMatching(/^candidate:/), sdpMid: '0' }) },
      { type: 'ice', iceCandidate: null },
    ]);
    expect(typeof (ice[0] as { iceCandidate: object }).iceCandidate).toBe('object');
  });
});

describe('answerer', () => {
  it('offers itself when no offer comes within the wait', async () => {
    vi.useFakeTimers();
    const { a, b } = pair(['alice', 'bob', 'answerer', { extra: { answerWaitMs: 4000 } }], ['bob', 'alice', 'answerer', { extra: { answerWaitMs: 4000 } }]);
    await settle();
    expect(a.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(4000);
    await settle();
    expect(count(a, 'offer')).toBe(1);
    vi.useRealTimers();
    await exchange(a, b);
    expectConverged(a, b);
  });
});

describe('lost signaling', () => {
  it('sends an unanswered offer again, and the pair converges', async () => {
    vi.useFakeTimers();
    const { a, b } = pair(['alice', 'bob', 'offerer', { extra: { offerRetryMs: 4000 } }], ['bob', 'alice', 'answerer', {}]);
    await settle();
    expect(count(a, 'offer')).toBe(1);
    b.inbox.splice(0); // the offer (and its candidates) never arrive
    await vi.advanceTimersByTimeAsync(3999);
    expect(count(a, 'offer')).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(count(a, 'offer')).toBe(2);
    expect(a.sent.filter((m) => m.type === 'offer').map((m) => (m.type === 'offer' ? m.sdp.sdp : ''))).toEqual([
      a.pc.localDescription?.sdp,
      a.pc.localDescription?.sdp,
    ]);
    vi.useRealTimers();
    await exchange(a, b);
    expectConverged(a, b);
    a.peer.close();
    b.peer.close();
  });

  it('both offers lost in a glare: both are sent again, politeness settles them', async () => {
    vi.useFakeTimers();
    const extra = { offerRetryMs: 4000 };
    const { a, b } = pair(['alice', 'bob', 'offerer', { extra }], ['bob', 'alice', 'offerer', { extra }]);
    await settle();
    expect([count(a, 'offer'), count(b, 'offer')]).toEqual([1, 1]);
    a.inbox.splice(0);
    b.inbox.splice(0);
    await vi.advanceTimersByTimeAsync(4000);
    expect([count(a, 'offer'), count(b, 'offer')]).toEqual([2, 2]);
    vi.useRealTimers();
    await exchange(a, b);
    expectConverged(a, b);
    a.peer.close();
    b.peer.close();
  });

  it('never sends a copy to a seed client, which would answer it with a new connection', async () => {
    vi.useFakeTimers();
    const { a } = pair(['alice', 'bob', 'offerer', { extra: { offerRetryMs: 1000 }, seedLike: () => true }], ['bob', 'alice', 'answerer', {}]);
    await settle();
    await vi.advanceTimersByTimeAsync(5000);
    expect(count(a, 'offer')).toBe(1);
    a.peer.close();
  });

  it('stops once answered, and after a bounded number of tries', async () => {
    vi.useFakeTimers();
    const extra = { offerRetryMs: 1000 };
    const { a, b } = pair(['alice', 'bob', 'offerer', { extra }], ['bob', 'alice', 'answerer', {}]);
    await settle();
    for (let i = 0; i < 10; i++) {
      b.inbox.splice(0);
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(count(a, 'offer')).toBe(4); // the first and 3 more
    vi.useRealTimers();
    const { a: c, b: d } = pair(['carol', 'dave', 'offerer', { extra }], ['dave', 'carol', 'answerer', {}]);
    await exchange(c, d);
    vi.useFakeTimers();
    await vi.advanceTimersByTimeAsync(5000);
    expect(count(c, 'offer')).toBe(1);
    for (const s of [a, b, c, d]) s.peer.close();
  });
});

describe('ICE that never starts', () => {
  async function negotiatedWithFakeTimers() {
    vi.useFakeTimers();
    const extra = { connectTimeoutMs: 5000 };
    const { a, b } = pair(['alice', 'bob', 'offerer', { extra }], ['bob', 'alice', 'answerer', { extra }]);
    for (let i = 0; i < 20; i++) {
      await vi.advanceTimersByTimeAsync(0);
      for (const s of [a, b]) for (const m of s.inbox.splice(0)) void s.peer.handleSignal(m);
    }
    expectConverged(a, b);
    return { a, b };
  }

  it('restarts ICE when a negotiated connection is still new after the timeout', async () => {
    const { a, b } = await negotiatedWithFakeTimers();
    await vi.advanceTimersByTimeAsync(4999);
    expect(a.pc.restartIceCalls + b.pc.restartIceCalls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.pc.restartIceCalls).toBe(1);
    expect(b.pc.restartIceCalls).toBe(1);
    a.peer.close();
    b.peer.close();
  });

  it('leaves a connection that got going alone, and gives up after two restarts', async () => {
    const { a, b } = await negotiatedWithFakeTimers();
    a.pc.setConnectionState('connecting');
    b.pc.setConnectionState('connecting');
    await vi.advanceTimersByTimeAsync(20000);
    expect(a.pc.restartIceCalls + b.pc.restartIceCalls).toBe(0);
    a.peer.close();
    b.peer.close();

    // Every restart renegotiates, and ICE still never starts: two restarts each, then no more.
    const { a: c, b: d } = await negotiatedWithFakeTimers();
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(5000);
      for (let round = 0; round < 20; round++) {
        await vi.advanceTimersByTimeAsync(0);
        for (const s of [c, d]) for (const m of s.inbox.splice(0)) void s.peer.handleSignal(m);
      }
    }
    expect(c.pc.restartIceCalls).toBe(2);
    expect(d.pc.restartIceCalls).toBe(2);
    c.peer.close();
    d.peer.close();
  });
});

describe('ICE restart', () => {
  async function connected() {
    const { a, b } = pair(['alice', 'bob', 'offerer', {}], ['bob', 'alice', 'answerer', {}]);
    await exchange(a, b);
    return { a, b };
  }

  it('restarts ICE when the connection fails, and renegotiates', async () => {
    const { a, b } = await connected();
    const ufrag = parseFakeSdp(a.pc.localDescription?.sdp).ufrag;
    a.pc.setConnectionState('failed');
    expect(a.pc.restartIceCalls).toBe(1);
    expect(a.peer.connection).toBe('failed');
    await exchange(a, b);
    expectConverged(a, b);
    expect(parseFakeSdp(b.pc.remoteDescription?.sdp).ufrag).not.toBe(ufrag); // new ICE credentials
    expect(count(a, 'offer')).toBe(2);
  });

  it('restarts after 3 s disconnected, not after a short blip', async () => {
    const { a } = await connected();
    vi.useFakeTimers();
    a.pc.setConnectionState('disconnected');
    await vi.advanceTimersByTimeAsync(2000);
    a.pc.setConnectionState('connected');
    await vi.advanceTimersByTimeAsync(5000);
    expect(a.pc.restartIceCalls).toBe(0);
    a.pc.setConnectionState('disconnected');
    await vi.advanceTimersByTimeAsync(3001);
    expect(a.pc.restartIceCalls).toBe(1);
  });
});

describe('local tracks', () => {
  it('switches devices with replaceTrack, without renegotiation', async () => {
    const { a, b } = pair(['alice', 'bob', 'offerer', {}], ['bob', 'alice', 'answerer', {}]);
    await exchange(a, b);
    const before = a.pc.negotiationNeededEvents;
    const next = new FakeMediaStreamTrack('video');
    const local = { key: 'camera:video', track: asTrack(next), stream: a.local[0]!.stream };
    await a.peer.replaceTrack(local, 'camera:video');
    await settle();
    const sender = a.pc.senders.find((s) => s.kind === 'video');
    expect(sender?.track).toBe(next);
    expect(sender?.replaceTrackCalls).toBe(1);
    expect(a.pc.negotiationNeededEvents).toBe(before);
    expect(a.inbox.length + b.inbox.length).toBe(0);
  });

  it('adds a screen track with a renegotiation and removes it with another', async () => {
    const { a, b } = pair(['alice', 'bob', 'offerer', {}], ['bob', 'alice', 'answerer', {}]);
    await exchange(a, b);
    const screenTrack = new FakeMediaStreamTrack('video');
    const screen = new FakeMediaStream([screenTrack], 'screen-1');
    const local = { key: `screen:${screenTrack.id}`, track: asTrack(screenTrack), stream: asStream(screen) };
    a.local = [...a.local, local];
    a.peer.addLocalTrack(local);
    await exchange(a, b);
    expectConverged(a, b);
    expect(b.peer.remoteStreams.map((s) => s.id)).toContain('screen-1');
    a.local = a.local.filter((l) => l !== local);
    a.peer.removeLocalTrack(local.key);
    await exchange(a, b);
    expectConverged(a, b);
    expect(b.peer.remoteStreams.map((s) => s.id)).not.toContain('screen-1');
    expect(count(a, 'offer')).toBe(3);
  });
});

describe('stats', () => {
  it('grades quality from getStats and reports only changes', async () => {
    const { a, b } = pair(['alice', 'bob', 'offerer', {}], ['bob', 'alice', 'answerer', {}]);
    await exchange(a, b);
    a.pc.stats = new Map([['c', { type: 'candidate-pair', selected: true, currentRoundTripTime: 0.05 }]]);
    expect(await a.peer.pollStats()).toBe(true);
    expect(a.peer.quality).toBe('good');
    expect(await a.peer.pollStats()).toBe(false);
    a.pc.stats = new Map([['c', { type: 'candidate-pair', selected: true, currentRoundTripTime: 0.9 }]]);
    expect(await a.peer.pollStats()).toBe(true);
    expect(a.peer.quality).toBe('poor');
  });
});

describe('towards a seed client (never sent media)', () => {
  it('is impolite whatever the ids say', () => {
    const { a, b } = pair(['a-smaller', 'z', 'answerer', { seedLike: () => true }], ['z', 'a-smaller', 'answerer', {}]);
    expect(a.peer.polite).toBe(false);
    a.peer.close();
    b.peer.close();
  });

  it("ignores a further offer once negotiated: it comes from the seed's abandoned connection", async () => {
    const logs: string[] = [];
    const { a, b } = pair(['alice', 'zed', 'offerer', { seedLike: () => true, extra: { log: (m) => logs.push(m) } }], ['zed', 'alice', 'answerer', {}]);
    await exchange(a, b);
    const stale = new FakePeerConnection();
    stale.addTrack(new FakeMediaStreamTrack('audio'), new FakeMediaStream());
    await stale.setLocalDescription();
    await a.peer.handleSignal({ type: 'offer', description: stale.localDescription! });
    await settle();
    expect(a.sent.filter((m) => m.type === 'answer')).toEqual([]);
    expect(a.pc.signalingState).toBe('stable');
    expect(logs.some((m) => m.includes('abandoned'))).toBe(true);
    expectConverged(a, b);
  });

  it('renegotiates on a fresh connection (the seed answers every offer with a new one)', async () => {
    const { a, b } = pair(['alice', 'zed', 'offerer', { seedLike: () => true }], ['zed', 'alice', 'answerer', {}]);
    await exchange(a, b);
    const first = a.pc;
    const screenTrack = new FakeMediaStreamTrack('video');
    const local = { key: `screen:${screenTrack.id}`, track: asTrack(screenTrack), stream: asStream(new FakeMediaStream([screenTrack])) };
    a.local = [...a.local, local];
    a.peer.addLocalTrack(local);
    await settle();
    expect(first.closed).toBe(true);
    expect(a.pcs).toHaveLength(2);
    expect(parseFakeSdp(a.pc.localDescription?.sdp).tracks).toHaveLength(3);
  });

  it('replaces the connection instead of restarting ICE when it fails', async () => {
    const { a, b } = pair(['alice', 'zed', 'offerer', { seedLike: () => true }], ['zed', 'alice', 'answerer', {}]);
    await exchange(a, b);
    a.pc.setConnectionState('failed');
    expect(a.pcs).toHaveLength(2);
    expect(a.pcs[0]!.restartIceCalls).toBe(0);
    expect(a.peer.connection).toBe('new');
  });
});
