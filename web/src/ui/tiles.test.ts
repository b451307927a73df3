import { describe, expect, it } from 'vitest';

import type { Participant } from '../signaling/types';
import { buildTiles, spotlightKey } from './tiles';

const stream = {} as MediaStream;
const on = { audio: true, video: true, screen: false };

function participant(id: string, screen = false): Participant {
  return {
    id,
    nickname: id.toUpperCase(),
    stream,
    screen: screen ? stream : null,
    media: { ...on, screen },
    connection: 'connected',
    quality: 'good',
  };
}

const self = { id: 'me', name: 'Me', stream, screen: null, media: on };

describe('tiles', () => {
  it('self first, then one camera tile per member', () => {
    const tiles = buildTiles(self, [participant('a'), participant('b')]);
    expect(tiles.map((t) => t.key)).toEqual(['me:camera', 'a:camera', 'b:camera']);
    expect(tiles[0]).toMatchObject({ self: true, quality: null });
    expect(tiles[1]).toMatchObject({ self: false, name: 'A', quality: 'good' });
  });

  it('shared screens come first, remote before our own', () => {
    const tiles = buildTiles({ ...self, screen: stream }, [participant('a', true)]);
    expect(tiles.map((t) => t.key)).toEqual(['a:screen', 'me:screen', 'me:camera', 'a:camera']);
  });

  it('a member without a stream yet shows as connecting', () => {
    const tiles = buildTiles(self, [{ ...participant('a'), stream: null, connection: 'connecting' }]);
    expect(tiles[1]?.connecting).toBe(true);
  });

  it('spotlight: the pinned tile, else a shared screen, else none', () => {
    const tiles = buildTiles(self, [participant('a', true), participant('b')]);
    expect(spotlightKey(tiles, 'b:camera')).toBe('b:camera');
    expect(spotlightKey(tiles, null)).toBe('a:screen');
    expect(spotlightKey(tiles, 'left:camera')).toBe('a:screen');
    expect(spotlightKey(buildTiles(self, [participant('b')]), null)).toBeNull();
  });
});
