// What the stage shows: one tile per camera (self included) and one per shared screen.
import type { MediaState, Participant, Quality } from '../signaling/types';

export interface TileModel {
  key: string; // `${memberId}:camera` | `${memberId}:screen`
  memberId: string;
  kind: 'camera' | 'screen';
  self: boolean;
  name: string;
  stream: MediaStream | null;
  media: MediaState;
  quality: Quality | null; // null for our own tiles
  connecting: boolean;
}

export interface Self {
  id: string;
  name: string;
  stream: MediaStream;
  screen: MediaStream | null;
  media: MediaState;
}

export function buildTiles(self: Self, participants: readonly Participant[]): TileModel[] {
  const screens: TileModel[] = [];
  const cameras: TileModel[] = [
    {
      key: `${self.id}:camera`,
      memberId: self.id,
      kind: 'camera',
      self: true,
      name: self.name,
      stream: self.stream,
      media: self.media,
      quality: null,
      connecting: false,
    },
  ];
  if (self.screen) {
    screens.push({
      key: `${self.id}:screen`,
      memberId: self.id,
      kind: 'screen',
      self: true,
      name: self.name,
      stream: self.screen,
      media: self.media,
      quality: null,
      connecting: false,
    });
  }
  for (const p of participants) {
    const connecting = !p.stream && p.connection !== 'failed' && p.connection !== 'closed';
    cameras.push({
      key: `${p.id}:camera`,
      memberId: p.id,
      kind: 'camera',
      self: false,
      name: p.nickname,
      stream: p.stream,
      media: p.media,
      quality: p.quality,
      connecting,
    });
    if (p.screen) {
      screens.push({
        key: `${p.id}:screen`,
        memberId: p.id,
        kind: 'screen',
        self: false,
        name: p.nickname,
        stream: p.screen,
        media: p.media,
        quality: p.quality,
        connecting: false,
      });
    }
  }
  // Remote screens first: a presentation is what everyone came to see.
  screens.sort((a, b) => Number(a.self) - Number(b.self));
  return [...screens, ...cameras];
}

/** The tile shown large: the pinned one if it still exists, else the first shared screen. */
export function spotlightKey(tiles: readonly TileModel[], pinned: string | null): string | null {
  if (pinned && tiles.some((t) => t.key === pinned)) return pinned;
  return tiles.find((t) => t.kind === 'screen' && !t.self)?.key ?? tiles.find((t) => t.kind === 'screen')?.key ?? null;
}
