// Room tokens and room passwords: where the client finds them and where it keeps them.
// A token arrives in the invitation link (/r/<key>?token=<jwt> or #token=<jwt>); it leaves the
// address bar at once (a URL ends up in history, screenshots and Referer) and lives in this
// tab's sessionStorage, per room key, so a reload or a reconnect still has it.
import { parseRoute } from './route';
import { loadSession, removeSession, saveSession, sessionKeys } from './storage';

const TOKEN_PARAM = 'token';

/** The token in `url`'s query or fragment, and the same URL (path, query, hash) without it. */
export function splitToken(url: URL): { token: string | null; rest: string } {
  let token: string | null = null;
  let search = url.search;
  let hash = url.hash;
  const query = new URLSearchParams(url.search);
  if (query.has(TOKEN_PARAM)) {
    token = query.get(TOKEN_PARAM);
    query.delete(TOKEN_PARAM);
    const left = query.toString();
    search = left ? `?${left}` : '';
  }
  const fragment = new URLSearchParams(url.hash.slice(1));
  if (fragment.has(TOKEN_PARAM)) {
    token ??= fragment.get(TOKEN_PARAM);
    fragment.delete(TOKEN_PARAM);
    const left = fragment.toString();
    hash = left ? `#${left}` : '';
  }
  return { token: token || null, rest: `${url.pathname}${search}${hash}` };
}

/**
 * Moves a token from the address bar into sessionStorage (for the room the path names) and
 * rewrites the address without it. Call before anything renders; harmless when there is none.
 */
export function captureRoomToken(win: Pick<Window, 'location' | 'history'> = window): void {
  const url = new URL(win.location.href);
  const { token, rest } = splitToken(url);
  if (rest === `${url.pathname}${url.search}${url.hash}`) return;
  win.history.replaceState(win.history.state, '', rest);
  const route = parseRoute(url.pathname);
  if (token && route.name === 'room') rememberRoomToken(route.key, token);
}

/** A link pasted into "join" may carry a token too: keep it for its room. */
export function captureTokenFromLink(link: string, roomKey: string): void {
  let url: URL;
  try {
    url = new URL(link.trim(), 'http://link.invalid');
  } catch {
    return;
  }
  const { token } = splitToken(url);
  if (token) rememberRoomToken(roomKey, token);
}

export function rememberRoomToken(roomKey: string, token: string): void {
  saveSession(sessionKeys.token(roomKey), token);
}

export function roomToken(roomKey: string): string | null {
  return loadSession(sessionKeys.token(roomKey));
}

/**
 * The token's `sub`: our member id in the room (the server binds us to it). The signature is the
 * server's to check; the client only reads the claim. Null when the token is not a readable JWT.
 */
export function tokenSubject(token: string): string | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='));
    const claims: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    if (typeof claims !== 'object' || claims === null || !('sub' in claims)) return null;
    return typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : null;
  } catch {
    return null;
  }
}

export function roomPassword(roomKey: string): string | null {
  return loadSession(sessionKeys.password(roomKey));
}

/** Kept only once the server accepted it. */
export function rememberRoomPassword(roomKey: string, password: string): void {
  saveSession(sessionKeys.password(roomKey), password);
}

export function forgetRoomPassword(roomKey: string): void {
  removeSession(sessionKeys.password(roomKey));
}
