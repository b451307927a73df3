import { afterEach, describe, expect, it, vi } from 'vitest';

import { checkSupport, fetchIceServers, iceTransportPolicy, webSocketUrl } from './env';
import { captureSize, classifyMediaError } from './media';

function fakeWindow(overrides: Record<string, unknown>): Window & typeof globalThis {
  return {
    isSecureContext: true,
    RTCPeerConnection: function RTCPeerConnection() {},
    WebSocket: function WebSocket() {},
    navigator: { mediaDevices: { getUserMedia: () => undefined } },
    ...overrides,
  } as unknown as Window & typeof globalThis;
}

describe('environment', () => {
  it('WebSocket URL follows the page scheme and host', () => {
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/ws');
    expect(webSocketUrl({ protocol: 'https:', host: 'meet.example' })).toBe('wss://meet.example/ws');
  });

  it('a modern browser on a secure page is supported', () => {
    expect(checkSupport(fakeWindow({}))).toBeNull();
  });

  it('an insecure page (http on a LAN address) is explained as such', () => {
    expect(checkSupport(fakeWindow({ isSecureContext: false }))).toEqual({ reason: 'insecure' });
  });

  it('missing features are named', () => {
    const result = checkSupport(fakeWindow({ RTCPeerConnection: undefined, navigator: {} }));
    expect(result).toEqual({ reason: 'missing', features: ['WebRTC (RTCPeerConnection)', 'getUserMedia'] });
  });
});

describe('ICE configuration', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('relay-only with ?relay=1, the browser default otherwise', () => {
    expect(iceTransportPolicy('?relay=1&lowres=1')).toBe('relay');
    expect(iceTransportPolicy('?relay=0')).toBeUndefined();
    expect(iceTransportPolicy('')).toBeUndefined();
  });

  it('asks for ICE servers with the member id, so the TURN username names the member', async () => {
    const servers = [{ urls: ['turn:turn.test:3478'], username: '1:m-1', credential: 'c' }];
    const fetchMock = vi.fn(() => Promise.resolve(new Response(JSON.stringify({ iceServers: servers, ttl: 3600 }))));
    vi.stubGlobal('fetch', fetchMock);
    expect(await fetchIceServers('m-1')).toEqual(servers);
    expect(fetchMock).toHaveBeenCalledWith('/api/ice-servers?id=m-1', expect.anything());
  });

  it('no ICE servers when the answer is not the JSON list', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(new Response('<html></html>'))));
    expect(await fetchIceServers('m-1')).toEqual([]);
  });
});

describe('media', () => {
  it('640×360@24 by default, 320×240@15 with ?lowres=1', () => {
    expect(captureSize('')).toEqual({ width: 640, height: 360, frameRate: 24 });
    expect(captureSize('?lowres=1')).toEqual({ width: 320, height: 240, frameRate: 15 });
  });

  it('getUserMedia errors map to what the person can do about them', () => {
    const err = (name: string) => Object.assign(new Error('x'), { name });
    expect(classifyMediaError(err('NotAllowedError'))).toBe('denied');
    expect(classifyMediaError(err('NotFoundError'))).toBe('not-found');
    expect(classifyMediaError(err('OverconstrainedError'))).toBe('not-found');
    expect(classifyMediaError(err('NotReadableError'))).toBe('in-use');
    expect(classifyMediaError(err('TypeError'))).toBe('other');
    expect(classifyMediaError('weird')).toBe('other');
  });
});
