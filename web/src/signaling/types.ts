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

export type MeetingErrorKind =
  | 'room-full' // ERROR naming the member limit
  | 'identity-taken' // our id is bound by another session (another tab)
  | 'server-unreachable' // cannot connect at all (after retries: keeps retrying in background)
  | 'protocol'; // any other ERROR frame from the server

export interface MeetingError {
  kind: MeetingErrorKind;
  message: string; // the server's ERROR `message` header, or a transport description
}

export interface MeetingEvents {
  status: (status: ConnectionStatus) => void;
  /** The full list of remote members, whenever anything about any of them changes. */
  participants: (participants: Participant[]) => void;
  chat: (message: ChatMessage) => void;
  /** Chat history replayed on join (x-history), oldest first. */
  history: (messages: ChatMessage[]) => void;
  error: (error: MeetingError) => void;
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
  on<K extends keyof MeetingEvents>(event: K, handler: MeetingEvents[K]): () => void;
}
