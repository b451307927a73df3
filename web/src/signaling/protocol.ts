// Room messages (docs/PROTOCOL.md "Room messages"): the JSON bodies on
// /exchange/chat.exchange/room.<key>, parsed defensively because the seed client and other
// members may send anything the server relays.

export const roomTopic = (roomKey: string) => `/exchange/chat.exchange/room.${roomKey}`;
export const roomSendDestination = (roomKey: string) => `/chat/room.${roomKey}`;

export interface JoinMessage {
  type: 'join';
  from: string;
  nickname: string;
}

export interface ChatWireMessage {
  type: 'message';
  from: string | null; // the seed omits it
  nickname: string;
  msg: string;
  /** Optional sender timestamp (ms since epoch); not sent by the seed. */
  at: number | null;
}

/**
 * Our offer / answer / ice carry `client: "parley"` (relayed untouched, like every field the
 * server does not check): the receiver then knows it talks to a Parley client, not the seed,
 * even when our `media` has not reached it yet.
 */
export const CLIENT_MARK = 'parley';

export interface DescriptionMessage {
  type: 'offer' | 'answer';
  from: string;
  target: string;
  /** Sent by a Parley client (`client: "parley"`). */
  parley: boolean;
  /** Normalized: the seed sends {type, sdp}; other clients may send the bare SDP string. */
  description: RTCSessionDescriptionInit;
}

export interface IceMessage {
  type: 'ice';
  from: string;
  target: string;
  parley: boolean;
  /** null = end of candidates. */
  iceCandidate: RTCIceCandidateInit | null;
}

export interface LeaveMessage {
  type: 'leave';
  from: string;
}

/**
 * Parley extension. `screenStreamId` (our addition, relayed untouched by the server, which
 * forwards the raw JSON) is the msid stream id of the sender's screen-share stream, so the
 * receiver can tell it from the camera stream.
 */
export interface MediaMessage {
  type: 'media';
  from: string;
  audio: boolean;
  video: boolean;
  screen: boolean;
  screenStreamId: string | null;
}

export interface PeersMessage {
  type: 'peers';
  peers: { from: string; nickname: string }[];
}

export interface HistoryMessage {
  type: 'history';
  messages: ChatWireMessage[];
}

/** Moderation (a Parley extension): the server relays these only from a moderator. */
export interface KickMessage {
  type: 'kick';
  from: string;
  target: string;
}

export type MediaKind = 'audio' | 'video';

export interface MuteMessage {
  type: 'mute';
  from: string;
  target: string;
  kind: MediaKind;
}

export type RoomMessage =
  | JoinMessage
  | ChatWireMessage
  | DescriptionMessage
  | IceMessage
  | LeaveMessage
  | MediaMessage
  | PeersMessage
  | HistoryMessage
  | KickMessage
  | MuteMessage;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Json, key: string): string | null => (typeof o[key] === 'string' ? (o[key] as string) : null);
const bool = (o: Json, key: string, fallback: boolean): boolean =>
  typeof o[key] === 'boolean' ? (o[key] as boolean) : fallback;

function parseChat(o: Json): ChatWireMessage | null {
  const msg = str(o, 'msg');
  if (msg === null) return null;
  const at = typeof o['at'] === 'number' && Number.isFinite(o['at']) ? o['at'] : null;
  return { type: 'message', from: str(o, 'from'), nickname: str(o, 'nickname') ?? '', msg, at };
}

function parseDescription(o: Json, type: 'offer' | 'answer'): RTCSessionDescriptionInit | null {
  const sdp = o['sdp'];
  if (typeof sdp === 'string') return { type, sdp };
  if (isObject(sdp) && typeof sdp['sdp'] === 'string') return { type, sdp: sdp['sdp'] };
  return null;
}

function parseCandidate(v: unknown): RTCIceCandidateInit | null | undefined {
  if (v === null) return null;
  if (!isObject(v) || typeof v['candidate'] !== 'string') return undefined;
  const c: RTCIceCandidateInit = { candidate: v['candidate'] };
  if (typeof v['sdpMid'] === 'string' || v['sdpMid'] === null) c.sdpMid = v['sdpMid'];
  if (typeof v['sdpMLineIndex'] === 'number' || v['sdpMLineIndex'] === null) c.sdpMLineIndex = v['sdpMLineIndex'];
  if (typeof v['usernameFragment'] === 'string' || v['usernameFragment'] === null) {
    c.usernameFragment = v['usernameFragment'];
  }
  return c;
}

/** Parses one room message body; null for anything malformed or of an unknown type. */
export function parseRoomMessage(body: string): RoomMessage | null {
  let o: unknown;
  try {
    o = JSON.parse(body);
  } catch {
    return null;
  }
  if (!isObject(o)) return null;
  const type = str(o, 'type');
  if (type === 'message') return parseChat(o);
  if (type === 'peers') {
    if (!Array.isArray(o['peers'])) return null;
    const peers = o['peers']
      .filter(isObject)
      .map((p) => ({ from: str(p, 'from'), nickname: str(p, 'nickname') ?? '' }))
      .filter((p): p is { from: string; nickname: string } => p.from !== null);
    return { type, peers };
  }
  if (type === 'history') {
    if (!Array.isArray(o['messages'])) return null;
    const messages = o['messages']
      .filter(isObject)
      .map(parseChat)
      .filter((m): m is ChatWireMessage => m !== null);
    return { type, messages };
  }
  const from = str(o, 'from');
  if (from === null) return null;
  switch (type) {
    case 'join':
      return { type, from, nickname: str(o, 'nickname') ?? '' };
    case 'leave':
      return { type, from };
    case 'media':
      return {
        type,
        from,
        audio: bool(o, 'audio', true),
        video: bool(o, 'video', true),
        screen: bool(o, 'screen', false),
        screenStreamId: str(o, 'screenStreamId'),
      };
    case 'kick': {
      const target = str(o, 'target');
      return target !== null ? { type, from, target } : null;
    }
    case 'mute': {
      const target = str(o, 'target');
      const kind = o['kind'];
      return target !== null && (kind === 'audio' || kind === 'video') ? { type, from, target, kind } : null;
    }
    case 'offer':
    case 'answer': {
      const target = str(o, 'target');
      const description = parseDescription(o, type);
      const parley = o['client'] === CLIENT_MARK;
      return target !== null && description !== null ? { type, from, target, parley, description } : null;
    }
    case 'ice': {
      const target = str(o, 'target');
      const iceCandidate = parseCandidate(o['iceCandidate']);
      const parley = o['client'] === CLIENT_MARK;
      return target !== null && iceCandidate !== undefined ? { type, from, target, parley, iceCandidate } : null;
    }
    default:
      return null;
  }
}
