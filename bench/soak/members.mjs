// One simulated meeting member: a @stomp/stompjs Client over a raw WebSocket (/ws or
// /stomp/websocket) or over sockjs-client (websocket, xhr-streaming or xhr-polling transport),
// subscribed to one room. The clients come from tests/node_modules (scripts/deps.sh tests).

import { createRequire } from 'node:module';

const requireFromTests = createRequire(new URL('../../tests/package.json', import.meta.url));
const { Client } = requireFromTests('@stomp/stompjs');
const WebSocket = requireFromTests('ws');
const SockJS = requireFromTests('sockjs-client');

export { WebSocket };

export const STOMP_SUBPROTOCOLS = ['v12.stomp', 'v11.stomp', 'v10.stomp'];

export const roomDest = (key) => `/exchange/chat.exchange/room.${key}`;
export const chatDest = (key) => `/chat/room.${key}`;

// transport name -> how to open it
export const TRANSPORTS = {
  ws: (srv) => new WebSocket(`${srv.wsBase}/ws`, STOMP_SUBPROTOCOLS),
  'stomp-websocket': (srv) => new WebSocket(`${srv.wsBase}/stomp/websocket`, STOMP_SUBPROTOCOLS),
  'sockjs-websocket': (srv) => new SockJS(`${srv.httpUrl}/stomp`, null, { transports: ['websocket'] }),
  'sockjs-xhr-streaming': (srv) => new SockJS(`${srv.httpUrl}/stomp`, null, { transports: ['xhr-streaming'] }),
  'sockjs-xhr-polling': (srv) => new SockJS(`${srv.httpUrl}/stomp`, null, { transports: ['xhr-polling'] }),
};

// A Chrome-like SDP announcing one stream (parley learns the leave's streamId from a=msid).
export function fakeSdp(type, streamId) {
  const sdp = [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    `a=msid-semantic: WMS ${streamId}`,
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'c=IN IP4 0.0.0.0',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    'a=mid:0',
    'a=sendrecv',
    `a=msid:${streamId} ${streamId}-audio`,
    'a=rtpmap:111 opus/48000/2',
    '',
  ].join('\r\n');
  return { type, sdp };
}

let receiptSeq = 0;

// Who parley still counts as a member of room `key` (x-presence), over a raw /ws STOMP
// session that does not join: [{from, nickname}], or null if no answer within timeoutMs.
export function presence(server, key, timeoutMs = 3000) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${server.wsBase}/ws`, STOMP_SUBPROTOCOLS);
    const done = (peers) => {
      clearTimeout(timer);
      ws.terminate();
      resolve(peers);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    let text = '';
    ws.on('error', () => done(null));
    ws.on('open', () => {
      ws.send('CONNECT\naccept-version:1.2\nhost:127.0.0.1\n\n\0');
      ws.send(`SUBSCRIBE\nid:0\ndestination:${roomDest(key)}\nx-presence:true\n\n\0`);
    });
    ws.on('message', (data) => {
      text += data.toString('utf8');
      const m = /\n\n(\{"type":"peers".*?\})\0/.exec(text);
      if (m) done(JSON.parse(m[1]).peers);
    });
  });
}

export class Member {
  // handlers: onMessage(member, json), onError(member, frame), onClosed(member, event)
  constructor({ id, nickname, room, transport, heartbeat, server, handlers }) {
    this.id = id;
    this.nickname = nickname;
    this.room = room;
    this.transport = transport;
    this.streamId = `${id}-stream`;
    this.state = 'connecting'; // connecting -> joining -> joined; departing / closed at any time
    this.departing = false; // set once the harness decided it leaves (or it died)
    this.departMode = null;
    this.sentSdp = false;
    this.deliveredSdp = false;
    this.sdpDeliveredBeforeDepart = false;
    this.leavesSeen = new Set();
    this.expectError = null; // RegExp of an ERROR this member provokes on purpose
    this.socket = null;
    this.handlers = handlers;
    this.client = new Client({
      webSocketFactory: () => {
        this.socket = TRANSPORTS[transport](server);
        return this.socket;
      },
      connectHeaders: { host: '127.0.0.1' },
      heartbeatIncoming: heartbeat,
      heartbeatOutgoing: heartbeat,
      reconnectDelay: 0,
      connectionTimeout: 0,
      debug: () => {},
    });
    this.client.onStompError = (frame) => handlers.onError(this, frame);
    this.client.onWebSocketClose = (evt) => {
      const was = this.state;
      this.state = 'closed';
      handlers.onClosed(this, evt, was);
    };
    this.client.onWebSocketError = () => {};
  }

  // CONNECT, SUBSCRIBE (with receipt), join; resolves once the join echo came back.
  join(timeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.id} (${this.transport}): no join echo within ${timeoutMs} ms (state ${this.state})`)), timeoutMs);
      this.joined = () => {
        clearTimeout(timer);
        resolve();
      };
      this.failJoin = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      this.client.onConnect = () => {
        this.state = 'joining';
        const receipt = `r-${++receiptSeq}`;
        this.client.watchForReceipt(receipt, () => this.send({ type: 'join', from: this.id, nickname: this.nickname }));
        this.subscription = this.client.subscribe(roomDest(this.room.key), (msg) => this.onFrame(msg), { receipt });
      };
      this.client.activate();
    });
  }

  onFrame(msg) {
    let json;
    try {
      json = JSON.parse(msg.body);
    } catch {
      this.handlers.onGarbled(this, msg.body);
      return;
    }
    if (this.state === 'joining' && json.type === 'join' && json.from === this.id) {
      this.state = 'joined';
      this.joined?.();
      return;
    }
    this.handlers.onMessage(this, json);
  }

  send(body) {
    this.client.publish({ destination: chatDest(this.room.key), body: JSON.stringify(body) });
  }

  // DISCONNECT (with receipt; stompjs closes the socket after it).
  disconnect() {
    return this.client.deactivate().catch(() => {});
  }

  unsubscribe() {
    this.subscription?.unsubscribe();
  }

  // No DISCONNECT, no close handshake: the TCP connection just goes away (for the SockJS HTTP
  // transports: the receiving request is aborted and the session is left to time out).
  destroy() {
    const s = this.socket;
    try {
      if (s instanceof WebSocket) s.terminate();
      else if (s?._transport?.ws?._stream) s._transport.ws._stream.destroy();
      else s?.close();
    } catch {
      // already gone
    }
    return this.client.deactivate({ force: true }).catch(() => {});
  }
}
