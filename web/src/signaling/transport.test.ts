/* eslint-disable @typescript-eslint/no-non-null-assertion -- tests: a missing value fails the test either way */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stompTransport, type TransportHandlers } from './transport';

/** Just enough of a browser WebSocket for @stomp/stompjs. */
class FakeWebSocket {
  static readonly instances: FakeWebSocket[] = [];
  readyState = 0;
  binaryType = 'blob';
  readonly sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  constructor(
    readonly url = 'ws://parley.test/ws',
    readonly protocols: string[] = [],
  ) {
    FakeWebSocket.instances.push(this);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.serverClose(1000);
  }
  // ---- the server's side ----
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  frame(command: string, headers: Record<string, string>, body = ''): void {
    const head = Object.entries(headers).map(([k, v]) => `${k}:${v}`);
    this.onmessage?.({ data: `${command}\n${head.join('\n')}\n\n${body}\0` });
  }
  serverClose(code: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason: '', wasClean: code === 1000 });
  }
  frames(command: string): { headers: Record<string, string>; body: string }[] {
    return this.sent
      .filter((raw) => raw.startsWith(`${command}\n`))
      .map((raw) => {
        const [head = '', body = ''] = raw.split('\n\n');
        const headers = Object.fromEntries(
          head.split('\n').slice(1).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]),
        );
        return { headers, body: body.replace(/\0$/, '') };
      });
  }
}

function handlers() {
  const calls = { connected: 0, connectedHeaders: [] as Record<string, string>[], errors: [] as string[], closed: [] as string[] };
  const h: TransportHandlers = {
    onConnected: (headers) => {
      calls.connected++;
      calls.connectedHeaders.push(headers);
    },
    onError: (m) => calls.errors.push(m),
    onClosed: (r) => calls.closed.push(r),
  };
  return { calls, h };
}

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** close() of a connected transport, the server answering the DISCONNECT's receipt. */
async function closeConnected(ws: FakeWebSocket, transport: { close(): Promise<void> }): Promise<void> {
  const closing = transport.close();
  const receipt = ws.frames('DISCONNECT')[0]?.headers['receipt'];
  if (receipt) ws.frame('RECEIPT', { 'receipt-id': receipt });
  await closing;
}

afterEach(() => {
  FakeWebSocket.instances.length = 0;
  vi.unstubAllGlobals();
});

describe('stompTransport', () => {
  it('opens ws with the v12.stomp subprotocol when given only a URL', async () => {
    vi.stubGlobal('WebSocket', FakeWebSocket);
    const { h } = handlers();
    const transport = stompTransport({ url: 'ws://parley.test/ws' })(h);
    await flush();
    expect(FakeWebSocket.instances[0]?.url).toBe('ws://parley.test/ws');
    expect(FakeWebSocket.instances[0]?.protocols).toEqual(['v12.stomp']);
    await transport.close();
  });

  it('speaks STOMP 1.2 with 10 s heart-beats, subscribes with headers, relays messages', async () => {
    const { calls, h } = handlers();
    const transport = stompTransport({ url: 'unused', webSocketFactory: () => new FakeWebSocket() as unknown as WebSocket })(h);
    await flush();
    const ws = FakeWebSocket.instances[0]!;
    ws.open();
    const connect = ws.frames('CONNECT')[0];
    expect(connect?.headers['accept-version']).toBe('1.2');
    expect(connect?.headers['heart-beat']).toBe('10000,10000');
    ws.frame('CONNECTED', { version: '1.2', 'heart-beat': '0,0', server: 'parley/test' });
    expect(calls.connected).toBe(1);

    const received: string[] = [];
    transport.subscribe('/exchange/chat.exchange/room.r1', { 'x-presence': 'true', 'x-history': 'true' }, (b) => received.push(b));
    const sub = ws.frames('SUBSCRIBE')[0];
    expect(sub?.headers).toMatchObject({
      destination: '/exchange/chat.exchange/room.r1',
      'x-presence': 'true',
      'x-history': 'true',
    });
    ws.frame('MESSAGE', { destination: '/exchange/chat.exchange/room.r1', subscription: sub!.headers['id']!, 'message-id': '1' }, '{"type":"peers","peers":[]}');
    expect(received).toEqual(['{"type":"peers","peers":[]}']);

    transport.publish('/chat/room.r1', '{"type":"join","from":"me","nickname":"나"}');
    expect(ws.frames('SEND')[0]).toMatchObject({ headers: { destination: '/chat/room.r1' }, body: '{"type":"join","from":"me","nickname":"나"}' });

    ws.frame('ERROR', { message: 'room full (max 16 members)' });
    expect(calls.errors).toEqual(['room full (max 16 members)']);
    ws.serverClose(1000);
    expect(calls.closed).toHaveLength(1);
    await flush();
    expect(FakeWebSocket.instances).toHaveLength(1); // no reconnect of its own
  });

  it('drops publishes while not connected, and reports nothing after close()', async () => {
    const { calls, h } = handlers();
    const transport = stompTransport({ url: 'unused', webSocketFactory: () => new FakeWebSocket() as unknown as WebSocket })(h);
    await flush();
    const ws = FakeWebSocket.instances[0]!;
    transport.publish('/chat/room.r1', '{}');
    ws.open();
    ws.frame('CONNECTED', { version: '1.2' });
    const closing = transport.close();
    const disconnect = ws.frames('DISCONNECT')[0];
    expect(disconnect).toBeDefined();
    ws.frame('RECEIPT', { 'receipt-id': disconnect!.headers['receipt']! });
    await closing;
    expect(ws.readyState).toBe(3);
    expect(calls.closed).toEqual([]);
    expect(ws.frames('SEND')).toEqual([]);
  });

  it('sends no login or passcode on CONNECT unless given a room token', async () => {
    const { h } = handlers();
    const transport = stompTransport({ url: 'unused', webSocketFactory: () => new FakeWebSocket() as unknown as WebSocket })(h);
    await flush();
    FakeWebSocket.instances[0]!.open();
    const connect = FakeWebSocket.instances[0]!.frames('CONNECT')[0]!;
    expect(connect.headers).not.toHaveProperty('passcode');
    expect(connect.headers).not.toHaveProperty('login');
    await transport.close();
  });

  it('puts the room token on CONNECT as passcode and hands the CONNECTED headers over', async () => {
    const { calls, h } = handlers();
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln';
    const transport = stompTransport({ url: 'unused', webSocketFactory: () => new FakeWebSocket() as unknown as WebSocket })(h, {
      login: 'parley',
      passcode: token,
    });
    await flush();
    const ws = FakeWebSocket.instances[0]!;
    ws.open();
    expect(ws.frames('CONNECT')[0]!.headers).toMatchObject({ login: 'parley', passcode: token });
    ws.frame('CONNECTED', { version: '1.2', 'user-name': 'alice', 'x-parley-role': 'moderator' });
    expect(calls.connectedHeaders[0]).toMatchObject({ 'user-name': 'alice', 'x-parley-role': 'moderator' });
    await closeConnected(ws, transport);
  });

  it('sends x-room-password on the SUBSCRIBE it is given', async () => {
    const { h } = handlers();
    const transport = stompTransport({ url: 'unused', webSocketFactory: () => new FakeWebSocket() as unknown as WebSocket })(h);
    await flush();
    const ws = FakeWebSocket.instances[0]!;
    ws.open();
    ws.frame('CONNECTED', { version: '1.2' });
    transport.subscribe('/exchange/chat.exchange/room.r1', { 'x-presence': 'true', 'x-room-password': 's3cret' }, () => undefined);
    expect(ws.frames('SUBSCRIBE')[0]!.headers).toMatchObject({ 'x-room-password': 's3cret' });
    await closeConnected(ws, transport);
  });
});
