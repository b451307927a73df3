// One RTCPeerConnection per remote member, negotiated with the W3C "perfect negotiation"
// pattern (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example), adapted so that a
// seed client (docs/PROTOCOL.md; ../shared/seed) on the other end also converges.
//
// Who offers first: the member already in the room ('offerer', it saw the newcomer's `join`),
// exactly as the seed does. The newcomer ('answerer') attaches its tracks when the first offer
// arrives, so that the pair normally needs one offer/answer and no glare; if no offer comes
// within answerWaitMs (e.g. a seed without a camera), it offers itself.
//
// Politeness, when both offer at once (glare):
// - Parley ↔ Parley: the member whose id is smaller (JS string `<`, UTF-16 code units) is polite:
//   it rolls its own offer back (implicitly, by setRemoteDescription) and answers. Both sides
//   evaluate the same comparison, so exactly one of them is polite.
// - Parley ↔ seed (a member that never sent `media` nor a signal marked `client: "parley"`,
//   see protocol.ts): we are impolite. The seed answers every
//   offer with a brand-new RTCPeerConnection and abandons its own, so its answer always matches
//   our offer, while an answer from us to its (abandoned) offer would hit a connection that
//   already moved on. For the same reason, once our connection has a remote description, a
//   further offer from a seed can only come from such an abandoned connection and is ignored,
//   and any renegotiation with a seed (screen share, ICE restart) replaces our connection with
//   a fresh one instead of re-offering on it (the seed's new connection has a new DTLS
//   fingerprint, which an existing connection would reject).
//
// A lost offer or answer (a reconnect of either side's signaling in between, a proxy that
// dropped it) would otherwise leave both sides waiting for ever: while our offer has no answer
// after offerRetryMs, we send the same offer again (up to OFFER_RETRIES times), to Parley
// clients only. The remote applies it as any offer: answers it when stable, or settles it by
// politeness when it is itself waiting on an offer that we never received; an answer to a copy
// that arrives after the first one is ignored (logged) in 'stable'.
//
// A first-contact glare is settled on a fresh connection: the polite side, whose own first offer
// has had no answer yet, does not roll it back but drops that connection and answers the
// remote offer on a new one (the answerer path). Chromium 156 sometimes never gathers a
// candidate again on a connection whose offer was rolled back during gathering, ICE restarts
// included (2 of 30 glares in the e2e test on this 2-core VM); a connection that never made an
// offer cannot hit that. Signals from the remote that were queued for the dropped connection go
// to the new one: they come from the same remote connection. Later glares (renegotiations)
// still roll back.
//
// Likewise, a connection that both sides have negotiated but whose ICE never starts (still
// 'new' connectTimeoutMs after the descriptions were applied: no remote candidate ever arrived)
// is restarted like a failed one, at most CONNECT_RETRIES times per connection.

import { estimateQuality, sampleStats, type StatsSample } from './quality';
import type { Quality } from './types';

export type PeerRole = 'offerer' | 'answerer';

/** A local track to send, with the stream that names it in the SDP (a=msid). */
export interface LocalTrack {
  /** 'camera:audio' | 'camera:video' | `screen:<trackId>`. */
  key: string;
  track: MediaStreamTrack;
  stream: MediaStream;
}

export type PeerSignal =
  | { type: 'offer' | 'answer'; sdp: RTCSessionDescriptionInit }
  | { type: 'ice'; iceCandidate: RTCIceCandidateInit | null };

export type IncomingSignal =
  | { type: 'offer' | 'answer'; description: RTCSessionDescriptionInit }
  | { type: 'ice'; iceCandidate: RTCIceCandidateInit | null };

export interface PeerOptions {
  selfId: string;
  remoteId: string;
  role: PeerRole;
  createPeerConnection: () => RTCPeerConnection;
  send: (signal: PeerSignal) => void;
  /** The tracks to send right now (read again whenever the connection is (re)built). */
  localTracks: () => readonly LocalTrack[];
  /** True while the remote member looks like a seed client (it never sent `media`). */
  isSeedLike: () => boolean;
  /** Connection state, remote streams or quality changed. */
  onChange: () => void;
  log: (message: string, error?: unknown) => void;
  answerWaitMs?: number;
  disconnectedGraceMs?: number;
  offerRetryMs?: number;
  connectTimeoutMs?: number;
}

export const ANSWER_WAIT_MS = 4000;
export const DISCONNECTED_GRACE_MS = 3000;
export const OFFER_RETRY_MS = 4000;
export const OFFER_RETRIES = 3;
export const CONNECT_TIMEOUT_MS = 5000;
export const CONNECT_RETRIES = 2;

/** The Parley ↔ Parley politeness rule (see the file comment). */
export function isPolite(selfId: string, remoteId: string): boolean {
  return selfId < remoteId;
}

/** State tied to one RTCPeerConnection; replaced whole when the connection is rebuilt. */
interface Session {
  pc: RTCPeerConnection;
  makingOffer: boolean;
  ignoreOffer: boolean;
  settingRemoteAnswer: boolean;
  /** A remote description has been applied on this connection. */
  negotiated: boolean;
  /** ICE restarts made because the connection never left 'new'. */
  connectRetries: number;
  tracksAttached: boolean;
  senders: Map<string, RTCRtpSender>;
  /** Remote candidates that arrived before the remote description, in arrival order. */
  pendingCandidates: (RTCIceCandidateInit | null)[];
  /** Remote streams by msid stream id, in arrival order. */
  streams: Map<string, MediaStream>;
  /** The connection that replaced this one in a first-contact glare (file comment). */
  successor: Session | null;
}

export class Peer {
  readonly remoteId: string;
  private readonly options: PeerOptions;
  private session: Session;
  private inbox: Promise<void> = Promise.resolve();
  private answerWaitTimer: ReturnType<typeof setTimeout> | null = null;
  private disconnectedTimer: ReturnType<typeof setTimeout> | null = null;
  private offerRetryTimer: ReturnType<typeof setTimeout> | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private previousStats: StatsSample | null = null;
  private closed = false;
  connection: RTCPeerConnectionState | 'new' = 'new';
  quality: Quality = 'unknown';

  constructor(options: PeerOptions) {
    this.options = options;
    this.remoteId = options.remoteId;
    this.session = this.build();
    if (options.role === 'offerer') {
      this.attachTracks(this.session);
    } else {
      this.answerWaitTimer = setTimeout(() => {
        this.answerWaitTimer = null;
        if (!this.closed) this.attachTracks(this.session);
      }, options.answerWaitMs ?? ANSWER_WAIT_MS);
    }
  }

  /** The current connection (tests and diagnostics). */
  get peerConnection(): RTCPeerConnection {
    return this.session.pc;
  }

  /** Remote streams, in arrival order. */
  get remoteStreams(): MediaStream[] {
    return [...this.session.streams.values()];
  }

  /** Whether we are the polite side towards this member right now. */
  get polite(): boolean {
    return !this.options.isSeedLike() && isPolite(this.options.selfId, this.options.remoteId);
  }

  /** An offer, answer or ICE candidate targeted at us by this member. Processed in order. */
  handleSignal(signal: IncomingSignal): Promise<void> {
    const queuedFor = this.session;
    this.inbox = this.inbox
      .then(() => {
        let session = queuedFor;
        while (session.successor) session = session.successor;
        return signal.type === 'ice' ? this.onCandidate(session, signal.iceCandidate) : this.onDescription(session, signal.description);
      })
      .catch((error: unknown) => this.options.log(`signaling with ${this.remoteId} failed`, error));
    return this.inbox;
  }

  addLocalTrack(local: LocalTrack): void {
    if (this.closed || !this.session.tracksAttached) return; // attached with the rest later
    this.addSender(this.session, local);
  }

  removeLocalTrack(key: string): void {
    const session = this.session;
    const sender = session.senders.get(key);
    if (this.closed || !sender) return;
    session.senders.delete(key);
    try {
      session.pc.removeTrack(sender);
    } catch (error) {
      this.options.log(`removeTrack for ${this.remoteId} failed`, error);
    }
  }

  /** Device switch: swaps the track on the existing sender, without renegotiation. */
  async replaceTrack(local: LocalTrack | null, key: string): Promise<void> {
    const session = this.session;
    if (this.closed) return;
    const sender = session.senders.get(key);
    if (sender) {
      await sender.replaceTrack(local?.track ?? null);
      return;
    }
    // Nothing was sent of this kind yet: a new sender, which needs a renegotiation.
    if (local && session.tracksAttached) this.addSender(session, local);
  }

  /** Samples getStats(); true when the quality estimate changed. */
  async pollStats(): Promise<boolean> {
    const pc = this.session.pc;
    if (this.closed) return false;
    const sample = sampleStats(await pc.getStats());
    if (pc !== this.session.pc) return false;
    const quality = estimateQuality(this.previousStats, sample);
    this.previousStats = sample;
    if (quality === this.quality) return false;
    this.quality = quality;
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    this.session.pc.close();
  }

  private build(): Session {
    const pc = this.options.createPeerConnection();
    const session: Session = {
      pc,
      makingOffer: false,
      ignoreOffer: false,
      settingRemoteAnswer: false,
      negotiated: false,
      connectRetries: 0,
      tracksAttached: false,
      senders: new Map(),
      pendingCandidates: [],
      streams: new Map(),
      successor: null,
    };
    const current = () => session === this.session && !this.closed;
    pc.addEventListener('negotiationneeded', () => {
      if (current()) void this.onNegotiationNeeded(session);
    });
    pc.addEventListener('icecandidate', (event: RTCPeerConnectionIceEvent) => {
      if (!current()) return;
      this.options.send({ type: 'ice', iceCandidate: event.candidate ? event.candidate.toJSON() : null });
    });
    pc.addEventListener('track', (event: RTCTrackEvent) => {
      if (current()) this.onTrack(session, event);
    });
    pc.addEventListener('connectionstatechange', () => {
      if (current()) this.onConnectionState(session);
    });
    return session;
  }

  /** Replaces the connection with a fresh one carrying every local track (renegotiation with a seed). */
  private rebuild(): void {
    this.attachTracks(this.swapSession());
    this.options.onChange();
  }

  /** Makes a fresh connection the current one, which it returns, and closes the old one. */
  private swapSession(): Session {
    const old = this.session;
    this.session = this.build();
    old.pc.close();
    this.clearDisconnectedTimer();
    this.previousStats = null;
    this.connection = 'new';
    return this.session;
  }

  private attachTracks(session: Session): void {
    if (session.tracksAttached) return;
    session.tracksAttached = true;
    if (this.answerWaitTimer !== null) {
      clearTimeout(this.answerWaitTimer);
      this.answerWaitTimer = null;
    }
    for (const local of this.options.localTracks()) this.addSender(session, local);
  }

  private addSender(session: Session, local: LocalTrack): void {
    if (session.senders.has(local.key)) return;
    try {
      session.senders.set(local.key, session.pc.addTrack(local.track, local.stream));
    } catch (error) {
      this.options.log(`addTrack for ${this.remoteId} failed`, error);
    }
  }

  private async onNegotiationNeeded(session: Session): Promise<void> {
    if (this.options.isSeedLike() && session.negotiated) {
      this.rebuild();
      return;
    }
    try {
      session.makingOffer = true;
      await session.pc.setLocalDescription();
      this.sendLocalDescription(session);
    } catch (error) {
      // A connection dropped in a first-contact glare rejects the offer it was making: expected.
      if (session === this.session) this.options.log(`offer to ${this.remoteId} failed`, error);
    } finally {
      session.makingOffer = false;
    }
  }

  private sendLocalDescription(session: Session): void {
    const description = session.pc.localDescription;
    if (!description || session !== this.session || this.closed) return;
    // After a glare, setLocalDescription() may have produced an answer: send what it made.
    const type = description.type === 'answer' ? 'answer' : 'offer';
    this.options.send({ type, sdp: { type, sdp: description.sdp } });
    if (type === 'offer') this.armOfferRetry(session, description.sdp, OFFER_RETRIES);
  }

  /** Sends `sdp` again while it is still our unanswered offer on `session` (file comment). */
  private armOfferRetry(session: Session, sdp: string, retries: number): void {
    this.clearOfferRetry();
    if (retries <= 0) return;
    this.offerRetryTimer = setTimeout(() => {
      this.offerRetryTimer = null;
      const pc = session.pc;
      if (session !== this.session || this.closed || pc.signalingState !== 'have-local-offer' || pc.localDescription?.sdp !== sdp) return;
      // A seed answers every offer with a brand-new connection: a second copy of a slow offer
      // would make it drop the one our first answer belongs to.
      if (this.options.isSeedLike()) return;
      this.options.log(`no answer from ${this.remoteId} in ${this.options.offerRetryMs ?? OFFER_RETRY_MS} ms: sending the offer again`);
      this.options.send({ type: 'offer', sdp: { type: 'offer', sdp } });
      this.armOfferRetry(session, sdp, retries - 1);
    }, this.options.offerRetryMs ?? OFFER_RETRY_MS);
  }

  /** Restarts ICE when the negotiated connection is still 'new' after connectTimeoutMs (file comment). */
  private armConnectWatch(session: Session): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    const timeout = this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null;
      const pc = session.pc;
      if (session !== this.session || this.closed || pc.connectionState !== 'new') return;
      if (pc.signalingState !== 'stable') {
        this.armConnectWatch(session); // still negotiating: look again later
        return;
      }
      if (session.connectRetries >= CONNECT_RETRIES) return;
      session.connectRetries += 1;
      this.options.log(`no ICE with ${this.remoteId} ${timeout} ms after negotiating: restarting`);
      this.restart();
      if (this.session === session) this.armConnectWatch(session);
    }, timeout);
  }

  private clearOfferRetry(): void {
    if (this.offerRetryTimer === null) return;
    clearTimeout(this.offerRetryTimer);
    this.offerRetryTimer = null;
  }

  private async onDescription(current: Session, description: RTCSessionDescriptionInit): Promise<void> {
    if (current !== this.session || this.closed) return;
    if (description.type === 'offer' && current.negotiated && this.options.isSeedLike()) {
      this.options.log(`ignoring an offer from ${this.remoteId}'s abandoned connection`);
      return;
    }
    const readyForOffer = !current.makingOffer && (current.pc.signalingState === 'stable' || current.settingRemoteAnswer);
    const offerCollision = description.type === 'offer' && !readyForOffer;
    current.ignoreOffer = !this.polite && offerCollision;
    if (current.ignoreOffer) return;
    // Polite in a glare before anything was negotiated: answer on a fresh connection.
    const session = offerCollision && !current.negotiated ? this.replaceForGlare(current) : current;
    const pc = session.pc;

    session.settingRemoteAnswer = description.type === 'answer';
    try {
      await pc.setRemoteDescription(description); // an offer in have-local-offer rolls back implicitly
    } finally {
      session.settingRemoteAnswer = false;
    }
    session.negotiated = true;
    this.armConnectWatch(session);
    await this.flushCandidates(session);
    if (description.type !== 'offer') return;
    // Answerer: our tracks take the transceivers the offer created, so the answer carries them.
    this.attachTracks(session);
    await pc.setLocalDescription();
    this.sendLocalDescription(session);
  }

  /** Drops `old`, whose offer collided with the remote's first offer, for a fresh connection (file comment). */
  private replaceForGlare(old: Session): Session {
    this.options.log(`glare with ${this.remoteId} before any answer: answering its offer on a fresh connection`);
    const fresh = this.swapSession();
    fresh.pendingCandidates = old.pendingCandidates;
    old.pendingCandidates = [];
    old.successor = fresh;
    this.clearOfferRetry();
    return fresh;
  }

  private async onCandidate(session: Session, candidate: RTCIceCandidateInit | null): Promise<void> {
    if (session !== this.session || this.closed) return;
    if (!session.pc.remoteDescription) {
      session.pendingCandidates.push(candidate);
      return;
    }
    await this.addCandidate(session, candidate);
  }

  private async flushCandidates(session: Session): Promise<void> {
    const pending = session.pendingCandidates;
    session.pendingCandidates = [];
    for (const candidate of pending) await this.addCandidate(session, candidate);
  }

  private async addCandidate(session: Session, candidate: RTCIceCandidateInit | null): Promise<void> {
    try {
      // No argument = end of candidates (null is not accepted by every browser).
      await (candidate ? session.pc.addIceCandidate(candidate) : session.pc.addIceCandidate());
    } catch (error) {
      // Candidates of an offer we ignored, or of a seed's abandoned connection, are expected to fail.
      if (!session.ignoreOffer && !this.options.isSeedLike()) {
        this.options.log(`ICE candidate from ${this.remoteId} rejected`, error);
      }
    }
  }

  private onTrack(session: Session, event: RTCTrackEvent): void {
    for (const stream of event.streams) {
      if (session.streams.has(stream.id)) continue;
      session.streams.set(stream.id, stream);
      stream.addEventListener('removetrack', () => {
        if (stream.getTracks().length > 0 || session.streams.get(stream.id) !== stream) return;
        session.streams.delete(stream.id);
        if (session === this.session) this.options.onChange();
      });
    }
    this.options.onChange();
  }

  private onConnectionState(session: Session): void {
    const state = session.pc.connectionState;
    if (state !== this.connection) {
      this.connection = state;
      this.options.onChange();
    }
    if (state === 'failed') {
      this.clearDisconnectedTimer();
      this.restart();
    } else if (state === 'disconnected') {
      if (this.disconnectedTimer !== null) return;
      this.disconnectedTimer = setTimeout(() => {
        this.disconnectedTimer = null;
        if (session === this.session && !this.closed && session.pc.connectionState === 'disconnected') {
          this.restart();
        }
      }, this.options.disconnectedGraceMs ?? DISCONNECTED_GRACE_MS);
    } else {
      this.clearDisconnectedTimer();
    }
  }

  /** ICE restart; with a seed, a fresh connection (see the file comment). */
  private restart(): void {
    if (this.closed) return;
    this.options.log(`restarting ICE with ${this.remoteId}`);
    if (this.options.isSeedLike()) {
      this.rebuild();
    } else {
      this.session.pc.restartIce();
    }
  }

  private clearDisconnectedTimer(): void {
    if (this.disconnectedTimer === null) return;
    clearTimeout(this.disconnectedTimer);
    this.disconnectedTimer = null;
  }

  private clearTimers(): void {
    this.clearDisconnectedTimer();
    this.clearOfferRetry();
    if (this.connectTimer !== null) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    if (this.answerWaitTimer !== null) {
      clearTimeout(this.answerWaitTimer);
      this.answerWaitTimer = null;
    }
  }
}
