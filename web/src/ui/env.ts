// What the page needs from its environment: browser features, the server's endpoints,
// and this tab's member id.
import { keys, load } from './storage';

export type Unsupported = { reason: 'insecure' } | { reason: 'missing'; features: string[] };

export function checkSupport(w: Window & typeof globalThis = window): Unsupported | null {
  if (!w.isSecureContext) return { reason: 'insecure' };
  const missing: string[] = [];
  if (typeof w.RTCPeerConnection !== 'function') missing.push('WebRTC (RTCPeerConnection)');
  if (typeof w.navigator.mediaDevices?.getUserMedia !== 'function') missing.push('getUserMedia');
  if (typeof w.WebSocket !== 'function') missing.push('WebSocket');
  return missing.length ? { reason: 'missing', features: missing } : null;
}

export function webSocketUrl(loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

/** STUN/TURN from the server when it offers them; none otherwise. `id` names the member in
 *  the TURN username (`<expiry>:<id>`), so the TURN server's log says whose relay it is. */
export async function fetchIceServers(id?: string): Promise<RTCIceServer[]> {
  try {
    const query = id ? `?id=${encodeURIComponent(id)}` : '';
    const response = await fetch(`/api/ice-servers${query}`, { headers: { accept: 'application/json' } });
    if (response.status !== 200) return [];
    const body: unknown = await response.json();
    if (body && typeof body === 'object' && 'iceServers' in body && Array.isArray(body.iceServers)) {
      return body.iceServers as RTCIceServer[];
    }
    return [];
  } catch {
    return []; // not served yet (or the SPA fallback answered with HTML)
  }
}

/** `?relay=1` or localStorage parley.relay=1: TURN relay candidates only (tests that must prove
 *  the TURN path; locked-down deployments that never reveal a member's own address). */
export function iceTransportPolicy(search: string = location.search): RTCIceTransportPolicy | undefined {
  const relay = new URLSearchParams(search).get('relay') === '1' || load(keys.relay) === '1';
  return relay ? 'relay' : undefined;
}

function randomId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}

/** Stable for the tab (survives reload); a duplicated tab copies it, hence `fresh`. */
export function memberId(fresh = false): string {
  const key = 'parley.member-id';
  try {
    const stored = sessionStorage.getItem(key);
    if (stored && !fresh) return stored;
    const id = randomId();
    sessionStorage.setItem(key, id);
    return id;
  } catch {
    return randomId();
  }
}
