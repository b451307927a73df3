// SockJS echo load generator: N sessions, each keeping `window` messages in flight against a
// sockjs-protocol "echo" service, for a fixed time. Speaks the wire protocol directly (no
// sockjs-client), so both servers see exactly the same client.
//
//   node load.mjs --base http://127.0.0.1:8080/echo --transport websocket|xhr-streaming
//                 [--sessions 50] [--window 4] [--size 64] [--seconds 10] [--server-pid PID]
//
// Prints one JSON line: messages/s, latency percentiles (ms), and, with --server-pid, the
// server's CPU time per 10k messages and its RSS.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

import WebSocket from 'ws';

const { values: opt } = parseArgs({
  options: {
    base: { type: 'string' },
    transport: { type: 'string', default: 'websocket' },
    sessions: { type: 'string', default: '50' },
    window: { type: 'string', default: '4' },
    size: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    'server-pid': { type: 'string' },
  },
});
const base = new URL(opt.base);
const sessions = Number(opt.sessions);
const window = Number(opt.window);
const seconds = Number(opt.seconds);
const warmup = Number(opt.warmup);
const filler = 'x'.repeat(Math.max(0, Number(opt.size) - 24));
const agent = new http.Agent({ keepAlive: true, maxSockets: sessions * 2 + 8 });

let measuring = false;
let stopping = false;
let count = 0;
const latencies = [];

function payload() {
  return `${process.hrtime.bigint()}|${filler}`;
}

function received(message) {
  const sent = BigInt(message.slice(0, message.indexOf('|')));
  if (measuring) {
    count += 1;
    latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
  }
}

// Splits a SockJS frame stream into frames; calls onMessages for every a[...] frame.
function onFrame(frame, onMessages) {
  if (frame.startsWith('a')) onMessages(JSON.parse(frame.slice(1)));
  else if (frame.startsWith('c')) throw new Error(`server closed the session: ${frame}`);
}

const randomId = () => Math.random().toString(36).slice(2, 10);

function websocketSession() {
  return new Promise((resolve, reject) => {
    const url = `ws://${base.host}${base.pathname}/000/${randomId()}/websocket`;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('error', reject);
    ws.on('message', (data) => {
      const frame = data.toString();
      if (frame === 'o') {
        resolve();
        for (let i = 0; i < window; i++) ws.send(JSON.stringify([payload()]));
        return;
      }
      onFrame(frame, (messages) => {
        for (const m of messages) {
          received(m);
          if (stopping) ws.close();
          else ws.send(JSON.stringify([payload()]));
        }
      });
    });
  });
}

function post(path, body, onResponse) {
  const req = http.request(
    { host: base.hostname, port: base.port, path, method: 'POST', agent,
      headers: { 'Content-Type': 'text/plain' } },
    onResponse,
  );
  req.on('error', () => {});
  req.end(body);
  return req;
}

function xhrStreamingSession() {
  return new Promise((resolve, reject) => {
    const path = `${base.pathname}/000/${randomId()}`;
    const send = () => {
      if (stopping) return;
      post(`${path}/xhr_send`, JSON.stringify([payload()]), (res) => {
        if (res.statusCode !== 204) reject(new Error(`xhr_send answered ${res.statusCode}`));
        res.resume();
      });
    };
    let opened = false;
    const receive = () => {
      if (stopping) return;
      post(`${path}/xhr_streaming`, '', (res) => {
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buffered += chunk;
          let nl;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const frame = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            if (frame === 'o' && !opened) {
              opened = true;
              resolve();
              for (let i = 0; i < window; i++) send();
            } else if (frame.startsWith('a')) {
              onFrame(frame, (messages) => {
                for (const m of messages) {
                  received(m);
                  send();
                }
              });
            }
          }
        });
        res.on('end', receive); // response limit reached: the next one continues the session
      });
    };
    receive();
  });
}

function serverStats(pid) {
  if (!pid) return null;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  return { cpuMs: (ticks * 1000) / 100, rssKb };
}

const open = opt.transport === 'websocket' ? websocketSession : xhrStreamingSession;
await Promise.all(Array.from({ length: sessions }, open));
await new Promise((r) => setTimeout(r, warmup * 1000));
const before = serverStats(opt['server-pid']);
measuring = true;
const started = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, seconds * 1000));
measuring = false;
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
const after = serverStats(opt['server-pid']);
stopping = true;

latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
const result = {
  transport: opt.transport,
  sessions,
  window,
  size: Number(opt.size),
  messages: count,
  msgs_per_s: Math.round(count / elapsed),
  p50_ms: Number(pct(50).toFixed(2)),
  p99_ms: Number(pct(99).toFixed(2)),
};
if (before && after) {
  result.server_cpu_ms_per_10k = Number((((after.cpuMs - before.cpuMs) / count) * 1e4).toFixed(1));
  result.server_rss_mb = Number((after.rssKb / 1024).toFixed(1));
}
console.log(JSON.stringify(result));
setTimeout(() => process.exit(0), 200);
