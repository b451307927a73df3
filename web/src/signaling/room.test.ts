/* eslint-disable @typescript-eslint/no-non-null-assertion -- tests: a missing value fails the test either way */
// End to end over the in-memory room: Parley ↔ Parley and Parley ↔ seed client converge in
// every join order, and a dropped connection heals.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Meeting } from './meeting';
import type { Peer } from './peer';
import {
  FakeMediaStream,
  FakeMediaStreamTrack,
  FakePeerConnection,
  asStream,
  fakeCamera,
  microtasks,
  seededRandom,
  type Delay,
} from './testing/fakes';
import { settle as settleMicrotasks } from './testing/settle';
import { SeedClient } from './testing/seed';
import { FakeRoom } from './testing/transports';
import type { ConnectionStatus, Participant } from './types';

const settle = (rounds = 20) => settleMicrotasks(rounds);

interface Client {
  id: string;
  meeting: Meeting;
  camera: FakeMediaStream;
  participants: Participant[];
  status: ConnectionStatus[];
  pcFor(remote: string): FakePeerConnection;
}

function parley(room: FakeRoom, id: string, delay: Delay): Client {
  const camera = fakeCamera().stream;
  const client: Client = {
    id,
    meeting: undefined as unknown as Meeting,
    camera,
    participants: [],
    status: [],
    pcFor(remote) {
      // Test-only peek at the Meeting's members (a TypeScript-private field).
      const members = (this.meeting as unknown as { members: Map<string, { peer: Peer | null }> }).members;
      const pc = members.get(remote)?.peer?.peerConnection as unknown as FakePeerConnection | undefined;
      if (!pc || pc.closed) throw new Error(`${id} has no open connection to ${remote}`);
      return pc;
    },
  };
  client.meeting = new Meeting(
    {
      url: 'ws://parley.test/ws',
      roomKey: 'r',
      id,
      nickname: `nick-${id}`,
      localStream: asStream(camera),
      iceServers: [],
      media: { audio: true, video: true, screen: false },
      createPeerConnection: (config) => new FakePeerConnection(config, { delay, candidates: 1 }) as unknown as RTCPeerConnection,
    },
    { transport: room.factory, log: () => undefined },
  );
  client.meeting.on('participants', (p) => (client.participants = p));
  client.meeting.on('status', (s) => client.status.push(s));
  return client;
}

function connectedPair(x: FakePeerConnection, y: FakePeerConnection): void {
  expect(x.signalingState).toBe('stable');
  expect(y.signalingState).toBe('stable');
  expect(x.remoteDescription?.sdp).toBeDefined();
  expect(x.remoteDescription?.sdp).toBe(y.localDescription?.sdp);
  expect(y.remoteDescription?.sdp).toBe(x.localDescription?.sdp);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

type Order = 'first' | 'second' | 'simultaneous';
const orders: Order[] = ['first', 'second', 'simultaneous'];

async function start(order: Order, a: () => void, b: () => void): Promise<void> {
  if (order === 'simultaneous') {
    a();
    b(); // both subscribe before either join is routed: each sees the other's join
  } else {
    (order === 'first' ? a : b)();
    await settle();
    (order === 'first' ? b : a)();
  }
  await settle();
}

describe('Parley ↔ Parley', () => {
  for (const order of orders) {
    it.each([1, 2, 3, 4, 5, 6])(`converges when alice joins ${order} (interleaving %i)`, async (seed) => {
      const room = new FakeRoom();
      const delay = microtasks(seededRandom(seed), 3);
      const alice = parley(room, 'alice', delay);
      const bob = parley(room, 'bob', delay);
      await start(order, () => alice.meeting.join(), () => bob.meeting.join());
      connectedPair(alice.pcFor('bob'), bob.pcFor('alice'));
      expect(alice.participants.map((p) => [p.id, p.stream?.id])).toEqual([['bob', bob.camera.id]]);
      expect(bob.participants.map((p) => [p.id, p.stream?.id])).toEqual([['alice', alice.camera.id]]);

      // Screen share: renegotiated on the same connection, shown as the screen.
      const screen = new FakeMediaStream([new FakeMediaStreamTrack('video')], 'alice-screen');
      const before = alice.pcFor('bob');
      await alice.meeting.startScreenShare(asStream(screen));
      await settle();
      expect(alice.pcFor('bob')).toBe(before);
      connectedPair(alice.pcFor('bob'), bob.pcFor('alice'));
      expect(bob.participants[0]?.screen?.id).toBe('alice-screen');
      expect(bob.participants[0]?.stream?.id).toBe(alice.camera.id);
      await alice.meeting.stopScreenShare();
      await settle();
      expect(bob.participants[0]?.screen).toBeNull();
      await alice.meeting.leave();
      await bob.meeting.leave();
    });
  }

  it('heals after a dropped connection: rejoin, fresh connections, same id', async () => {
    const room = new FakeRoom();
    const delay = microtasks(seededRandom(9), 3);
    const alice = parley(room, 'alice', delay);
    const bob = parley(room, 'bob', delay);
    await start('first', () => alice.meeting.join(), () => bob.meeting.join());
    const old = alice.pcFor('bob');
    room.drop('alice');
    await settle();
    expect(alice.status.at(-1)).toBe('reconnecting');
    expect(bob.participants).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(alice.status.at(-1)).toBe('connected');
    expect(old.closed).toBe(true);
    connectedPair(alice.pcFor('bob'), bob.pcFor('alice'));
    expect(bob.participants.map((p) => p.id)).toEqual(['alice']);
    expect(alice.participants.map((p) => p.id)).toEqual(['bob']);
    await alice.meeting.leave();
    await bob.meeting.leave();
  });

  it('retries while the server still holds the old session ("identity taken"), then gets in', async () => {
    const room = new FakeRoom();
    const delay = microtasks(seededRandom(3), 3);
    const alice = parley(room, 'alice', delay);
    const bob = parley(room, 'bob', delay);
    await start('first', () => alice.meeting.join(), () => bob.meeting.join());
    const errors: string[] = [];
    alice.meeting.on('error', (e) => errors.push(e.kind));
    // Alice's side notices the dead network; the server has not yet.
    const session = [...room.sessions].find((s) => s.memberId === 'alice')!;
    session.handlers.onClosed('connection closed (1006)');
    await vi.advanceTimersByTimeAsync(4000);
    await settle();
    expect(alice.status.at(-1)).toBe('reconnecting');
    room.disconnect(session); // heart-beat timeout on the server
    await vi.advanceTimersByTimeAsync(15_000);
    await settle();
    expect(alice.status.at(-1)).toBe('connected');
    expect(errors).toEqual([]);
    connectedPair(alice.pcFor('bob'), bob.pcFor('alice'));
    await alice.meeting.leave();
    await bob.meeting.leave();
  });
});

describe('seed compatibility', () => {
  for (const order of orders) {
    it.each([1, 2, 3, 4, 5, 6, 7, 8])(`converges with a seed client when Parley joins ${order} (interleaving %i)`, async (seed) => {
      const room = new FakeRoom();
      const delay = microtasks(seededRandom(seed), 3);
      const alice = parley(room, 'alice', delay);
      const seedCamera = fakeCamera().stream;
      const seedClient = new SeedClient('zed', 'r', room.factory, seedCamera, { delay, candidates: 1 });
      await start(order, () => alice.meeting.join(), () => seedClient.connect());
      await vi.advanceTimersByTimeAsync(5000); // past any answer wait
      await settle();
      const seedPc = seedClient.pcs.get('alice');
      expect(seedPc).toBeDefined();
      connectedPair(alice.pcFor('zed'), seedPc!);
      expect(seedClient.errors).toEqual([]);
      expect(alice.participants.map((p) => [p.id, p.stream?.id])).toEqual([['zed', seedCamera.id]]);
      expect([...seedClient.remoteStreams.keys()]).toEqual([alice.camera.id]);

      // A renegotiation with a seed is a fresh connection (the seed answers with a new one).
      const screen = new FakeMediaStream([new FakeMediaStreamTrack('video')], 'alice-screen');
      await alice.meeting.startScreenShare(asStream(screen));
      await settle();
      connectedPair(alice.pcFor('zed'), seedClient.pcs.get('alice')!);
      expect(seedClient.errors).toEqual([]);
      expect([...seedClient.remoteStreams.keys()].sort()).toEqual([alice.camera.id, 'alice-screen'].sort());
      await alice.meeting.leave();
    });
  }

  it('a seed and two Parley members all connect pairwise', async () => {
    const room = new FakeRoom();
    const delay = microtasks(seededRandom(42), 3);
    const alice = parley(room, 'alice', delay);
    const bob = parley(room, 'bob', delay);
    const seedClient = new SeedClient('zed', 'r', room.factory, fakeCamera().stream, { delay, candidates: 1 });
    alice.meeting.join();
    await settle();
    seedClient.connect();
    await settle();
    bob.meeting.join();
    await settle();
    await vi.advanceTimersByTimeAsync(5000);
    await settle();
    connectedPair(alice.pcFor('bob'), bob.pcFor('alice'));
    connectedPair(alice.pcFor('zed'), seedClient.pcs.get('alice')!);
    connectedPair(bob.pcFor('zed'), seedClient.pcs.get('bob')!);
    expect(seedClient.errors).toEqual([]);
    await alice.meeting.leave();
    await bob.meeting.leave();
  });
});
