// Test doubles for the browser's WebRTC objects, modelling what the signaling core relies on:
// signaling states (stable / have-local-offer / have-remote-offer), implicit and explicit
// rollback, addIceCandidate rejecting before a remote description, negotiationneeded fired
// only in stable after the operations chain drains, track events carrying msid streams, and a
// DTLS fingerprint per connection (a renegotiation answered by another connection is rejected,
// as browsers do). Only tests import this file.

let nextId = 1;

/** Returns after a few microtask turns chosen by `random`, so operations interleave. */
export type Delay = () => Promise<void>;

export const microtasks =
  (random: () => number = () => 0, max = 3): Delay =>
  async () => {
    const turns = Math.floor(random() * (max + 1));
    for (let i = 0; i < turns; i++) await Promise.resolve();
  };

/** Seeded [0, 1) generator (mulberry32), for reproducible interleavings. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function domError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export class FakeMediaStreamTrack extends EventTarget {
  readonly id: string;
  readonly kind: string;
  enabled = true;
  readyState: 'live' | 'ended' = 'live';
  constructor(kind: 'audio' | 'video', id = `track-${nextId++}`) {
    super();
    this.kind = kind;
    this.id = id;
  }
  stop(): void {
    this.readyState = 'ended';
  }
  /** What the browser does when the user ends a screen share from its own UI. */
  end(): void {
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}

export class FakeMediaStream extends EventTarget {
  readonly id: string;
  private readonly tracks: FakeMediaStreamTrack[];
  constructor(tracks: FakeMediaStreamTrack[] = [], id = `stream-${nextId++}`) {
    super();
    this.id = id;
    this.tracks = [...tracks];
  }
  getTracks(): FakeMediaStreamTrack[] {
    return [...this.tracks];
  }
  getAudioTracks(): FakeMediaStreamTrack[] {
    return this.tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks(): FakeMediaStreamTrack[] {
    return this.tracks.filter((t) => t.kind === 'video');
  }
  addTrack(track: FakeMediaStreamTrack): void {
    if (!this.tracks.includes(track)) this.tracks.push(track);
  }
  removeTrack(track: FakeMediaStreamTrack): void {
    const i = this.tracks.indexOf(track);
    if (i >= 0) this.tracks.splice(i, 1);
  }
}

export const asStream = (s: FakeMediaStream) => s as unknown as MediaStream;
export const asTrack = (t: FakeMediaStreamTrack) => t as unknown as MediaStreamTrack;

export function fakeCamera(): { stream: FakeMediaStream; audio: FakeMediaStreamTrack; video: FakeMediaStreamTrack } {
  const audio = new FakeMediaStreamTrack('audio');
  const video = new FakeMediaStreamTrack('video');
  return { stream: new FakeMediaStream([audio, video]), audio, video };
}

export class FakeRtpSender {
  track: FakeMediaStreamTrack | null;
  readonly msidTrackId: string;
  readonly kind: string;
  readonly streamIds: string[];
  removed = false;
  replaceTrackCalls = 0;
  constructor(track: FakeMediaStreamTrack, streamIds: string[]) {
    this.track = track;
    this.kind = track.kind;
    this.msidTrackId = track.id;
    this.streamIds = streamIds;
  }
  replaceTrack(track: FakeMediaStreamTrack | null): Promise<void> {
    this.replaceTrackCalls++;
    this.track = track;
    return Promise.resolve();
  }
}

interface FakeSdp {
  fingerprint: number; // the connection that wrote it
  ufrag: string;
  version: number;
  tracks: { streamId: string; trackId: string; kind: string }[];
}

export const parseFakeSdp = (sdp: string | undefined): FakeSdp => JSON.parse(sdp ?? '') as FakeSdp;

export interface FakePeerConnectionOptions {
  delay?: Delay;
  /** Candidates gathered after each setLocalDescription with new ICE credentials. */
  candidates?: number;
}

type Description = { type: RTCSdpType; sdp: string };

export class FakePeerConnection extends EventTarget {
  readonly id = nextId++;
  readonly configuration: RTCConfiguration;
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  currentLocalDescription: Description | null = null;
  currentRemoteDescription: Description | null = null;
  pendingLocalDescription: Description | null = null;
  pendingRemoteDescription: Description | null = null;
  readonly senders: FakeRtpSender[] = [];
  /** Remote candidates accepted, in order (null = end of candidates). */
  readonly addedCandidates: (RTCIceCandidateInit | null)[] = [];
  readonly remoteStreams = new Map<string, FakeMediaStream>();
  private readonly remoteTracks = new Map<string, { track: FakeMediaStreamTrack; stream: FakeMediaStream }>();
  stats: Map<string, Record<string, unknown>> = new Map();
  getStatsCalls = 0;
  restartIceCalls = 0;
  /** Local offers rolled back, explicitly or by a remote offer (implicitly). */
  rollbacks = 0;
  negotiationNeededEvents = 0;
  closed = false;

  private readonly delay: Delay;
  private readonly candidateCount: number;
  private chain: Promise<unknown> = Promise.resolve();
  private busy = 0;
  private version = 0;
  private negotiatedVersion = 0;
  private offeredVersion = 0;
  private needed = false;
  private ufragSeq = 0;
  private ufrag: string;
  private gatheredUfrag: string | null = null;
  private restartPending = false;

  constructor(configuration: RTCConfiguration = {}, options: FakePeerConnectionOptions = {}) {
    super();
    this.configuration = configuration;
    this.delay = options.delay ?? microtasks();
    this.candidateCount = options.candidates ?? 0;
    this.ufrag = `u${this.id}.${this.ufragSeq}`;
  }

  get localDescription(): Description | null {
    return this.pendingLocalDescription ?? this.currentLocalDescription;
  }
  get remoteDescription(): Description | null {
    return this.pendingRemoteDescription ?? this.currentRemoteDescription;
  }

  addTrack(track: FakeMediaStreamTrack, ...streams: FakeMediaStream[]): FakeRtpSender {
    if (this.closed) throw domError('InvalidStateError', 'closed');
    if (this.senders.some((s) => !s.removed && s.track === track)) throw domError('InvalidAccessError', 'track already added');
    const sender = new FakeRtpSender(track, streams.map((s) => s.id));
    this.senders.push(sender);
    this.changed();
    return sender;
  }

  removeTrack(sender: FakeRtpSender): void {
    if (this.closed) throw domError('InvalidStateError', 'closed');
    if (sender.removed) return;
    sender.removed = true;
    sender.track = null;
    this.changed();
  }

  getSenders(): FakeRtpSender[] {
    return this.senders.filter((s) => !s.removed);
  }

  restartIce(): void {
    this.restartIceCalls++;
    this.restartPending = true;
    this.changed();
  }

  createOffer(): Promise<Description> {
    return this.enqueue(() => ({ type: 'offer', sdp: this.writeSdp() }));
  }

  createAnswer(): Promise<Description> {
    return this.enqueue(() => {
      if (this.signalingState !== 'have-remote-offer') throw domError('InvalidStateError', `createAnswer in ${this.signalingState}`);
      return { type: 'answer', sdp: this.writeSdp() };
    });
  }

  setLocalDescription(description?: RTCSessionDescriptionInit): Promise<void> {
    return this.enqueue(() => {
      const type: RTCSdpType =
        description?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
      if (type === 'rollback') {
        if (this.signalingState !== 'have-local-offer') throw domError('InvalidStateError', `rollback in ${this.signalingState}`);
        this.rollbacks++;
        this.pendingLocalDescription = null;
        this.toStable();
        return;
      }
      if (type === 'offer') {
        if (this.signalingState !== 'stable' && this.signalingState !== 'have-local-offer') {
          throw domError('InvalidStateError', `local offer in ${this.signalingState}`);
        }
        if (this.restartPending) {
          this.restartPending = false;
          this.ufrag = `u${this.id}.${++this.ufragSeq}`;
        }
        this.offeredVersion = this.version;
        this.pendingLocalDescription = { type, sdp: description?.sdp ?? this.writeSdp() };
        this.signalingState = 'have-local-offer';
      } else if (type === 'answer') {
        if (this.signalingState !== 'have-remote-offer') throw domError('InvalidStateError', `local answer in ${this.signalingState}`);
        this.currentLocalDescription = { type, sdp: description?.sdp ?? this.writeSdp() };
        this.currentRemoteDescription = this.pendingRemoteDescription;
        this.pendingLocalDescription = null;
        this.pendingRemoteDescription = null;
        this.negotiatedVersion = this.version; // our answer carries all our current tracks
        this.toStable();
      } else {
        throw domError('InvalidStateError', `unsupported ${type}`);
      }
      this.gather();
    });
  }

  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    return this.enqueue(() => {
      const type = description.type;
      if (type === 'rollback') {
        if (this.signalingState !== 'have-remote-offer') throw domError('InvalidStateError', `rollback in ${this.signalingState}`);
        this.pendingRemoteDescription = null;
        this.toStable();
        return;
      }
      const sdp = parseFakeSdp(description.sdp);
      const established = this.currentRemoteDescription ? parseFakeSdp(this.currentRemoteDescription.sdp) : null;
      if (established && established.fingerprint !== sdp.fingerprint) {
        throw domError('InvalidAccessError', 'remote DTLS fingerprint changed');
      }
      if (type === 'offer') {
        if (this.signalingState === 'have-local-offer') {
          this.pendingLocalDescription = null; // implicit rollback
          this.rollbacks++;
          this.signalingState = 'stable';
        }
        if (this.signalingState !== 'stable' && this.signalingState !== 'have-remote-offer') {
          throw domError('InvalidStateError', `remote offer in ${this.signalingState}`);
        }
        this.pendingRemoteDescription = { type, sdp: description.sdp ?? '' };
        this.signalingState = 'have-remote-offer';
      } else if (type === 'answer') {
        if (this.signalingState !== 'have-local-offer') throw domError('InvalidStateError', `remote answer in ${this.signalingState}`);
        this.currentRemoteDescription = { type, sdp: description.sdp ?? '' };
        this.currentLocalDescription = this.pendingLocalDescription;
        this.pendingLocalDescription = null;
        this.pendingRemoteDescription = null;
        this.negotiatedVersion = this.offeredVersion;
        this.toStable();
      } else {
        throw domError('InvalidStateError', `unsupported ${type}`);
      }
      this.applyRemoteTracks(sdp);
    });
  }

  addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
    return this.enqueue(() => {
      const remote = this.remoteDescription;
      if (!remote) throw domError('InvalidStateError', 'addIceCandidate before the remote description');
      if (candidate?.usernameFragment && candidate.usernameFragment !== parseFakeSdp(remote.sdp).ufrag) {
        throw domError('OperationError', `unknown ufrag ${candidate.usernameFragment}`);
      }
      this.addedCandidates.push(candidate ?? null);
    });
  }

  getStats(): Promise<RTCStatsReport> {
    this.getStatsCalls++;
    return Promise.resolve(this.stats as unknown as RTCStatsReport);
  }

  close(): void {
    this.closed = true;
    this.signalingState = 'closed';
    this.connectionState = 'closed';
  }

  /** Test control: the ICE/DTLS transport changed state. */
  setConnectionState(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.dispatchEvent(new Event('connectionstatechange'));
  }

  /** Idle: no operation queued and no negotiation pending. */
  get settled(): boolean {
    return this.busy === 0 && !this.needed;
  }

  private enqueue<T>(op: () => T): Promise<T> {
    this.busy++;
    const result = this.chain.then(async () => {
      await this.delay();
      if (this.closed) throw domError('InvalidStateError', 'closed');
      return op();
    });
    this.chain = result
      .catch(() => undefined)
      .then(() => {
        this.busy--;
        this.updateNegotiationNeeded();
      });
    return result;
  }

  private changed(): void {
    this.version++;
    this.updateNegotiationNeeded();
  }

  private toStable(): void {
    this.signalingState = 'stable';
    this.needed = false; // re-evaluated below, firing again if still needed
    this.updateNegotiationNeeded();
  }

  private updateNegotiationNeeded(): void {
    if (this.closed || this.busy > 0 || this.signalingState !== 'stable') return;
    if (this.version <= this.negotiatedVersion) {
      this.needed = false;
      return;
    }
    if (this.needed) return;
    this.needed = true;
    void this.delay().then(() => {
      if (this.closed || !this.needed || this.signalingState !== 'stable') {
        if (this.signalingState !== 'stable') this.needed = false; // re-checked on return to stable
        return;
      }
      this.negotiationNeededEvents++;
      this.dispatchEvent(new Event('negotiationneeded'));
    });
  }

  private writeSdp(): string {
    const sdp: FakeSdp = {
      fingerprint: this.id,
      ufrag: this.ufrag,
      version: this.version,
      tracks: this.senders
        .filter((s) => !s.removed)
        .map((s) => ({ streamId: s.streamIds[0] ?? '-', trackId: s.msidTrackId, kind: s.kind })),
    };
    return JSON.stringify(sdp);
  }

  private gather(): void {
    if (this.candidateCount === 0 || this.gatheredUfrag === this.ufrag) return;
    this.gatheredUfrag = this.ufrag;
    const ufrag = this.ufrag;
    void (async () => {
      for (let i = 0; i <= this.candidateCount; i++) {
        await this.delay();
        if (this.closed) return;
        const init: RTCIceCandidateInit = { candidate: `candidate:${this.id}:${i}`, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: ufrag };
        const candidate = i < this.candidateCount ? { ...init, toJSON: () => init } : null;
        this.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate }));
      }
    })();
  }

  private applyRemoteTracks(sdp: FakeSdp): void {
    const present = new Set(sdp.tracks.map((t) => t.trackId));
    for (const [trackId, { track, stream }] of this.remoteTracks) {
      if (present.has(trackId)) continue;
      this.remoteTracks.delete(trackId);
      stream.removeTrack(track);
      stream.dispatchEvent(Object.assign(new Event('removetrack'), { track }));
    }
    for (const t of sdp.tracks) {
      if (this.remoteTracks.has(t.trackId)) continue;
      const stream = this.remoteStreams.get(t.streamId) ?? new FakeMediaStream([], t.streamId);
      this.remoteStreams.set(t.streamId, stream);
      const track = new FakeMediaStreamTrack(t.kind as 'audio' | 'video', t.trackId);
      stream.addTrack(track);
      this.remoteTracks.set(t.trackId, { track, stream });
      this.dispatchEvent(Object.assign(new Event('track'), { track, streams: [stream] }));
    }
  }
}

/** A createPeerConnection that records every connection it makes. */
export function peerConnectionFactory(options: FakePeerConnectionOptions = {}) {
  const created: FakePeerConnection[] = [];
  const create = (config: RTCConfiguration) => {
    const pc = new FakePeerConnection(config, options);
    created.push(pc);
    return pc as unknown as RTCPeerConnection;
  };
  return { created, create };
}
