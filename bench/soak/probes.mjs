// Garbage probes: short-lived connections that break the protocol on purpose, each with the
// answer PROTOCOL.md promises (an ERROR naming the rule, then close; an HTTP status; a SockJS
// close). None of them may disturb the members.

import net from 'node:net';
import http from 'node:http';

import { STOMP_SUBPROTOCOLS, WebSocket } from './members.mjs';

const NUL = '\0';
const frame = (command, headers = {}, body = '') =>
  `${command}\n${Object.entries(headers)
    .map(([k, v]) => `${k}:${v}\n`)
    .join('')}\n${body}${NUL}`;
const CONNECT = frame('CONNECT', { 'accept-version': '1.2', host: '127.0.0.1' });

// Raw STOMP over /ws: sends `messages` (after the WebSocket opens, CONNECT first unless
// connect: false), resolves with {error: message header of the first ERROR or null, closed}.
function rawStompProbe(srv, messages, { connect = true, timeoutMs = 4000, linger = false } = {}) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${srv.wsBase}/ws`, STOMP_SUBPROTOCOLS);
    let text = '';
    let error = null;
    const done = (closed) => {
      clearTimeout(timer);
      if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
      resolve({ error, closed });
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    ws.on('error', () => {});
    ws.on('open', () => {
      if (connect) ws.send(CONNECT);
      for (const m of messages) ws.send(m);
      if (linger === 'destroy') done(true);
    });
    ws.on('message', (data) => {
      text += data.toString('utf8');
      const m = /(?:^|\0|\n)ERROR\n(?:[^\n]*\n)*?message:([^\n]*)\n/.exec(text);
      if (m && error === null) error = m[1];
    });
    ws.on('close', () => done(true));
  });
}

// An ERROR whose message matches `re`, then the server closes.
const expectError = (re) => (r) =>
  r.error !== null && re.test(r.error) && r.closed ? null : `expected ERROR /${re.source}/ and close, got ${JSON.stringify(r)}`;

function httpRequest(srv, method, path, body) {
  return new Promise((resolve) => {
    const req = http.request(
      `${srv.httpUrl}${path}`,
      { method, agent: false, headers: { connection: 'close', 'content-type': 'text/plain' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.setTimeout(4000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, text: err.message }));
    req.end(body);
  });
}

const randomId = (rng) => Math.floor(rng() * 2 ** 40).toString(36);

// kind -> async (srv, rng) => null when the server answered as promised, else what went wrong
export const PROBES = {
  'unknown-command': async (srv) =>
    expectError(/command/i)(await rawStompProbe(srv, [frame('HELLO', { x: 'y' })])),

  'send-before-connect': async (srv) =>
    expectError(/CONNECT/)(await rawStompProbe(srv, [frame('SEND', { destination: '/topic/x' }, 'hi')], { connect: false })),

  'oversized-frame': async (srv) =>
    expectError(/65536/)(await rawStompProbe(srv, [frame('SEND', { destination: '/topic/x' }, 'x'.repeat(70_000))])),

  'bad-room-key': async (srv) =>
    expectError(/room/i)(await rawStompProbe(srv, [frame('SUBSCRIBE', { id: '0', destination: '/exchange/chat.exchange/room.bad key!' })])),

  'send-unsubscribed-room': async (srv, rng) =>
    expectError(/subscri/i)(await rawStompProbe(srv, [frame('SEND', { destination: `/chat/room.g-${randomId(rng)}` }, '{"type":"message","msg":"x"}')])),

  'not-json-body': async (srv, rng) => {
    const key = `g-${randomId(rng)}`;
    const r = await rawStompProbe(srv, [
      frame('SUBSCRIBE', { id: '0', destination: `/exchange/chat.exchange/room.${key}` }),
      frame('SEND', { destination: `/chat/room.${key}` }, '{"type": "message", "msg": '),
    ]);
    return expectError(/JSON|object/i)(r);
  },

  'binary-junk': async (srv, rng) => {
    const junk = Buffer.alloc(512);
    for (let i = 0; i < junk.length; i += 1) junk[i] = Math.floor(rng() * 256);
    junk[0] = 0xff; // never a command letter
    junk[junk.length - 1] = 0;
    const r = await rawStompProbe(srv, [junk]);
    return r.error !== null && r.closed ? null : `expected ERROR and close, got ${JSON.stringify(r)}`;
  },

  // half a frame, then the TCP connection goes away: nothing to answer, nothing may linger
  'truncated-frame': async (srv) => {
    await rawStompProbe(srv, [`SEND\ndestination:/topic/x\ncontent-length:100\n\nabc`], { linger: 'destroy' });
    return null;
  },

  'sockjs-ws-not-json': async (srv, rng) =>
    new Promise((resolve) => {
      const ws = new WebSocket(`${srv.wsBase}/stomp/000/${randomId(rng)}/websocket`);
      const timer = setTimeout(() => {
        ws.terminate();
        resolve('no close within 4 s after a non-JSON SockJS message');
      }, 4000);
      ws.on('error', () => {});
      ws.on('message', (data) => {
        if (data.toString() === 'o') ws.send('this is not json');
      });
      ws.on('close', () => {
        clearTimeout(timer);
        resolve(null);
      });
    }),

  'sockjs-send-unknown-session': async (srv, rng) => {
    const r = await httpRequest(srv, 'POST', `/stomp/000/${randomId(rng)}/xhr_send`, '["x"]');
    return r.status === 404 ? null : `expected 404, got ${r.status} ${r.text.slice(0, 80)}`;
  },

  // opens an xhr session, sends broken JSON (500), and abandons it: it must time out
  'sockjs-broken-json': async (srv, rng) => {
    const base = `/stomp/000/${randomId(rng)}`;
    const open = await httpRequest(srv, 'POST', `${base}/xhr`);
    if (open.status !== 200 || !open.text.startsWith('o')) return `xhr open: ${open.status} ${open.text.slice(0, 80)}`;
    const r = await httpRequest(srv, 'POST', `${base}/xhr_send`, '["unterminated');
    return r.status === 500 && /Broken JSON/.test(r.text) ? null : `expected 500 Broken JSON encoding., got ${r.status} ${r.text.slice(0, 80)}`;
  },

  // A request line that is no HTTP: a 4xx or a close. (Resolves on the status line: after a
  // 400 parley keeps the connection for its keep-alive time, which is allowed.)
  'http-garbage': async (srv, rng) =>
    new Promise((resolve) => {
      const sock = net.connect(srv.port, '127.0.0.1');
      let text = '';
      const finish = (result) => {
        clearTimeout(timer);
        sock.destroy();
        resolve(result);
      };
      const timer = setTimeout(() => finish('no answer or close within 4 s to a garbage request line'), 4000);
      sock.on('error', () => {});
      const garbage = rng() < 0.5 ? `\x01\x02${randomId(rng)}\r\n\r\n` : `GET \u00ff${randomId(rng)} HTTP/1.1\r\n\r\n`;
      sock.on('connect', () => sock.write(garbage));
      sock.on('data', (d) => {
        text += d.toString('latin1');
        if (/^HTTP\/1\.1 4\d\d /.test(text)) finish(null);
        else if (text.length >= 12) finish(`unexpected answer ${JSON.stringify(text.slice(0, 80))}`);
      });
      sock.on('close', () => finish(text === '' ? null : `unexpected answer ${JSON.stringify(text.slice(0, 80))}`));
    }),
};

export const PROBE_KINDS = Object.keys(PROBES);
