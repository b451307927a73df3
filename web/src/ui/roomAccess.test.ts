// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';

import { captureRoomToken, captureTokenFromLink, forgetRoomPassword, rememberRoomPassword, roomPassword, roomToken, splitToken, tokenSubject } from './roomAccess';

const b64url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const jwt = (claims: Record<string, unknown>) => `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify(claims))}.c2lnbmF0dXJl`;

const TOKEN = jwt({ sub: 'alice', room: 'daily-standup', role: 'moderator', exp: 4_000_000_000 });

afterEach(() => {
  sessionStorage.clear();
  history.replaceState(null, '', '/');
});

describe('room token in the invitation link', () => {
  it('is read from ?token= or #token=, and the rest of the URL is kept', () => {
    expect(splitToken(new URL(`https://p.test/r/k?token=${TOKEN}`))).toEqual({ token: TOKEN, rest: '/r/k' });
    expect(splitToken(new URL(`https://p.test/r/k#token=${TOKEN}`))).toEqual({ token: TOKEN, rest: '/r/k' });
    expect(splitToken(new URL(`https://p.test/r/k?relay=1&token=${TOKEN}#token=other`))).toEqual({ token: TOKEN, rest: '/r/k?relay=1' });
    expect(splitToken(new URL('https://p.test/r/k?relay=1#section'))).toEqual({ token: null, rest: '/r/k?relay=1#section' });
  });

  it('leaves the address bar at once, without a history entry, and is kept per room for this tab', () => {
    history.replaceState(null, '', `/r/daily-standup?token=${TOKEN}&relay=1`);
    const entries = history.length;
    captureRoomToken();
    expect(location.pathname + location.search + location.hash).toBe('/r/daily-standup?relay=1');
    expect(location.href).not.toContain(TOKEN);
    expect(history.length).toBe(entries);
    expect(roomToken('daily-standup')).toBe(TOKEN);
    expect(roomToken('another-room')).toBeNull();
    // A reload finds it in sessionStorage, not in the URL.
    captureRoomToken();
    expect(roomToken('daily-standup')).toBe(TOKEN);
  });

  it('is taken from the fragment as well', () => {
    history.replaceState(null, '', `/r/daily-standup#token=${TOKEN}`);
    captureRoomToken();
    expect(location.href).toBe(`${location.origin}/r/daily-standup`);
    expect(roomToken('daily-standup')).toBe(TOKEN);
  });

  it('is removed from a URL that names no room, and not kept', () => {
    history.replaceState(null, '', `/?token=${TOKEN}`);
    captureRoomToken();
    expect(location.search).toBe('');
    expect(sessionStorage.length).toBe(0);
  });

  it('is kept when its link is pasted into "join"', () => {
    captureTokenFromLink(`https://p.test/r/daily-standup?token=${TOKEN}`, 'daily-standup');
    expect(roomToken('daily-standup')).toBe(TOKEN);
  });

  it('names us: its sub is our member id', () => {
    expect(tokenSubject(TOKEN)).toBe('alice');
    expect(tokenSubject(jwt({ sub: '김철수-7', room: '*' }))).toBe('김철수-7');
    for (const bad of ['', 'not-a-jwt', 'a.b.c', jwt({ room: 'x' }), jwt({ sub: 42 }), jwt({ sub: '' })]) {
      expect(tokenSubject(bad), bad).toBeNull();
    }
  });
});

describe('room password', () => {
  it('is remembered per room for this tab, and forgotten on request', () => {
    rememberRoomPassword('r1', 'open sesame');
    expect(roomPassword('r1')).toBe('open sesame');
    expect(roomPassword('r2')).toBeNull();
    forgetRoomPassword('r1');
    expect(roomPassword('r1')).toBeNull();
  });
});
