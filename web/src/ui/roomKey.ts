// Room keys: PROTOCOL.md allows 1–64 of [A-Za-z0-9_-]; the ones we make are readable
// ("brave-otter-42") and lowercase so they survive being read aloud or typed on a phone.

const ROOM_KEY = /^[A-Za-z0-9_-]{1,64}$/;

const ADJECTIVES = [
  'brave', 'calm', 'clever', 'bright', 'gentle', 'happy', 'kind', 'lucky', 'merry', 'quick',
  'quiet', 'sunny', 'swift', 'warm', 'wise', 'bold', 'eager', 'fresh', 'grand', 'jolly',
  'lively', 'noble', 'proud', 'royal', 'silver', 'golden', 'amber', 'misty', 'cosmic', 'rapid',
] as const;

const ANIMALS = [
  'otter', 'falcon', 'panda', 'tiger', 'heron', 'koala', 'lynx', 'moose', 'raven', 'seal',
  'whale', 'fox', 'owl', 'crane', 'badger', 'bison', 'dolphin', 'eagle', 'gecko', 'hare',
  'ibis', 'jaguar', 'lemur', 'magpie', 'newt', 'orca', 'puffin', 'quail', 'robin', 'wolf',
] as const;

export function isValidRoomKey(key: string): boolean {
  return ROOM_KEY.test(key);
}

function pick<T>(list: readonly T[], random: () => number): T {
  const item = list[Math.floor(random() * list.length) % list.length];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** "brave-otter-42": 30 × 30 × 90 ≈ 81 000 keys, enough for rooms that live an afternoon. */
export function generateRoomKey(random: () => number = Math.random): string {
  const number = 10 + Math.floor(random() * 90);
  return `${pick(ADJECTIVES, random)}-${pick(ANIMALS, random)}-${number}`;
}

/**
 * What the person typed in "join": a bare key, or a pasted link whose path is /r/<key>.
 * Returns null when it is neither.
 */
export function parseRoomInput(input: string): string | null {
  const text = input.trim();
  if (isValidRoomKey(text)) return text;
  const match = /(?:^|\/)r\/([^/?#\s]+)\/?(?:[?#].*)?$/.exec(text);
  if (!match?.[1]) return null;
  let key: string;
  try {
    key = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  return isValidRoomKey(key) ? key : null;
}

export function roomPath(key: string): string {
  return `/r/${encodeURIComponent(key)}`;
}

export function roomUrl(key: string, origin: string = location.origin): string {
  return `${origin}${roomPath(key)}`;
}
