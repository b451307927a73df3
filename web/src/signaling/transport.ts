// The STOMP connection behind a small interface: one Transport per connection attempt, no
// reconnect of its own (the Meeting owns the reconnect policy), so tests can fake it whole.

import { Client, Versions, type IFrame } from '@stomp/stompjs';

export interface TransportHandlers {
  /** CONNECTED received (its headers: `user-name`, `x-parley-role`); subscribe and publish from here on. */
  onConnected(headers: Record<string, string>): void;
  /** An ERROR frame; `message` is its `message` header (the server names the broken rule). */
  onError(message: string): void;
  /** The socket closed (or never opened). Called at most once, never after close(). */
  onClosed(reason: string): void;
}

export interface Transport {
  subscribe(destination: string, headers: Record<string, string>, onMessage: (body: string) => void): void;
  /** Best effort: dropped when the connection is not up (signaling is rebuilt on reconnect). */
  publish(destination: string, body: string): void;
  /** DISCONNECT and close; resolves when the socket is closed (or after a short grace). */
  close(): Promise<void>;
}

/** `connectHeaders` go on the CONNECT frame (`login` / `passcode` for a room token). */
export type TransportFactory = (handlers: TransportHandlers, connectHeaders?: Record<string, string>) => Transport;

export interface StompTransportOptions {
  url: string;
  webSocketFactory?: () => WebSocket;
  heartbeatMs?: number;
  /** CONNECT → CONNECTED deadline; the server itself allows 10 s. */
  connectTimeoutMs?: number;
  debug?: (message: string) => void;
}

const CLOSE_GRACE_MS = 2000;

/** A TransportFactory over @stomp/stompjs: STOMP 1.2, subprotocol v12.stomp, heart-beats. */
export function stompTransport(options: StompTransportOptions): TransportFactory {
  return (handlers, connectHeaders = {}) => {
    let closed = false;
    let closedReported = false;
    const reportClosed = (reason: string) => {
      if (closed || closedReported) return;
      closedReported = true;
      handlers.onClosed(reason);
    };
    const heartbeat = options.heartbeatMs ?? 10_000;
    const client = new Client({
      // With a brokerURL stompjs opens `new WebSocket(url, ['v12.stomp'])`.
      ...(options.webSocketFactory
        ? { webSocketFactory: options.webSocketFactory }
        : { brokerURL: options.url }),
      stompVersions: new Versions([Versions.V1_2]),
      connectHeaders,
      heartbeatIncoming: heartbeat,
      heartbeatOutgoing: heartbeat,
      connectionTimeout: options.connectTimeoutMs ?? 10_000,
      reconnectDelay: 0, // the Meeting reconnects, with its own backoff
      // A heart-beat timeout means the network is gone: do not wait for a close handshake.
      discardWebsocketOnCommFailure: true,
      debug: options.debug ?? (() => undefined),
      onConnect: (frame: IFrame) => {
        if (!closed) handlers.onConnected({ ...frame.headers });
      },
      onStompError: (frame: IFrame) => {
        if (!closed) handlers.onError(frame.headers['message'] ?? frame.body);
      },
      onWebSocketClose: (event: CloseEvent | undefined) => {
        const code = event?.code;
        reportClosed(code === undefined ? 'connection closed' : `connection closed (${code})`);
      },
    });
    client.activate();
    return {
      subscribe(destination, headers, onMessage) {
        if (closed || !client.connected) return;
        client.subscribe(destination, (message) => onMessage(message.body), headers);
      },
      publish(destination, body) {
        if (closed || !client.connected) return;
        client.publish({ destination, body });
      },
      async close() {
        if (closed) return;
        closed = true;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const grace = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), CLOSE_GRACE_MS);
        });
        const outcome = await Promise.race([client.deactivate().then(() => 'done' as const), grace]);
        clearTimeout(timer);
        if (outcome === 'timeout') await client.deactivate({ force: true });
      },
    };
  };
}
