// Fake STOMP transports for the Meeting tests: a scripted one (the test plays the server) and
// an in-memory room that applies the server's room rules (docs/PROTOCOL.md) between clients.

import type { Transport, TransportFactory, TransportHandlers } from '../transport';

type Body = Record<string, unknown>;

interface Subscription {
  destination: string;
  headers: Record<string, string>;
  onMessage: (body: string) => void;
}

/** One connection attempt; the test decides what the server says. */
export class ScriptedTransport implements Transport {
  readonly subscriptions: Subscription[] = [];
  readonly published: { destination: string; body: Body }[] = [];
  closed = false;
  constructor(
    readonly handlers: TransportHandlers,
    /** What the client put on its CONNECT frame. */
    readonly connectHeaders: Record<string, string> = {},
  ) {}

  subscribe(destination: string, headers: Record<string, string>, onMessage: (body: string) => void): void {
    this.subscriptions.push({ destination, headers, onMessage });
  }
  publish(destination: string, body: string): void {
    this.published.push({ destination, body: JSON.parse(body) as Body });
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  // ---- the server's side ----
  /** CONNECTED, with the headers a server adds (`user-name`, `x-parley-role`). */
  connect(headers: Record<string, string> = {}): void {
    this.handlers.onConnected(headers);
  }
  deliver(message: Body): void {
    for (const s of this.subscriptions) s.onMessage(JSON.stringify(message));
  }
  /** ERROR frame, then the server closes the connection. */
  fail(message: string): void {
    this.handlers.onError(message);
    this.drop();
  }
  drop(reason = 'connection closed (1006)'): void {
    this.handlers.onClosed(reason);
  }
  sent(type?: string): Body[] {
    return this.published.map((p) => p.body).filter((b) => type === undefined || b['type'] === type);
  }
}

export class ScriptedServer {
  readonly transports: ScriptedTransport[] = [];
  readonly factory: TransportFactory = (handlers, connectHeaders) => {
    const transport = new ScriptedTransport(handlers, connectHeaders);
    this.transports.push(transport);
    return transport;
  };
  get current(): ScriptedTransport {
    const t = this.transports.at(-1);
    if (!t) throw new Error('no connection attempt yet');
    return t;
  }
}

class RoomSession implements Transport {
  memberId: string | null = null;
  onMessage: ((body: string) => void) | null = null;
  closed = false;
  constructor(
    private readonly room: FakeRoom,
    readonly handlers: TransportHandlers,
  ) {}
  subscribe(_destination: string, headers: Record<string, string>, onMessage: (body: string) => void): void {
    this.onMessage = onMessage;
    this.room.subscribed(this, headers);
  }
  publish(_destination: string, body: string): void {
    if (this.closed) return;
    queueMicrotask(() => this.room.handle(this, JSON.parse(body) as Body));
  }
  close(): Promise<void> {
    this.room.disconnect(this);
    return Promise.resolve();
  }
}

/** An in-memory room with the server's rules; deliveries are asynchronous and in order. */
export class FakeRoom {
  readonly sessions = new Set<RoomSession>();
  readonly history: Body[] = [];
  /** Every message the room routed: [recipient member id or '?', body]. */
  readonly log: [string, Body][] = [];
  maxMembers = 16;
  reachable = true;

  readonly factory: TransportFactory = (handlers) => {
    const session = new RoomSession(this, handlers);
    queueMicrotask(() => {
      if (!this.reachable) {
        session.closed = true;
        handlers.onClosed('connection refused');
        return;
      }
      this.sessions.add(session);
      handlers.onConnected({});
    });
    return session;
  };

  /** The network under a member drops: the server notices and tells the room. */
  drop(memberId: string): void {
    const session = [...this.sessions].find((s) => s.memberId === memberId);
    if (!session) throw new Error(`${memberId} is not connected`);
    this.disconnect(session);
    session.handlers.onClosed('connection closed (1006)');
  }

  members(): string[] {
    return [...this.sessions].flatMap((s) => (s.memberId ? [s.memberId] : []));
  }

  subscribed(session: RoomSession, headers: Record<string, string>): void {
    if (headers['x-presence'] === 'true') {
      const peers = [...this.sessions]
        .filter((s) => s !== session && s.memberId)
        .map((s) => ({ from: s.memberId, nickname: `nick-${s.memberId}` }));
      this.send(session, { type: 'peers', peers });
    }
    if (headers['x-history'] === 'true') this.send(session, { type: 'history', messages: [...this.history] });
  }

  disconnect(session: RoomSession): void {
    if (session.closed) return;
    session.closed = true;
    this.sessions.delete(session);
    if (session.memberId) this.broadcast({ type: 'leave', from: session.memberId, streamId: null }, session);
  }

  handle(session: RoomSession, body: Body): void {
    if (session.closed) return;
    const type = body['type'];
    const from = typeof body['from'] === 'string' ? body['from'] : null;
    if (type === 'join') {
      if (!session.memberId) {
        if (this.members().includes(from ?? '')) return this.error(session, `identity taken: "${from}" is already in room`);
        if (this.members().length >= this.maxMembers) return this.error(session, `room full (max ${this.maxMembers} members)`);
        session.memberId = from;
      }
      return this.broadcast(body);
    }
    if (type === 'message') {
      this.history.push(body);
      return this.broadcast(body);
    }
    if (!session.memberId || from !== session.memberId) return this.error(session, `join the room before sending ${String(type)}`);
    if (type === 'offer' || type === 'answer' || type === 'ice') {
      const target = [...this.sessions].find((s) => s.memberId === body['target']);
      if (target) this.send(target, body);
      return;
    }
    if (type === 'media') return this.broadcast(body, session);
    if (type === 'leave') {
      session.memberId = null;
      return this.broadcast({ type: 'leave', from, streamId: null }, session);
    }
    this.error(session, `unknown room message type "${String(type)}"`);
  }

  private error(session: RoomSession, message: string): void {
    session.handlers.onError(message);
    this.disconnect(session);
    session.handlers.onClosed('connection closed (1000)');
  }

  private broadcast(body: Body, except?: RoomSession): void {
    for (const s of this.sessions) if (s !== except) this.send(s, body);
  }

  private send(session: RoomSession, body: Body): void {
    this.log.push([session.memberId ?? '?', body]);
    const text = JSON.stringify(body);
    queueMicrotask(() => {
      if (!session.closed) session.onMessage?.(text);
    });
  }
}
