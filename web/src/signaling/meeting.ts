// The signaling core: one STOMP connection to the room (docs/PROTOCOL.md), one Peer per remote
// member, and the reconnect policy. The UI talks to it through MeetingApi (types.ts).

import { backoffDelay } from './backoff';
import { Peer, type IncomingSignal, type LocalTrack, type PeerRole, type PeerSignal } from './peer';
import {
  CLIENT_MARK,
  parseRoomMessage,
  roomSendDestination,
  roomTopic,
  type ChatWireMessage,
  type MediaKind,
  type RoomMessage,
} from './protocol';
import { stompTransport, type Transport, type TransportFactory } from './transport';
import type {
  ChatMessage,
  ConnectionStatus,
  MediaState,
  MeetingApi,
  MeetingErrorKind,
  MeetingEvents,
  MeetingOptions,
  MemberRole,
  Participant,
} from './types';

/** Optional collaborators, for tests and diagnostics; production code passes none. */
export interface MeetingDeps {
  /** Replaces the @stomp/stompjs connection (one Transport per connection attempt). */
  transport?: TransportFactory;
  /** [0, 1) source for the backoff jitter. */
  random?: () => number;
  now?: () => number;
  log?: (message: string, error?: unknown) => void;
  /** How long a newcomer waits for an existing member's offer before offering itself. */
  answerWaitMs?: number;
}

/** Consecutive failed connection attempts before 'server-unreachable' is reported. */
export const UNREACHABLE_AFTER_FAILURES = 3;
/**
 * How long "identity taken" may persist before it is reported. A reconnect can race with the
 * server still holding our dead session; the server drops it after 2 × the 10 s heart-beat.
 */
export const IDENTITY_GRACE_MS = 25_000;

/** 128 random bits, hex: the secret that proves a reconnect is this same client. */
export function makeResumeSecret(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
export const STATS_INTERVAL_MS = 1000;
/** setInterval may fire a little early by Date.now(): a tick that early still polls. */
const STATS_TIMER_SLACK_MS = 50;
const CHAT_OUTBOX_LIMIT = 50;

const DEFAULT_REMOTE_MEDIA: MediaState = { audio: true, video: true, screen: false };

/** Refusals that no retry can fix: the Meeting stops instead of reconnecting. */
export const FINAL_ERRORS: ReadonlySet<MeetingErrorKind> = new Set<MeetingErrorKind>([
  'room-full',
  'auth-required',
  'token-expired',
  'token-invalid',
  'token-wrong-room',
  'password-required',
  'password-wrong',
  'removed',
]);

/** The server's ERROR `message` names the rule that was broken; its first words say which. */
export function classifyServerError(message: string): MeetingErrorKind {
  const m = message.toLowerCase();
  if (m.startsWith('room full')) return 'room-full';
  if (m.startsWith('identity taken')) return 'identity-taken';
  if (m.startsWith('authentication required')) return 'auth-required';
  if (m.startsWith('invalid token: token expired')) return 'token-expired';
  if (m.startsWith('invalid token:')) return 'token-invalid';
  if (m.startsWith('token does not grant room')) return 'token-wrong-room';
  if (/^room '[^']*' requires a password/.test(m)) return 'password-required';
  if (m.startsWith('wrong password for room')) return 'password-wrong';
  if (m.startsWith('removed from room')) return 'removed';
  return 'protocol';
}

interface Member {
  id: string;
  nickname: string;
  media: MediaState;
  screenStreamId: string | null;
  /** Every stream id this member ever announced as a screen: never taken for its camera. */
  screenStreamIds: Set<string>;
  /** Sent `media`, or a signal marked `client: "parley"`: a Parley client, not the seed. */
  parley: boolean;
  peer: Peer | null;
}

type Listeners = { [K in keyof MeetingEvents]: Set<MeetingEvents[K]> };

export class Meeting implements MeetingApi {
  private readonly options: MeetingOptions;
  private readonly resumeSecret: string;
  private readonly transportFactory: TransportFactory;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly log: (message: string, error?: unknown) => void;
  private readonly answerWaitMs: number | undefined;
  private readonly listeners: Listeners = {
    status: new Set(),
    participants: new Set(),
    chat: new Set(),
    history: new Set(),
    error: new Set(),
    role: new Set(),
    moderation: new Set(),
    localMedia: new Set(),
  };

  private status: ConnectionStatus = 'connecting';
  private role: MemberRole = 'member';
  private started = false;
  private closed = false;
  private transport: Transport | null = null;
  /** Bumped per connection attempt; callbacks of older transports are ignored. */
  private generation = 0;
  /** Attempts since the last successful join: the backoff exponent. */
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private failuresBeforeConnect = 0;
  private unreachableReported = false;
  private identityTakenSince: number | null = null;
  private identityTakenReported = false;
  private lastProtocolError: string | null = null;
  private historyReceived = false;
  private chatOutbox: string[] = [];
  private chatSeq = 0;

  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private statsInFlight = false;
  private lastStatsAt = Number.NEGATIVE_INFINITY;

  private readonly members = new Map<string, Member>();
  /** Every nickname seen, by member id: a `kick` may name someone whose `leave` came first. */
  private readonly nicknames = new Map<string, string>();
  /** What we send: camera/mic tracks and, while sharing, the screen tracks. */
  private readonly local = new Map<string, LocalTrack>();
  private screenStream: MediaStream | null = null;
  private media: MediaState;

  constructor(options: MeetingOptions, deps: MeetingDeps = {}) {
    this.options = options;
    this.resumeSecret = makeResumeSecret();
    this.transportFactory =
      deps.transport ??
      stompTransport({
        url: options.url,
        ...(options.webSocketFactory ? { webSocketFactory: options.webSocketFactory } : {}),
      });
    this.random = deps.random ?? Math.random;
    this.now = deps.now ?? (() => Date.now());
    this.log = deps.log ?? ((message, error) => console.warn(`[parley] ${message}`, error ?? ''));
    this.answerWaitMs = deps.answerWaitMs;
    this.media = { ...options.media, screen: false };
    for (const kind of ['audio', 'video'] as const) {
      const track = options.localStream.getTracks().find((t) => t.kind === kind);
      if (track) this.local.set(`camera:${kind}`, { key: `camera:${kind}`, track, stream: options.localStream });
    }
  }

  on<K extends keyof MeetingEvents>(event: K, handler: MeetingEvents[K]): () => void {
    const set = this.listeners[event] as Set<MeetingEvents[K]>;
    set.add(handler);
    return () => set.delete(handler);
  }

  join(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.setStatus('connecting');
    this.statsTimer = setInterval(() => void this.pollStats(), STATS_INTERVAL_MS);
    this.connect();
  }

  async leave(): Promise<void> {
    if (this.closed) return;
    if (this.status === 'connected') this.publish({ type: 'leave', from: this.options.id });
    await this.shutdown();
  }

  sendChat(text: string): void {
    if (this.closed || text.length === 0) return;
    if (this.status !== 'connected') {
      // Sent on (re)connect; our own line appears when the server echoes it.
      if (this.chatOutbox.length < CHAT_OUTBOX_LIMIT) this.chatOutbox.push(text);
      return;
    }
    this.publishChat(text);
  }

  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    const key = `camera:${kind}`;
    const local: LocalTrack | null = track ? { key, track, stream: this.options.localStream } : null;
    if (local) this.local.set(key, local);
    else this.local.delete(key);
    await Promise.all(this.peers().map((peer) => peer.replaceTrack(local, key)));
  }

  async startScreenShare(stream: MediaStream): Promise<void> {
    if (this.closed) return;
    if (this.screenStream) await this.stopScreenShare();
    this.screenStream = stream;
    const tracks = stream.getTracks().map((track) => ({ key: `screen:${track.id}`, track, stream }));
    for (const local of tracks) this.local.set(local.key, local);
    // Announce the stream id before the tracks arrive, so receivers file them as the screen.
    this.media = { ...this.media, screen: true };
    this.sendMedia();
    for (const peer of this.peers()) for (const local of tracks) peer.addLocalTrack(local);
    // The browser's own "Stop sharing" button ends the track.
    for (const { track } of tracks) {
      track.addEventListener('ended', () => {
        if (this.screenStream === stream) void this.stopScreenShare();
      });
    }
  }

  async stopScreenShare(): Promise<void> {
    if (!this.screenStream) return;
    this.screenStream = null;
    const keys = [...this.local.keys()].filter((key) => key.startsWith('screen:'));
    for (const key of keys) {
      this.local.delete(key);
      for (const peer of this.peers()) peer.removeLocalTrack(key);
    }
    this.media = { ...this.media, screen: false };
    this.sendMedia();
  }

  /** `screen` is ours to know (start/stopScreenShare); the UI's value for it is ignored. */
  setMedia(media: MediaState): void {
    this.media = { audio: media.audio, video: media.video, screen: this.screenStream !== null };
    this.sendMedia();
  }

  kick(target: string): void {
    if (this.closed) return;
    this.publish({ type: 'kick', from: this.options.id, target });
  }

  mute(target: string, kind: MediaKind): void {
    if (this.closed) return;
    this.publish({ type: 'mute', from: this.options.id, target, kind });
  }

  /** Each remote member's current RTCPeerConnection, by member id (tests and diagnostics). */
  peerConnections(): Map<string, RTCPeerConnection> {
    const out = new Map<string, RTCPeerConnection>();
    for (const member of this.members.values()) if (member.peer) out.set(member.id, member.peer.peerConnection);
    return out;
  }

  // ---- connection ----

  private connect(): void {
    this.reconnectTimer = null;
    const generation = ++this.generation;
    let reachedServer = false;
    const current = () => generation === this.generation && !this.closed;
    // A room token goes on every CONNECT; without one we connect exactly as an open server expects.
    const { token } = this.options;
    const connectHeaders: Record<string, string> = token ? { login: 'parley', passcode: token } : {};
    this.transport = this.transportFactory({
      onConnected: (headers) => {
        if (!current()) return;
        reachedServer = true;
        this.onConnected(generation, headers);
      },
      onError: (message) => {
        if (current()) this.onServerError(message);
      },
      onClosed: (reason) => {
        if (current()) this.onTransportClosed(reason, reachedServer);
      },
    }, connectHeaders);
  }

  private onConnected(generation: number, connected: Record<string, string>): void {
    const userName = connected['user-name'];
    if (userName !== undefined && userName !== this.options.id) {
      this.log(`the server knows us as "${userName}", but we send "${this.options.id}"`);
    }
    this.setRole(connected['x-parley-role'] === 'moderator' ? 'moderator' : 'member');
    const headers: Record<string, string> = { 'x-presence': 'true' };
    if (!this.historyReceived) headers['x-history'] = 'true';
    if (this.options.roomPassword) headers['x-room-password'] = this.options.roomPassword;
    this.transport?.subscribe(roomTopic(this.options.roomKey), headers, (body) => {
      if (generation === this.generation && !this.closed) this.onRoomMessage(body);
    });
    // `resume` (a PROTOCOL.md extension) lets this join take our id back at once when the
    // server still holds our previous, dead connection; the server never relays it.
    this.publish({
      type: 'join',
      from: this.options.id,
      nickname: this.options.nickname,
      resume: this.resumeSecret,
    });
  }

  private onServerError(message: string): void {
    const kind = classifyServerError(message);
    if (kind === 'removed') {
      this.onRemoved(message);
      return;
    }
    if (FINAL_ERRORS.has(kind)) {
      this.emit('error', { kind, message });
      void this.shutdown();
      return;
    }
    if (kind === 'identity-taken') {
      // Usually our own previous session, not yet dropped by the server: keep retrying.
      const now = this.now();
      this.identityTakenSince ??= now;
      if (!this.identityTakenReported && now - this.identityTakenSince >= IDENTITY_GRACE_MS) {
        this.identityTakenReported = true;
        this.emit('error', { kind, message });
      }
      return;
    }
    if (message !== this.lastProtocolError) {
      this.lastProtocolError = message;
      this.emit('error', { kind, message });
    }
  }

  private onTransportClosed(reason: string, reachedServer: boolean): void {
    this.transport = null;
    if (reachedServer) {
      this.failuresBeforeConnect = 0;
    } else if (++this.failuresBeforeConnect >= UNREACHABLE_AFTER_FAILURES && !this.unreachableReported) {
      this.unreachableReported = true;
      this.emit('error', { kind: 'server-unreachable', message: `cannot reach ${this.options.url}: ${reason}` });
    }
    if (this.status === 'connected') this.setStatus('reconnecting');
    const delay = backoffDelay(this.attempt++, this.random);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** Our own join came back: the subscription is live and the server accepted our id. */
  private onJoined(): void {
    if (this.status === 'connected') return;
    this.attempt = 0;
    this.failuresBeforeConnect = 0;
    this.unreachableReported = false;
    this.identityTakenSince = null;
    this.identityTakenReported = false;
    this.lastProtocolError = null;
    this.setStatus('connected');
    this.sendMedia();
    const outbox = this.chatOutbox;
    this.chatOutbox = [];
    for (const text of outbox) this.publishChat(text);
  }

  /** A moderator removed us: no rejoin, and nothing of ours keeps running. */
  private onRemoved(message: string): void {
    if (this.closed) return;
    for (const track of this.options.localStream.getTracks()) track.stop();
    for (const track of this.screenStream?.getTracks() ?? []) track.stop();
    void this.shutdown();
    this.emit('error', { kind: 'removed', message });
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.generation++;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    if (this.statsTimer !== null) clearInterval(this.statsTimer);
    this.reconnectTimer = null;
    this.statsTimer = null;
    for (const peer of this.peers()) peer.close();
    const hadMembers = this.members.size > 0;
    this.members.clear();
    if (hadMembers) this.emitParticipants();
    this.setStatus('closed');
    const transport = this.transport;
    this.transport = null;
    await transport?.close();
  }

  // ---- room messages ----

  private onRoomMessage(body: string): void {
    const message = parseRoomMessage(body);
    if (!message) {
      this.log(`ignoring a malformed room message: ${body.slice(0, 200)}`);
      return;
    }
    this.dispatch(message);
  }

  private dispatch(message: RoomMessage): void {
    const self = this.options.id;
    switch (message.type) {
      case 'peers':
        this.onPeers(message.peers.filter((p) => p.from !== self));
        return;
      case 'history':
        if (this.historyReceived) return;
        this.historyReceived = true;
        this.emit('history', message.messages.map((m) => this.toChat(m)));
        return;
      case 'message':
        this.emit('chat', this.toChat(message));
        return;
      case 'join':
        if (message.from === self) this.onJoined();
        else this.onMemberJoined(message.from, message.nickname);
        return;
      case 'leave':
        this.onMemberLeft(message.from);
        return;
      case 'media':
        this.onMedia(message.from, message);
        return;
      case 'kick':
        this.onKick(message.from, message.target);
        return;
      case 'mute':
        this.onMute(message.from, message.target, message.kind);
        return;
      case 'offer':
      case 'answer':
      case 'ice': {
        if (message.target !== self || message.from === self) return;
        const signal: IncomingSignal =
          message.type === 'ice'
            ? { type: 'ice', iceCandidate: message.iceCandidate }
            : { type: message.type, description: message.description };
        this.onSignal(message.from, signal, message.parley);
        return;
      }
    }
  }

  /** The presence list on (re)subscribe: everyone in it will offer to us when they see our join. */
  private onPeers(peers: { from: string; nickname: string }[]): void {
    const previous = new Map(this.members);
    for (const member of previous.values()) member.peer?.close();
    this.members.clear();
    for (const p of peers) {
      this.nicknames.set(p.from, p.nickname);
      const known = previous.get(p.from);
      const member: Member = {
        id: p.from,
        nickname: p.nickname,
        media: known?.media ?? DEFAULT_REMOTE_MEDIA,
        screenStreamId: known?.screenStreamId ?? null,
        screenStreamIds: known?.screenStreamIds ?? new Set(),
        parley: known?.parley ?? false,
        peer: null,
      };
      this.members.set(p.from, member);
      member.peer = this.createPeer(member, 'answerer');
    }
    this.emitParticipants();
  }

  private onMemberJoined(id: string, nickname: string): void {
    const member = this.members.get(id) ?? {
      id,
      nickname,
      media: DEFAULT_REMOTE_MEDIA,
      screenStreamId: null,
      screenStreamIds: new Set<string>(),
      parley: false,
      peer: null,
    };
    member.nickname = nickname;
    this.nicknames.set(id, nickname);
    this.members.set(id, member);
    // A join from a known member means it reconnected with a fresh connection: start over.
    member.peer?.close();
    // Before the offer, so the newcomer knows us as a Parley client (and our screen stream id).
    this.sendMedia();
    member.peer = this.createPeer(member, 'offerer');
    this.emitParticipants();
  }

  private onMemberLeft(id: string): void {
    const member = this.members.get(id);
    if (!member) return;
    member.peer?.close();
    this.members.delete(id);
    this.emitParticipants();
  }

  private onMedia(id: string, media: { audio: boolean; video: boolean; screen: boolean; screenStreamId: string | null }): void {
    const member = this.members.get(id);
    if (!member) return;
    member.parley = true;
    member.media = { audio: media.audio, video: media.video, screen: media.screen };
    if (media.screenStreamId !== null) member.screenStreamIds.add(media.screenStreamId);
    if (media.screenStreamId !== null || !media.screen) member.screenStreamId = media.screenStreamId;
    this.emitParticipants();
  }

  private onKick(by: string, target: string): void {
    if (target === this.options.id) {
      this.onRemoved(`removed from room by moderator ${by}`);
      return;
    }
    const nickname = this.nicknames.get(target) ?? target;
    // The server follows with the target's `leave`; dropping the member now changes nothing then.
    this.onMemberLeft(target);
    this.emit('moderation', { action: 'kick', by, target, nickname });
  }

  private onMute(by: string, target: string, kind: MediaKind): void {
    const self = target === this.options.id;
    const nickname = self ? this.options.nickname : (this.nicknames.get(target) ?? target);
    if (self && this.media[kind]) {
      // Exactly what the UI's button does: the track goes silent / dark, and the room hears of it.
      const tracks = kind === 'audio' ? this.options.localStream.getAudioTracks() : this.options.localStream.getVideoTracks();
      for (const track of tracks) track.enabled = false;
      this.media = { ...this.media, [kind]: false };
      this.sendMedia();
      this.emit('localMedia', { ...this.media });
    }
    this.emit('moderation', { action: 'mute', by, target, nickname, kind, self });
  }

  private onSignal(from: string, signal: IncomingSignal, parley: boolean): void {
    let member = this.members.get(from);
    if (!member) {
      // Only an offer can open a connection; its sender joined before we subscribed.
      if (signal.type !== 'offer') return;
      member = {
        id: from,
        nickname: from,
        media: DEFAULT_REMOTE_MEDIA,
        screenStreamId: null,
        screenStreamIds: new Set(),
        parley: false,
        peer: null,
      };
      this.members.set(from, member);
      member.peer = this.createPeer(member, 'answerer');
      this.emitParticipants();
    }
    // Before the peer sees it: politeness depends on it (peer.ts).
    if (parley) member.parley = true;
    void member.peer?.handleSignal(signal);
  }

  private createPeer(member: Member, role: PeerRole): Peer {
    const { iceServers, iceTransportPolicy } = this.options;
    const config: RTCConfiguration = { iceServers, ...(iceTransportPolicy ? { iceTransportPolicy } : {}) };
    const create = this.options.createPeerConnection ?? ((c: RTCConfiguration) => new RTCPeerConnection(c));
    return new Peer({
      selfId: this.options.id,
      remoteId: member.id,
      role,
      createPeerConnection: () => create(config),
      send: (signal) => this.sendSignal(member.id, signal),
      localTracks: () => [...this.local.values()],
      isSeedLike: () => !member.parley,
      onChange: () => {
        if (this.members.get(member.id) === member) this.emitParticipants();
      },
      log: this.log,
      ...(this.answerWaitMs !== undefined ? { answerWaitMs: this.answerWaitMs } : {}),
    });
  }

  private sendSignal(target: string, signal: PeerSignal): void {
    const from = this.options.id;
    const client = CLIENT_MARK;
    if (signal.type === 'ice') {
      this.publish({ type: 'ice', from, target, iceCandidate: signal.iceCandidate, client });
    } else {
      this.publish({ type: signal.type, from, target, sdp: signal.sdp, client });
    }
  }

  private sendMedia(): void {
    if (this.status !== 'connected') return; // sent when our join comes back
    const { audio, video, screen } = this.media;
    const message: Record<string, unknown> = { type: 'media', from: this.options.id, audio, video, screen };
    if (this.screenStream) message['screenStreamId'] = this.screenStream.id;
    this.publish(message);
  }

  private publishChat(text: string): void {
    this.publish({ type: 'message', from: this.options.id, nickname: this.options.nickname, msg: text });
  }

  private publish(message: Record<string, unknown>): void {
    this.transport?.publish(roomSendDestination(this.options.roomKey), JSON.stringify(message));
  }

  // ---- stats ----

  /** One timer per Meeting; a slow getStats() never overlaps the next poll. */
  private async pollStats(): Promise<void> {
    const now = this.now();
    if (this.statsInFlight || now - this.lastStatsAt < STATS_INTERVAL_MS - STATS_TIMER_SLACK_MS) return;
    this.statsInFlight = true;
    this.lastStatsAt = now;
    try {
      const changed = await Promise.all(
        this.peers().map((peer) =>
          peer.pollStats().catch((error: unknown) => {
            this.log(`getStats for ${peer.remoteId} failed`, error);
            return false;
          }),
        ),
      );
      if (changed.some(Boolean) && !this.closed) this.emitParticipants();
    } finally {
      this.statsInFlight = false;
    }
  }

  // ---- events ----

  private peers(): Peer[] {
    return [...this.members.values()].flatMap((m) => (m.peer ? [m.peer] : []));
  }

  private toChat(m: ChatWireMessage): ChatMessage {
    return {
      id: `chat-${++this.chatSeq}`,
      from: m.from,
      nickname: m.nickname,
      text: m.msg,
      at: m.at ?? this.now(),
      self: m.from === this.options.id,
    };
  }

  private participant(member: Member): Participant {
    const streams = member.peer?.remoteStreams ?? [];
    const screenId = member.media.screen ? member.screenStreamId : null;
    return {
      id: member.id,
      nickname: member.nickname,
      stream: streams.find((s) => !member.screenStreamIds.has(s.id)) ?? null,
      screen: screenId === null ? null : (streams.find((s) => s.id === screenId) ?? null),
      media: { ...member.media },
      connection: member.peer?.connection ?? 'new',
      quality: member.peer?.quality ?? 'unknown',
    };
  }

  private emitParticipants(): void {
    this.emit('participants', [...this.members.values()].map((m) => this.participant(m)));
  }

  private setRole(role: MemberRole): void {
    if (role === this.role) return;
    this.role = role;
    this.emit('role', role);
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.status && status !== 'connecting') return;
    this.status = status;
    this.emit('status', status);
  }

  private emit<K extends keyof MeetingEvents>(event: K, ...args: Parameters<MeetingEvents[K]>): void {
    for (const handler of [...this.listeners[event]]) {
      try {
        (handler as (...a: Parameters<MeetingEvents[K]>) => void)(...args);
      } catch (error) {
        this.log(`a '${event}' handler threw`, error);
      }
    }
  }
}
