/* eslint-disable @typescript-eslint/no-non-null-assertion -- tests: a missing value fails the test either way */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDENTITY_GRACE_MS, Meeting, classifyServerError } from './meeting';
import { FakeMediaStream, FakeMediaStreamTrack, asStream, asTrack, fakeCamera, peerConnectionFactory, FakePeerConnection } from './testing/fakes';
import { settle as settleMicrotasks } from './testing/settle';
import { ScriptedServer } from './testing/transports';
import type { ChatMessage, ConnectionStatus, MediaState, MeetingError, MeetingErrorKind, MeetingOptions, MemberRole, ModerationEvent, Participant } from './types';

const settle = (rounds = 3) => settleMicrotasks(rounds);

function setup(extra: Partial<MeetingOptions> = {}) {
  const server = new ScriptedServer();
  const pcs = peerConnectionFactory();
  const cam = fakeCamera();
  const meeting = new Meeting(
    {
      url: 'ws://parley.test/ws',
      roomKey: 'r1',
      id: 'me',
      nickname: 'Me',
      localStream: asStream(cam.stream),
      iceServers: [{ urls: 'stun:stun.test' }],
      media: { audio: true, video: true, screen: false },
      createPeerConnection: pcs.create,
      ...extra,
    },
    { transport: server.factory, random: () => 0, log: () => undefined },
  );
  const seen = {
    status: [] as ConnectionStatus[],
    participants: [] as Participant[],
    chat: [] as ChatMessage[],
    history: [] as ChatMessage[][],
    errors: [] as MeetingError[],
    roles: [] as MemberRole[],
    moderation: [] as ModerationEvent[],
    localMedia: [] as MediaState[],
  };
  meeting.on('status', (s) => seen.status.push(s));
  meeting.on('participants', (p) => (seen.participants = p));
  meeting.on('chat', (c) => seen.chat.push(c));
  meeting.on('history', (h) => seen.history.push(h));
  meeting.on('error', (e) => seen.errors.push(e));
  meeting.on('role', (r) => seen.roles.push(r));
  meeting.on('moderation', (m) => seen.moderation.push(m));
  meeting.on('localMedia', (m) => seen.localMedia.push(m));
  return { server, pcs, cam, meeting, seen };
}

/** Joined and echoed: status connected. */
async function joined(peers: { from: string; nickname: string }[] = [], extra: Partial<MeetingOptions> = {}) {
  const t = setup(extra);
  t.meeting.join();
  t.server.current.connect();
  t.server.current.deliver({ type: 'peers', peers });
  t.server.current.deliver({ type: 'join', from: 'me', nickname: 'Me' });
  await settle();
  return t;
}

/** An offer as a remote browser would make it, with one camera stream. */
async function remoteOffer(streamId = 'remote-cam') {
  const pc = new FakePeerConnection();
  const stream = new FakeMediaStream([], streamId);
  const audio = new FakeMediaStreamTrack('audio');
  stream.addTrack(audio);
  pc.addTrack(audio, stream);
  await pc.setLocalDescription();
  return { pc, description: pc.localDescription! };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('joining a room', () => {
  it('subscribes with x-presence and x-history, sends join, and is connected on the echo', async () => {
    const { server, meeting, seen } = setup();
    meeting.join();
    expect(seen.status).toEqual(['connecting']);
    server.current.connect();
    expect(server.current.subscriptions.map((s) => [s.destination, s.headers])).toEqual([
      ['/exchange/chat.exchange/room.r1', { 'x-presence': 'true', 'x-history': 'true' }],
    ]);
    expect(server.current.published).toEqual([
      {
        destination: '/chat/room.r1',
        body: { type: 'join', from: 'me', nickname: 'Me', resume: expect.stringMatching(/^[0-9a-f]{32}$/) },
      },
    ]);
    expect(seen.status).toEqual(['connecting']);
    server.current.deliver({ type: 'join', from: 'me', nickname: 'Me' });
    expect(seen.status).toEqual(['connecting', 'connected']);
    // Our media state follows the join, once the server has bound our id.
    expect(server.current.sent('media')).toEqual([{ type: 'media', from: 'me', audio: true, video: true, screen: false }]);
    await meeting.leave();
  });

  it('relay-only mode puts iceTransportPolicy relay in every RTCConfiguration', async () => {
    const { pcs, meeting } = await joined([{ from: 'a', nickname: 'A' }], { iceTransportPolicy: 'relay' });
    expect(pcs.created).toHaveLength(1);
    expect(pcs.created[0]!.configuration).toEqual({
      iceServers: [{ urls: 'stun:stun.test' }],
      iceTransportPolicy: 'relay',
    });
    await meeting.leave();
  });

  it('creates a peer per existing member and answers the offer each of them sends', async () => {
    const { server, pcs, meeting, seen } = await joined([
      { from: 'a', nickname: 'A' },
      { from: 'me', nickname: 'Me' }, // our own dead session, should the server still list it
    ]);
    expect(seen.participants.map((p) => [p.id, p.nickname, p.connection])).toEqual([['a', 'A', 'new']]);
    expect(pcs.created).toHaveLength(1);
    expect(pcs.created[0]!.configuration).toEqual({ iceServers: [{ urls: 'stun:stun.test' }] });
    expect(server.current.sent('offer')).toEqual([]); // the existing member offers
    const { description } = await remoteOffer();
    server.current.deliver({ type: 'offer', from: 'a', target: 'me', sdp: description });
    await settle();
    const answers = server.current.sent('answer');
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ type: 'answer', from: 'me', target: 'a', sdp: { type: 'answer' }, client: 'parley' });
    expect(pcs.created[0]!.signalingState).toBe('stable');
    expect(seen.participants[0]?.stream?.id).toBe('remote-cam');
    await meeting.leave();
  });

  it('accepts an offer whose sdp is a bare string', async () => {
    const { server, meeting } = await joined([{ from: 'a', nickname: 'A' }]);
    const { description } = await remoteOffer();
    server.current.deliver({ type: 'offer', from: 'a', target: 'me', sdp: description.sdp });
    await settle();
    expect(server.current.sent('answer')).toHaveLength(1);
    await meeting.leave();
  });

  it("offers to a member whose join it sees, after re-sending our media", async () => {
    const { server, pcs, meeting, seen } = await joined();
    server.current.deliver({ type: 'join', from: 'b', nickname: 'B' });
    await settle();
    expect(seen.participants.map((p) => p.id)).toEqual(['b']);
    const types = server.current.sent().map((m) => m['type']);
    expect(types.slice(-2)).toEqual(['media', 'offer']);
    expect(server.current.sent('media')).toHaveLength(2);
    const offer = server.current.sent('offer')[0];
    expect(offer).toMatchObject({ from: 'me', target: 'b', sdp: { type: 'offer', sdp: pcs.created[0]!.localDescription?.sdp }, client: 'parley' });
    await meeting.leave();
  });

  it.each([
    [false, 0],
    [true, 1],
  ])('in glare, a member whose offer is marked parley=%s gets %i answer (polite by id only towards Parley)', async (marked, answers) => {
    const { server, meeting } = await joined();
    server.current.deliver({ type: 'join', from: 'z', nickname: 'Z' }); // 'me' < 'z': we are the polite one
    await settle();
    expect(server.current.sent('offer')).toHaveLength(1);
    const { description } = await remoteOffer();
    server.current.deliver({ type: 'offer', from: 'z', target: 'me', sdp: description, ...(marked ? { client: 'parley' } : {}) });
    await settle();
    expect(server.current.sent('answer')).toHaveLength(answers);
    await meeting.leave();
  });

  it('only processes offer, answer and ice addressed to us', async () => {
    const { server, pcs, meeting } = await joined([{ from: 'a', nickname: 'A' }]);
    const { description } = await remoteOffer();
    server.current.deliver({ type: 'offer', from: 'a', target: 'someone-else', sdp: description });
    server.current.deliver({ type: 'ice', from: 'a', target: 'someone-else', iceCandidate: { candidate: 'x', sdpMid: '0' } });
    await settle();
    expect(pcs.created[0]!.remoteDescription).toBeNull();
    expect(server.current.sent('answer')).toEqual([]);
    server.current.deliver({ type: 'offer', from: 'a', target: 'me', sdp: description });
    await settle();
    expect(server.current.sent('answer')).toHaveLength(1);
    await meeting.leave();
  });

  it('closes the peer and drops the participant on leave', async () => {
    const { server, pcs, meeting, seen } = await joined([
      { from: 'a', nickname: 'A' },
      { from: 'b', nickname: 'B' },
    ]);
    server.current.deliver({ type: 'leave', from: 'a', streamId: null });
    expect(seen.participants.map((p) => p.id)).toEqual(['b']);
    expect(pcs.created[0]!.closed).toBe(true);
    expect(pcs.created[1]!.closed).toBe(false);
    await meeting.leave();
  });

  it('ignores malformed bodies and unknown types', async () => {
    const { server, meeting, seen } = await joined([{ from: 'a', nickname: 'A' }]);
    for (const s of server.current.subscriptions) {
      s.onMessage('not json');
      s.onMessage('[1,2]');
      s.onMessage('{"type":"offer","from":"a"}');
      s.onMessage('{"type":"bogus","from":"a"}');
    }
    expect(seen.participants.map((p) => p.id)).toEqual(['a']);
    expect(seen.errors).toEqual([]);
    await meeting.leave();
  });
});

describe('chat', () => {
  it('shows our own line when the server echoes it, marked self', async () => {
    const { server, meeting, seen } = await joined();
    meeting.sendChat('안녕 hi');
    expect(server.current.sent('message')).toEqual([{ type: 'message', from: 'me', nickname: 'Me', msg: '안녕 hi' }]);
    expect(seen.chat).toEqual([]);
    server.current.deliver({ type: 'message', from: 'me', nickname: 'Me', msg: '안녕 hi' });
    server.current.deliver({ type: 'message', nickname: 'Seed', msg: 'yo' }); // the seed omits from
    expect(seen.chat.map((c) => [c.text, c.self, c.from])).toEqual([
      ['안녕 hi', true, 'me'],
      ['yo', false, null],
    ]);
    expect(new Set(seen.chat.map((c) => c.id)).size).toBe(2);
    await meeting.leave();
  });

  it('replays history once, oldest first', async () => {
    const { server, meeting, seen } = setup();
    meeting.join();
    server.current.connect();
    server.current.deliver({
      type: 'history',
      messages: [
        { type: 'message', from: 'a', nickname: 'A', msg: 'first' },
        { type: 'message', from: 'me', nickname: 'Me', msg: 'second', at: 1234 },
      ],
    });
    server.current.deliver({ type: 'history', messages: [] });
    expect(seen.history).toHaveLength(1);
    expect(seen.history[0]!.map((c) => [c.text, c.self])).toEqual([
      ['first', false],
      ['second', true],
    ]);
    expect(seen.history[0]![1]!.at).toBe(1234);
    await meeting.leave();
  });

  it('holds chat typed while reconnecting and sends it on rejoin', async () => {
    const { server, meeting } = await joined();
    server.current.drop();
    meeting.sendChat('later');
    await vi.advanceTimersByTimeAsync(500);
    server.current.connect();
    expect(server.current.sent('message')).toEqual([]);
    server.current.deliver({ type: 'join', from: 'me', nickname: 'Me' });
    expect(server.current.sent('message')).toEqual([{ type: 'message', from: 'me', nickname: 'Me', msg: 'later' }]);
    await meeting.leave();
  });
});

describe('server errors', () => {
  it('maps ERROR messages to error kinds', () => {
    expect(classifyServerError('room full (max 16 members)')).toBe('room-full');
    expect(classifyServerError('identity taken: "me" is already in room r1')).toBe('identity-taken');
    expect(classifyServerError('invalid room key')).toBe('protocol');
    expect(classifyServerError('message rate limit (max 50/s)')).toBe('protocol');
  });

  it('room full: reports it and stops', async () => {
    const { server, meeting, seen } = setup();
    meeting.join();
    server.current.connect();
    server.current.fail('room full (max 16 members)');
    expect(seen.errors).toEqual([{ kind: 'room-full', message: 'room full (max 16 members)' }]);
    expect(seen.status.at(-1)).toBe('closed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.transports).toHaveLength(1);
  });

  it('identity taken: retries with backoff, reports only when it persists', async () => {
    const { server, meeting, seen } = await joined();
    server.current.drop();
    let elapsed = 0;
    let retries = 0;
    while (elapsed < IDENTITY_GRACE_MS - 2000) {
      const before = server.transports.length;
      await vi.advanceTimersByTimeAsync(1000);
      elapsed += 1000;
      if (server.transports.length === before) continue;
      retries++;
      server.current.connect();
      server.current.fail('identity taken: "me" is already in room r1');
    }
    expect(retries).toBeGreaterThan(3);
    expect(seen.errors).toEqual([]);
    expect(seen.status.at(-1)).toBe('reconnecting');
    while (seen.errors.length === 0 && elapsed < 120_000) {
      const before = server.transports.length;
      await vi.advanceTimersByTimeAsync(1000);
      elapsed += 1000;
      if (server.transports.length === before) continue;
      server.current.connect();
      server.current.fail('identity taken: "me" is already in room r1');
    }
    expect(seen.errors).toEqual([{ kind: 'identity-taken', message: 'identity taken: "me" is already in room r1' }]);
    // The server finally drops the old session: the next attempt gets in.
    await vi.advanceTimersByTimeAsync(15_000);
    server.current.connect();
    server.current.deliver({ type: 'join', from: 'me', nickname: 'Me' });
    expect(seen.status.at(-1)).toBe('connected');
    expect(seen.errors).toHaveLength(1);
    await meeting.leave();
  });

  it('any other ERROR is a protocol error, reported once per distinct message, and retried', async () => {
    const { server, meeting, seen } = setup();
    meeting.join();
    for (let i = 0; i < 3; i++) {
      server.current.connect();
      server.current.fail('message rate limit (max 50/s)');
      await vi.advanceTimersByTimeAsync(15_000);
    }
    expect(seen.errors).toEqual([{ kind: 'protocol', message: 'message rate limit (max 50/s)' }]);
    expect(server.transports).toHaveLength(4);
    await meeting.leave();
  });

  it('server unreachable: reported once after repeated failures, retrying all along', async () => {
    const { server, meeting, seen } = setup();
    meeting.join();
    for (let i = 0; i < 6; i++) {
      server.current.drop('connection refused');
      await vi.advanceTimersByTimeAsync(15_000);
    }
    expect(seen.errors.map((e) => e.kind)).toEqual(['server-unreachable']);
    expect(seen.status).toEqual(['connecting']);
    expect(server.transports).toHaveLength(7);
    await meeting.leave();
  });
});

describe('reconnecting', () => {
  it('follows the backoff schedule: 0.5 s doubling to 15 s', async () => {
    const { server, meeting } = await joined();
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      server.current.drop();
      const before = server.transports.length;
      let waited = 0;
      while (server.transports.length === before) {
        await vi.advanceTimersByTimeAsync(100);
        waited += 100;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    await meeting.leave();
  });

  it('rejoins with the same id, skips history, and rebuilds every peer', async () => {
    const { server, pcs, meeting, seen } = await joined([
      { from: 'a', nickname: 'A' },
      { from: 'b', nickname: 'B' },
    ]);
    server.current.deliver({ type: 'history', messages: [] });
    const first = server.current;
    first.drop();
    expect(seen.status.at(-1)).toBe('reconnecting');
    expect(seen.participants.map((p) => p.id)).toEqual(['a', 'b']); // kept while reconnecting
    await vi.advanceTimersByTimeAsync(500);
    const second = server.current;
    expect(second).not.toBe(first);
    second.connect();
    expect(second.subscriptions[0]?.headers).toEqual({ 'x-presence': 'true' });
    // The same resume secret as the first join: the server lets it take 'me' back at once.
    const firstResume = (first.sent('join')[0] as { resume?: string } | undefined)?.resume;
    expect(firstResume).toMatch(/^[0-9a-f]{32}$/);
    expect(second.sent('join')).toEqual([{ type: 'join', from: 'me', nickname: 'Me', resume: firstResume }]);
    second.deliver({ type: 'peers', peers: [{ from: 'b', nickname: 'B' }, { from: 'c', nickname: 'C' }] });
    expect(pcs.created.slice(0, 2).every((pc) => pc.closed)).toBe(true);
    expect(pcs.created).toHaveLength(4);
    expect(seen.participants.map((p) => p.id)).toEqual(['b', 'c']);
    second.deliver({ type: 'join', from: 'me', nickname: 'Me' });
    expect(seen.status.at(-1)).toBe('connected');
    // Members offer again to the rejoined id; our fresh connections answer.
    const { description } = await remoteOffer();
    second.deliver({ type: 'offer', from: 'b', target: 'me', sdp: description });
    await settle();
    expect(second.sent('answer')).toHaveLength(1);
    // Nothing is sent on the dead transport.
    expect(first.sent('answer')).toEqual([]);
    await meeting.leave();
  });

  it('ignores everything a superseded transport still reports', async () => {
    const { server, meeting, seen } = await joined([{ from: 'a', nickname: 'A' }]);
    const first = server.current;
    first.drop();
    await vi.advanceTimersByTimeAsync(500);
    first.deliver({ type: 'leave', from: 'a', streamId: null });
    first.fail('late error');
    expect(seen.participants.map((p) => p.id)).toEqual(['a']);
    expect(seen.errors).toEqual([]);
    expect(server.transports).toHaveLength(2);
    await meeting.leave();
  });
});

describe('leave()', () => {
  it('says leave, closes every connection and stops reconnecting', async () => {
    const { server, pcs, meeting, seen } = await joined([{ from: 'a', nickname: 'A' }]);
    await meeting.leave();
    expect(server.current.sent('leave')).toEqual([{ type: 'leave', from: 'me' }]);
    expect(server.current.closed).toBe(true);
    expect(pcs.created[0]!.closed).toBe(true);
    expect(seen.status.at(-1)).toBe('closed');
    expect(seen.participants).toEqual([]);
    server.current.drop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.transports).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('media', () => {
  it("tells the camera stream from the screen stream by the announced screenStreamId", async () => {
    const { server, meeting, seen } = await joined([{ from: 'a', nickname: 'A' }]);
    server.current.deliver({ type: 'media', from: 'a', audio: false, video: true, screen: true, screenStreamId: 'a-screen' });
    const remote = new FakePeerConnection();
    const cam = new FakeMediaStream([], 'a-cam');
    const screen = new FakeMediaStream([], 'a-screen');
    const screenTrack = new FakeMediaStreamTrack('video');
    const camTrack = new FakeMediaStreamTrack('video');
    remote.addTrack(screenTrack, screen); // the screen first, to be sure order is not what decides
    remote.addTrack(camTrack, cam);
    await remote.setLocalDescription();
    server.current.deliver({ type: 'offer', from: 'a', target: 'me', sdp: remote.localDescription });
    await settle();
    const a = seen.participants[0]!;
    expect(a.media).toEqual({ audio: false, video: true, screen: true });
    expect(a.stream?.id).toBe('a-cam');
    expect(a.screen?.id).toBe('a-screen');
    server.current.deliver({ type: 'media', from: 'a', audio: false, video: true, screen: false });
    expect(seen.participants[0]!.screen).toBeNull();
    expect(seen.participants[0]!.stream?.id).toBe('a-cam');
    await meeting.leave();
  });

  it('announces the screen stream before adding its track, and stops when the track ends', async () => {
    const { server, pcs, meeting } = await joined();
    server.current.deliver({ type: 'join', from: 'b', nickname: 'B' });
    server.current.deliver({ type: 'media', from: 'b', audio: true, video: true, screen: false });
    await settle();
    const pc = pcs.created[0]!;
    const answerer = new FakePeerConnection();
    await answerer.setRemoteDescription(pc.localDescription!);
    await answerer.setLocalDescription();
    server.current.deliver({ type: 'answer', from: 'b', target: 'me', sdp: answerer.localDescription });
    await settle();
    expect(pc.signalingState).toBe('stable');

    const track = new FakeMediaStreamTrack('video');
    const screen = new FakeMediaStream([track], 'my-screen');
    await meeting.startScreenShare(asStream(screen));
    expect(server.current.sent('media').at(-1)).toEqual({
      type: 'media', from: 'me', audio: true, video: true, screen: true, screenStreamId: 'my-screen',
    });
    await settle();
    const offers = server.current.sent('offer');
    expect(offers).toHaveLength(2); // the renegotiation carrying the screen track
    const types = server.current.sent().map((m) => m['type']);
    expect(types.lastIndexOf('media')).toBeLessThan(types.lastIndexOf('offer'));
    expect(pc.getSenders().map((s) => s.track)).toContain(track);

    track.end(); // the browser's "Stop sharing"
    await settle();
    expect(server.current.sent('media').at(-1)).toEqual({ type: 'media', from: 'me', audio: true, video: true, screen: false });
    expect(pc.getSenders().map((s) => s.track)).not.toContain(track);
    await meeting.leave();
  });

  it('setMedia announces mute / camera-off; screen stays ours to know', async () => {
    const { server, meeting } = await joined();
    meeting.setMedia({ audio: false, video: true, screen: true });
    expect(server.current.sent('media').at(-1)).toEqual({ type: 'media', from: 'me', audio: false, video: true, screen: false });
    await meeting.leave();
  });

  it('replaceTrack swaps the sender track on every peer without renegotiating', async () => {
    const { server, pcs, meeting, cam } = await joined();
    server.current.deliver({ type: 'join', from: 'b', nickname: 'B' });
    server.current.deliver({ type: 'join', from: 'c', nickname: 'C' });
    await settle();
    const next = new FakeMediaStreamTrack('video');
    const offersBefore = server.current.sent('offer').length;
    await meeting.replaceTrack('video', asTrack(next));
    await settle();
    for (const pc of pcs.created) {
      const video = pc.senders.find((s) => s.kind === 'video');
      expect(video?.track).toBe(next);
      expect(video?.msidTrackId).toBe(cam.video.id);
    }
    expect(server.current.sent('offer')).toHaveLength(offersBefore);
    await meeting.leave();
  });
});

describe('quality polling', () => {
  it('polls getStats at most once per second with one timer, without overlapping', async () => {
    const { server, pcs, meeting, seen } = await joined([
      { from: 'a', nickname: 'A' },
      { from: 'b', nickname: 'B' },
    ]);
    expect(vi.getTimerCount()).toBe(3); // the stats interval + each answerer's offer wait
    pcs.created[0]!.stats = new Map([['p', { type: 'candidate-pair', selected: true, currentRoundTripTime: 0.9 }]]);
    await vi.advanceTimersByTimeAsync(5000);
    for (const pc of pcs.created) expect(pc.getStatsCalls).toBe(5);
    expect(seen.participants.find((p) => p.id === 'a')?.quality).toBe('poor');
    expect(seen.participants.find((p) => p.id === 'b')?.quality).toBe('unknown');

    // A getStats() that hangs holds further polls back instead of piling up.
    const pc = pcs.created[0]!;
    pc.getStats = () => {
      pc.getStatsCalls++;
      return new Promise<RTCStatsReport>(() => undefined);
    };
    await vi.advanceTimersByTimeAsync(5000);
    expect(pc.getStatsCalls).toBe(6);
    void server;
    await meeting.leave();
  });
});

describe('access control: room tokens and passwords', () => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtZSJ9.c2ln';

  it('without a token, CONNECT carries no login or passcode (an open server)', () => {
    const { server, meeting } = setup();
    meeting.join();
    expect(server.current.connectHeaders).toEqual({});
    void meeting.leave();
  });

  it('a room token is the passcode of every CONNECT, login "parley", reconnects included', async () => {
    const { server, meeting } = await joined([], { token });
    expect(server.current.connectHeaders).toEqual({ login: 'parley', passcode: token });
    server.current.drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.transports).toHaveLength(2);
    expect(server.current.connectHeaders).toEqual({ login: 'parley', passcode: token });
    await meeting.leave();
  });

  it('a known room password goes on the SUBSCRIBE as x-room-password, and only then', async () => {
    const withPassword = setup({ roomPassword: 'open sesame' });
    withPassword.meeting.join();
    withPassword.server.current.connect();
    expect(withPassword.server.current.subscriptions[0]!.headers).toEqual({
      'x-presence': 'true',
      'x-history': 'true',
      'x-room-password': 'open sesame',
    });
    const without = setup();
    without.meeting.join();
    without.server.current.connect();
    expect(without.server.current.subscriptions[0]!.headers).not.toHaveProperty('x-room-password');
    await Promise.all([withPassword.meeting.leave(), without.meeting.leave()]);
  });

  it('x-parley-role on CONNECTED says whether we are a moderator', async () => {
    const { server, meeting, seen } = setup({ token });
    meeting.join();
    server.current.connect({ 'user-name': 'me', 'x-parley-role': 'moderator' });
    expect(seen.roles).toEqual(['moderator']);
    server.current.drop();
    await vi.advanceTimersByTimeAsync(1000);
    server.current.connect({ 'user-name': 'me', 'x-parley-role': 'member' });
    expect(seen.roles).toEqual(['moderator', 'member']);
    await meeting.leave();
  });

  const refusals: [string, MeetingErrorKind][] = [
    ['authentication required: this server admits room tokens only', 'auth-required'],
    ['invalid token: token expired', 'token-expired'],
    ['invalid token: bad signature', 'token-invalid'],
    ["token does not grant room 'r1'", 'token-wrong-room'],
    ["room 'r1' requires a password", 'password-required'],
    ["wrong password for room 'r1'", 'password-wrong'],
    ["removed from room 'r1' by a moderator", 'removed'],
  ];

  it('maps each access refusal to its error kind', () => {
    for (const [message, kind] of refusals) expect(classifyServerError(message), message).toBe(kind);
  });

  it.each(refusals)('"%s" is final: reported once, no reconnect', async (message, kind) => {
    const { server, meeting, seen } = setup({ token });
    meeting.join();
    server.current.connect();
    server.current.fail(message);
    expect(seen.errors).toEqual([{ kind, message }]);
    expect(seen.status.at(-1)).toBe('closed');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.transports).toHaveLength(1);
    expect(seen.errors).toHaveLength(1);
  });
});

describe('moderation', () => {
  it('kick naming us: removed, every peer closed, our media stopped, no rejoin', async () => {
    const { server, pcs, cam, meeting, seen } = await joined([
      { from: 'a', nickname: 'A' },
      { from: 'mod', nickname: 'Mod' },
    ]);
    const transport = server.current;
    transport.deliver({ type: 'kick', from: 'mod', target: 'me' });
    expect(seen.errors).toEqual([{ kind: 'removed', message: expect.stringMatching(/^removed from room/) }]);
    expect(seen.status.at(-1)).toBe('closed');
    expect(pcs.created.map((pc) => pc.closed)).toEqual([true, true]);
    expect(seen.participants).toEqual([]);
    expect([cam.audio.readyState, cam.video.readyState]).toEqual(['ended', 'ended']);
    expect(transport.closed).toBe(true);
    transport.drop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.transports).toHaveLength(1);
    await meeting.leave();
    expect(transport.sent('leave')).toEqual([]);
  });

  it('kick naming someone else: a notice with their nickname, and their tile goes', async () => {
    const { server, pcs, meeting, seen } = await joined([
      { from: 'a', nickname: 'Alice' },
      { from: 'mod', nickname: 'Mod' },
    ]);
    server.current.deliver({ type: 'kick', from: 'mod', target: 'a' });
    expect(seen.moderation).toEqual([{ action: 'kick', by: 'mod', target: 'a', nickname: 'Alice' }]);
    expect(seen.participants.map((p) => p.id)).toEqual(['mod']);
    expect(pcs.created[0]!.closed).toBe(true);
    server.current.deliver({ type: 'leave', from: 'a' }); // the server's own leave changes nothing more
    expect(seen.participants.map((p) => p.id)).toEqual(['mod']);
    expect(seen.errors).toEqual([]);
    expect(seen.status.at(-1)).toBe('connected');
    await meeting.leave();
  });

  it('mute naming us (audio): the microphone goes off and the room hears our media', async () => {
    const { server, cam, meeting, seen } = await joined([{ from: 'mod', nickname: 'Mod' }]);
    const before = server.current.sent('media').length;
    server.current.deliver({ type: 'mute', from: 'mod', target: 'me', kind: 'audio' });
    expect(cam.audio.enabled).toBe(false);
    expect(cam.video.enabled).toBe(true);
    expect(server.current.sent('media').slice(before)).toEqual([{ type: 'media', from: 'me', audio: false, video: true, screen: false }]);
    expect(seen.localMedia).toEqual([{ audio: false, video: true, screen: false }]);
    expect(seen.moderation).toEqual([{ action: 'mute', by: 'mod', target: 'me', nickname: 'Me', kind: 'audio', self: true }]);
    // We may turn it back on ourselves.
    meeting.setMedia({ audio: true, video: true, screen: false });
    expect(server.current.sent('media').at(-1)).toMatchObject({ audio: true });
    await meeting.leave();
  });

  it('mute naming us (video): the camera goes off; a second mute sends nothing new', async () => {
    const { server, cam, meeting, seen } = await joined([{ from: 'mod', nickname: 'Mod' }]);
    const before = server.current.sent('media').length;
    server.current.deliver({ type: 'mute', from: 'mod', target: 'me', kind: 'video' });
    server.current.deliver({ type: 'mute', from: 'mod', target: 'me', kind: 'video' });
    expect(cam.video.enabled).toBe(false);
    expect(server.current.sent('media').slice(before)).toEqual([{ type: 'media', from: 'me', audio: true, video: false, screen: false }]);
    expect(seen.localMedia).toHaveLength(1);
    await meeting.leave();
  });

  it('mute naming someone else changes nothing of ours', async () => {
    const { server, cam, meeting, seen } = await joined([{ from: 'a', nickname: 'Alice' }]);
    const before = server.current.sent('media').length;
    server.current.deliver({ type: 'mute', from: 'mod', target: 'a', kind: 'audio' });
    expect(cam.audio.enabled).toBe(true);
    expect(server.current.sent('media')).toHaveLength(before);
    expect(seen.moderation).toEqual([{ action: 'mute', by: 'mod', target: 'a', nickname: 'Alice', kind: 'audio', self: false }]);
    await meeting.leave();
  });

  it('kick() and mute() send the moderation messages to the room, from our id', async () => {
    const { server, meeting } = await joined([{ from: 'a', nickname: 'Alice' }]);
    meeting.mute('a', 'audio');
    meeting.mute('a', 'video');
    meeting.kick('a');
    expect(server.current.published.slice(-3)).toEqual([
      { destination: '/chat/room.r1', body: { type: 'mute', from: 'me', target: 'a', kind: 'audio' } },
      { destination: '/chat/room.r1', body: { type: 'mute', from: 'me', target: 'a', kind: 'video' } },
      { destination: '/chat/room.r1', body: { type: 'kick', from: 'me', target: 'a' } },
    ]);
    await meeting.leave();
  });
});
