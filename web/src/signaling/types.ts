// The contract between the signaling core (src/signaling/) and the UI (src/ui/).
// The core owns the STOMP connection, the room protocol (docs/PROTOCOL.md) and one
// RTCPeerConnection per remote member; the UI renders what it reports and calls its methods.

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export type Quality = 'good' | 'fair' | 'poor' | 'unknown';

/** What a member announces about its own media (`media` room message, a Parley extension). */
export interface MediaState {
  audio: boolean; // microphone on
  video: boolean; // camera on
  screen: boolean; // sharing a screen
}

export interface Participant {
  id: string;
  nickname: string;
  /** Camera + microphone stream received from this member, once a track arrived. */
  stream: MediaStream | null;
  /** Screen-share stream received from this member, while it shares. */
  screen: MediaStream | null;
  media: MediaState;
  connection: RTCPeerConnectionState | 'new';
  quality: Quality;
}

export interface ChatMessage {
  id: string; // local unique key for rendering
  from: string | null; // member id when known
  nickname: string;
  text: string;
  at: number; // ms since epoch, receipt time (or the history entry's time when it has one)
  self: boolean;
}

/** From CONNECTED's `x-parley-role`; a server without room tokens makes everyone a member. */
export type MemberRole = 'member' | 'moderator';

export type MeetingErrorKind =
  | 'room-full' // ERROR naming the member limit
  | 'identity-taken' // our id is bound by another session (another tab)
  | 'server-unreachable' // cannot connect at all (after retries: keeps retrying in background)
  | 'auth-required' // the server wants a room token and we have none
  | 'token-expired' // our room token's `exp` has passed
  | 'token-invalid' // any other `invalid token:` refusal
  | 'token-wrong-room' // the token grants another room
  | 'password-required' // the room has a password and we sent none
  | 'password-wrong' // the password we sent is not the room's
  | 'removed' // a moderator removed us (a `kick` naming us, or ERROR `removed from room`)
  | 'protocol'; // any other ERROR frame from the server

export interface MeetingError {
  kind: MeetingErrorKind;
  message: string; // the server's ERROR `message` header, or a transport description
}

/** A moderator acted on someone else, or muted us (removing us ends the meeting: error 'removed'). */
export type ModerationEvent =
  | { action: 'kick'; by: string; target: string; nickname: string }
  | { action: 'mute'; by: string; target: string; nickname: string; kind: 'audio' | 'video'; self: boolean };

export interface MeetingEvents {
  status: (status: ConnectionStatus) => void;
  /** The full list of remote members, whenever anything about any of them changes. */
  participants: (participants: Participant[]) => void;
  chat: (message: ChatMessage) => void;
  /** Chat history replayed on join (x-history), oldest first. */
  history: (messages: ChatMessage[]) => void;
  error: (error: MeetingError) => void;
  /** Our role, whenever a CONNECTED names a different one than we had ('member' at first). */
  role: (role: MemberRole) => void;
  moderation: (event: ModerationEvent) => void;
  /** Our media state changed without the UI asking (a moderator turned our mic or camera off). */
  localMedia: (media: MediaState) => void;
}

export interface MeetingOptions {
  /** WebSocket URL of the STOMP endpoint, e.g. ws://host/ws. */
  url: string;
  roomKey: string;
  /** This member's id (random, stable for the tab) and display name. */
  id: string;
  nickname: string;
  localStream: MediaStream;
  iceServers: RTCIceServer[];
  /** 'relay' gathers TURN candidates only: for tests that must prove the TURN path, and for
   *  deployments that must never expose a member's own addresses to the other members. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  media: MediaState;
  /** Room token (JWT) from the invitation link: the CONNECT `passcode`. Its `sub` must be `id`. */
  token?: string | null;
  /** The room's password, sent as `x-room-password` on SUBSCRIBE. */
  roomPassword?: string | null;
  /** Injected for tests; defaults to the browser's. */
  createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
  webSocketFactory?: () => WebSocket;
}

export interface MeetingApi {
  join(): void;
  leave(): Promise<void>;
  sendChat(text: string): void;
  /** Replace the outgoing camera or microphone track on every peer (device switch). */
  replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void>;
  /** Start sharing a screen: adds the track to every peer (renegotiation). */
  startScreenShare(stream: MediaStream): Promise<void>;
  stopScreenShare(): Promise<void>;
  /** Announce mute / camera-off to the room. */
  setMedia(media: MediaState): void;
  /** Moderators only (the server refuses anyone else): remove a member from the room. */
  kick(target: string): void;
  /** Moderators only: turn a member's microphone or camera off. */
  mute(target: string, kind: 'audio' | 'video'): void;
  on<K extends keyof MeetingEvents>(event: K, handler: MeetingEvents[K]): () => void;
}
