// Scale-out cost (issue 7): latency and throughput of targeted room messages (`ice` with a
// `target`) on one parley, on one parley in cluster mode (--amqp), and across two parley nodes
// sharing rooms through one RabbitMQ; numbers go to docs/BENCHMARKS.md "Scale-out (RabbitMQ)".
//
//   a  single    one parley, embedded broker (no --amqp); sender and target on it
//   b  amqp-same node A of a two-node cluster (--amqp); sender and target both on node A
//   c  cross     sender on node A, target on node B: every message goes through RabbitMQ
//
// For each scenario, in one run and on one clock (sender and target live in this process, the
// send time is process.hrtime in the message, iceCandidate.t):
//   - latency at a fixed offered load: --pairs pairs (one room each) × --rate messages/s per
//     sender for --seconds (the first --warmup seconds are not sampled); p50/p90/p99/max of
//     receive time − send time;
//   - throughput: --tp-pairs pairs, each keeping --window messages in flight (no receipts), for
//     --tp-seconds; messages delivered per second, and whether every message sent arrived;
//   - CPU: utime + stime of every parley node (and of RabbitMQ's beam.smp) from /proc/<pid>/stat,
//     per 1000 delivered messages, over the phase (send start to the last delivery).
// Then (unless --conns 0) memory: --conns idle STOMP connections with heart-beats, each a member
// of a room of 8, on the single node and on cluster node A; RSS growth per connection.
//
// Clients are raw STOMP 1.2 over `ws` (no stompjs: the client shares the 2 cores with the
// servers and RabbitMQ, and must stay cheap). parley runs with --threads 1 --rate-limit 0.
//
//   cd bench && node cluster/latency.mjs [--pairs 10] [--rate 50] [--seconds 10] [--warmup 1]
//       [--tp-pairs 4] [--window 32] [--tp-seconds 5] [--conns 2000] [--threads 1] [--rounds 1]
//   (every option also as an environment variable: PAIRS, RATE, SECONDS, ... TP_PAIRS, CONNS)
// Writes bench/cluster/results.json. Needs build/server/parley (PARLEY_BIN overrides) and
// rabbitmq-server (scripts/deps.sh).

import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import WebSocket from 'ws';

import { SERVER_BIN, sleep, startServer, uniqueRoom } from '../../tests/integration/helpers.mjs';
import { startRabbit } from '../../tests/integration/rabbitmq.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const defaults = {
  pairs: 10, rate: 50, seconds: 10, warmup: 1,
  'tp-pairs': 4, window: 32, 'tp-seconds': 5,
  conns: 2000, threads: 1, rounds: 1,
};
const { values: raw } = parseArgs({
  options: Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string' }])),
});
const opt = {};
for (const [k, d] of Object.entries(defaults)) {
  const env = process.env[k.toUpperCase().replace(/-/g, '_')];
  opt[k] = Number(raw[k] ?? env ?? d);
  if (!Number.isFinite(opt[k]) || opt[k] < 0) throw new Error(`--${k}: not a number: ${raw[k] ?? env}`);
}

const nowNs = () => process.hrtime.bigint();
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const log = (...a) => console.error('#', ...a);

// ---------------------------------------------------------------------------------------------
// /proc

const CLK_TCK = 100; // getconf CLK_TCK on Linux x86-64
function cpuMs(pid) {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK; // utime, stime
  } catch {
    return null;
  }
}
function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// A raw STOMP 1.2 member over ws

let memberCounter = 0;
class Member {
  constructor(url, key, id, { heartbeat = '0,0' } = {}) {
    this.url = url;
    this.key = key;
    this.id = id;
    this.heartbeat = heartbeat;
    this.chat = `/chat/room.${key}`;
    this.sendHead = `SEND\ndestination:${this.chat}\ncontent-type:application/json\n\n`;
    this.waiters = [];
    this.errors = [];
    this.onIce = null; // (json, receivedNs)
    this.ws = null;
  }

  open(timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.id}: no CONNECTED within ${timeoutMs} ms`)), timeoutMs);
      const ws = new WebSocket(this.url, ['v12.stomp'], { perMessageDeflate: false });
      this.ws = ws;
      ws.on('open', () => ws.send(`CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:${this.heartbeat}\n\n\0`));
      ws.on('error', (err) => { clearTimeout(timer); reject(err); });
      ws.on('close', () => { this.closed = true; });
      let connected = false;
      ws.on('message', (data) => {
        const at = nowNs();
        const text = data.toString('utf8');
        let start = 0;
        for (;;) {
          const nul = text.indexOf('\0', start);
          if (nul < 0) break;
          let s = start;
          while (text.charCodeAt(s) === 10 || text.charCodeAt(s) === 13) s += 1; // heart-beats
          const frame = text.slice(s, nul);
          start = nul + 1;
          if (frame.startsWith('MESSAGE')) this.onMessage(frame.slice(frame.indexOf('\n\n') + 2), at);
          else if (frame.startsWith('CONNECTED')) {
            connected = true;
            clearTimeout(timer);
            resolve();
          } else if (frame.startsWith('ERROR')) {
            this.errors.push(frame);
            log(`${this.id}: ERROR ${JSON.stringify(frame.slice(0, 300))}`);
            if (!connected) { clearTimeout(timer); reject(new Error(frame)); }
          }
        }
      });
    });
  }

  onMessage(body, at) {
    const json = JSON.parse(body);
    if (json.type === 'ice') {
      if (json.target === this.id && this.onIce) this.onIce(json, at);
      else if (json.target !== this.id) this.misdelivered = (this.misdelivered ?? 0) + 1;
      return;
    }
    for (let i = 0; i < this.waiters.length; i += 1) {
      if (this.waiters[i].pred(json)) {
        this.waiters[i].resolve(json);
        this.waiters.splice(i, 1);
        i -= 1;
      }
    }
  }

  waitFor(pred, what, timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (x) => { clearTimeout(w.timer); resolve(x); } };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`${this.id}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  send(obj) {
    this.ws.send(this.sendHead + JSON.stringify(obj) + '\0');
  }

  // SUBSCRIBE to the room, join, wait for the own join echo.
  async join() {
    this.ws.send(`SUBSCRIBE\nid:0\ndestination:/exchange/chat.exchange/room.${this.key}\n\n\0`);
    const echo = this.waitFor((j) => j.type === 'join' && j.from === this.id, `own join echo in ${this.key}`);
    this.send({ type: 'join', from: this.id, nickname: `${this.id}-nick` });
    await echo;
  }

  sendIce(target, seq) {
    const t = Number(process.hrtime.bigint()); // ns, exact below 2^53 (104 days of uptime)
    this.send({
      type: 'ice', from: this.id, target,
      iceCandidate: { candidate: 'candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0, seq, t },
    });
  }

  close() {
    if (this.ws && this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }
}

// A pair in a room of its own: sender joins on `a`, target on `b`; the sender waits until it
// sees the target's join (for cross-node: node A knows the target lives on node B). When the
// target joins on another node right after the sender's join, that join is sometimes never
// delivered to node A (node A's binding for the new room is not yet in place at RabbitMQ when
// node B publishes the join); such a pair is counted in lostJoins and set up again in a new room.
const lostJoins = { attempts: 0, lost: 0 };
async function makePair(urlA, urlB, label) {
  for (let attempt = 0; ; attempt += 1) {
    const key = uniqueRoom(label);
    const n = ++memberCounter;
    const sender = new Member(urlA, key, `s${n}`);
    const target = new Member(urlB, key, `t${n}`);
    await Promise.all([sender.open(), target.open()]);
    await sender.join();
    if (attempt > 0) await sleep(100);
    const seen = sender.waitFor((j) => j.type === 'join' && j.from === target.id, `join of ${target.id}`, 2000);
    await target.join();
    lostJoins.attempts += 1;
    try {
      await seen;
      return { sender, target, key };
    } catch (err) {
      lostJoins.lost += 1;
      sender.close();
      target.close();
      log(`${err.message} (room ${key}); again in a new room`);
      if (attempt >= 4) throw err;
    }
  }
}

async function makePairs(count, urlA, urlB, label) {
  const pairs = [];
  for (let i = 0; i < count; i += 1) pairs.push(await makePair(urlA, urlB, label));
  await sleep(300); // let sync / bindings settle before measuring
  return pairs;
}

function closePairs(pairs) {
  for (const p of pairs) { p.sender.close(); p.target.close(); }
}

// ---------------------------------------------------------------------------------------------
// Statistics

function percentiles(samples) {
  if (samples.length === 0) return { n: 0 };
  const s = Float64Array.from(samples).sort();
  const q = (p) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
  const r = (x) => Number(x.toFixed(3));
  let sum = 0;
  for (const x of s) sum += x;
  return { n: s.length, p50: r(q(50)), p90: r(q(90)), p99: r(q(99)), max: r(s[s.length - 1]), mean: r(sum / s.length) };
}

// CPU of every process of the scenario, per 1000 delivered messages.
function cpuSnapshot(procs) {
  return Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, cpuMs(pid)]));
}
function cpuDelta(before, after, delivered, wallMs) {
  const out = {};
  for (const k of Object.keys(before)) {
    if (before[k] == null || after[k] == null) continue;
    const ms = after[k] - before[k];
    out[k] = {
      cpu_ms: Number(ms.toFixed(0)),
      cpu_ms_per_1k_msgs: delivered ? Number(((ms * 1000) / delivered).toFixed(2)) : null,
      cores: Number((ms / wallMs).toFixed(3)),
    };
  }
  return out;
}

async function waitUntil(pred, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!pred() && Date.now() < deadline) await sleep(10);
  return pred();
}

// ---------------------------------------------------------------------------------------------
// Phases

// Fixed offered load: every sender `rate` msgs/s, schedule self-correcting, senders staggered.
async function latencyPhase(pairs, procs) {
  const { rate, seconds, warmup } = opt;
  const interval = 1000 / rate;
  const samples = [];
  let sent = 0;
  let received = 0;
  let sampledSent = 0;
  const start = nowMs() + 50;
  const sampleFrom = start + warmup * 1000;
  const end = start + seconds * 1000;
  const sampleFromNs = sampleFrom * 1e6;
  for (const p of pairs) {
    p.target.onIce = (json, at) => {
      received += 1;
      const t = json.iceCandidate.t;
      if (t >= sampleFromNs) samples.push((Number(at) - t) / 1e6);
    };
  }
  const cpu0 = cpuSnapshot(procs);
  const client0 = process.cpuUsage();
  const done = pairs.map((p, i) => new Promise((resolve) => {
    let next = start + (i * interval) / pairs.length;
    let seq = 0;
    const tick = () => {
      const now = nowMs();
      while (next <= now && next < end) {
        p.sender.sendIce(p.target.id, seq++);
        sent += 1;
        if (next >= sampleFrom) sampledSent += 1;
        next += interval;
      }
      if (next < end) setTimeout(tick, Math.max(0, next - nowMs()));
      else resolve();
    };
    setTimeout(tick, Math.max(0, next - nowMs()));
  }));
  await Promise.all(done);
  const allArrived = await waitUntil(() => received >= sent, 5000);
  const wallMs = nowMs() - start;
  const cpu1 = cpuSnapshot(procs);
  const client = process.cpuUsage(client0);
  return {
    offered_msgs_per_s: pairs.length * rate,
    sent, received, all_arrived: allArrived && received === sent,
    sampled_sent: sampledSent,
    latency_ms: percentiles(samples),
    cpu: cpuDelta(cpu0, cpu1, received, wallMs),
    client_cpu_cores: Number(((client.user + client.system) / 1000 / wallMs).toFixed(3)),
  };
}

// Saturation: a window of messages in flight per pair, refilled on each delivery.
async function throughputPhase(pairs, procs) {
  const { window, 'tp-seconds': seconds } = opt;
  const samples = [];
  let sent = 0;
  let received = 0;
  let receivedInWindow = 0;
  let open = true;
  const start = nowMs();
  const end = start + seconds * 1000;
  const cpu0 = cpuSnapshot(procs);
  const client0 = process.cpuUsage();
  for (const p of pairs) {
    let seq = 0;
    p.target.onIce = (json, at) => {
      received += 1;
      samples.push((Number(at) - json.iceCandidate.t) / 1e6);
      if (!open) return;
      receivedInWindow += 1;
      p.sender.sendIce(p.target.id, seq++);
      sent += 1;
    };
    for (let i = 0; i < window; i += 1) {
      p.sender.sendIce(p.target.id, seq++);
      sent += 1;
    }
  }
  await sleep(seconds * 1000);
  open = false;
  const elapsedS = (nowMs() - start) / 1000;
  const allArrived = await waitUntil(() => received >= sent, 10_000);
  const wallMs = nowMs() - start;
  const cpu1 = cpuSnapshot(procs);
  const client = process.cpuUsage(client0);
  return {
    pairs: pairs.length, window,
    msgs_per_s: Math.round(receivedInWindow / elapsedS),
    sent, received, all_arrived: allArrived && received === sent,
    latency_ms: percentiles(samples),
    cpu: cpuDelta(cpu0, cpu1, received, wallMs),
    client_cpu_cores: Number(((client.user + client.system) / 1000 / wallMs).toFixed(3)),
  };
}

// Idle members with heart-beats (client sends every 5 s; server offers every 1 s by default).
async function connectionsPhase(url, pids, label) {
  const n = opt.conns;
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, rssKb(pid)]));
  const members = [];
  const t0 = Date.now();
  const perRoom = 8;
  for (let r = 0; r * perRoom < n; r += 1) {
    const key = uniqueRoom(`idle-${label}`);
    const batch = [];
    for (let i = 0; i < perRoom && r * perRoom + i < n; i += 1) {
      batch.push(new Member(url, key, `m${r}-${i}`, { heartbeat: '5000,10000' }));
    }
    await Promise.all(batch.map((m) => m.open()));
    for (const m of batch) await m.join(); // in order: the room's first join syncs (cluster)
    members.push(...batch);
  }
  const setupS = (Date.now() - t0) / 1000;
  const hb = setInterval(() => {
    for (const m of members) if (m.ws.readyState === WebSocket.OPEN) m.ws.send('\n');
  }, 5000);
  await sleep(3000);
  const after = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, rssKb(pid)]));
  const dropped = members.filter((m) => m.closed).length;
  clearInterval(hb);
  for (const m of members) m.close();
  const out = { connections: n, members_per_room: perRoom, setup_s: Number(setupS.toFixed(1)), dropped, rss_kb_before: before, rss_kb_after: after, kb_per_connection: {} };
  for (const k of Object.keys(pids)) {
    if (before[k] != null && after[k] != null) out.kb_per_connection[k] = Number(((after[k] - before[k]) / n).toFixed(2));
  }
  await sleep(1000);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Main

let rabbit;
const servers = [];
const cleanup = async () => {
  await Promise.allSettled(servers.map((s) => s.stop()));
  if (rabbit) await rabbit.stop().catch(() => {});
};
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { cleanup().finally(() => process.exit(130)); });
}

const results = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model, mem_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version, kernel: os.release() },
  parley_bin: SERVER_BIN,
  options: opt,
  rounds: [],
};

try {
  log(`starting RabbitMQ and 3 parley nodes (--threads ${opt.threads} --rate-limit 0)`);
  rabbit = await startRabbit();
  const beamPid = Number(readFileSync(path.join(rabbit.dir, 'beam.pid'), 'utf8').trim());
  const common = { threads: opt.threads, rateLimit: 0, logLevel: 'warn' };
  const single = await startServer(common);
  servers.push(single);
  const nodeA = await startServer({ ...common, amqp: rabbit.url, nodeId: 'bench-a' });
  servers.push(nodeA);
  const nodeB = await startServer({ ...common, amqp: rabbit.url, nodeId: 'bench-b' });
  servers.push(nodeB);
  const version = (await (await fetch(`${single.httpUrl}/api/health`)).json().catch(() => ({}))).version;
  results.parley_version = version;
  results.rabbitmq = { url: rabbit.url, beam_pid: beamPid };

  const scenarios = [
    { name: 'single', what: 'one node, embedded broker', a: single, b: single, procs: { parley: single.child.pid } },
    { name: 'amqp-same', what: 'cluster mode, both members on node A', a: nodeA, b: nodeA, procs: { 'parley-a': nodeA.child.pid, 'parley-b': nodeB.child.pid, rabbitmq: beamPid } },
    { name: 'cross', what: 'sender on node A, target on node B', a: nodeA, b: nodeB, procs: { 'parley-a': nodeA.child.pid, 'parley-b': nodeB.child.pid, rabbitmq: beamPid } },
  ];

  for (let round = 1; round <= Math.max(1, opt.rounds); round += 1) {
    const rr = { round, scenarios: {} };
    for (const sc of scenarios) {
      log(`round ${round}: ${sc.name} (${sc.what}): latency, ${opt.pairs} pairs × ${opt.rate} msg/s × ${opt.seconds} s`);
      const lp = await makePairs(opt.pairs, sc.a.url, sc.b.url, `lat-${sc.name}`);
      const latency = await latencyPhase(lp, sc.procs);
      const mis = lp.reduce((s, p) => s + (p.sender.misdelivered ?? 0) + (p.target.misdelivered ?? 0), 0);
      closePairs(lp);
      log(`  ${JSON.stringify(latency.latency_ms)} all arrived: ${latency.all_arrived}`);
      await sleep(500);
      log(`round ${round}: ${sc.name}: throughput, ${opt['tp-pairs']} pairs × window ${opt.window} × ${opt['tp-seconds']} s`);
      const tp = await makePairs(opt['tp-pairs'], sc.a.url, sc.b.url, `tp-${sc.name}`);
      const throughput = await throughputPhase(tp, sc.procs);
      closePairs(tp);
      log(`  ${throughput.msgs_per_s} msg/s, all arrived: ${throughput.all_arrived}`);
      rr.scenarios[sc.name] = { what: sc.what, latency, throughput, misdelivered: mis };
      await sleep(500);
    }
    results.rounds.push(rr);
  }

  if (opt.conns > 0) {
    log(`memory: ${opt.conns} idle members with heart-beats on the single node, then on cluster node A`);
    results.connections = {
      single: await connectionsPhase(single.url, { parley: single.child.pid }, 'single'),
      'amqp-node': await connectionsPhase(nodeA.url, { 'parley-a': nodeA.child.pid, rabbitmq: beamPid }, 'amqp'),
    };
    log(`  ${JSON.stringify(results.connections.single.kb_per_connection)} ${JSON.stringify(results.connections['amqp-node'].kb_per_connection)}`);
  }
  for (const [k, s] of Object.entries({ single, 'parley-a': nodeA, 'parley-b': nodeB })) {
    results[`rss_kb_end_${k}`] = rssKb(s.child.pid);
  }
  results.rss_kb_end_rabbitmq = rssKb(beamPid);
  results.pair_setup_lost_joins = lostJoins;
} finally {
  await cleanup();
}

// ---------------------------------------------------------------------------------------------
// Report

const out = path.join(here, 'results.json');
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);

const fmt = (x) => (x == null ? '–' : String(x));
const cpuCell = (cpu, keys) => keys.filter((k) => cpu[k]).map((k) => `${k} ${cpu[k].cpu_ms_per_1k_msgs}`).join(', ');
console.log(`\nTargeted ice messages, ${opt.pairs} pairs × ${opt.rate} msg/s for ${opt.seconds} s (first ${opt.warmup} s not sampled); ` +
  `throughput: ${opt['tp-pairs']} pairs × ${opt.window} in flight for ${opt['tp-seconds']} s. parley --threads ${opt.threads} --rate-limit 0; ` +
  `${results.machine.cpus} cores shared by client, parley nodes and RabbitMQ.\n`);
console.log('| scenario | round | p50 ms | p90 ms | p99 ms | max ms | all arrived | CPU ms / 1k msgs (latency run) | throughput msg/s | all arrived | CPU ms / 1k msgs (throughput run) | tp p50 ms | tp p99 ms |');
console.log('|---|---:|---:|---:|---:|---:|---|---|---:|---|---|---:|---:|');
const keys = ['parley', 'parley-a', 'parley-b', 'rabbitmq'];
for (const rr of results.rounds) {
  for (const [name, s] of Object.entries(rr.scenarios)) {
    const l = s.latency.latency_ms;
    const t = s.throughput;
    console.log(`| ${name} | ${rr.round} | ${fmt(l.p50)} | ${fmt(l.p90)} | ${fmt(l.p99)} | ${fmt(l.max)} | ${s.latency.all_arrived ? `yes (${s.latency.received})` : `NO ${s.latency.received}/${s.latency.sent}`} | ` +
      `${cpuCell(s.latency.cpu, keys)} | ${t.msgs_per_s} | ${t.all_arrived ? `yes (${t.received})` : `NO ${t.received}/${t.sent}`} | ${cpuCell(t.cpu, keys)} | ${fmt(t.latency_ms.p50)} | ${fmt(t.latency_ms.p99)} |`);
  }
}
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const p50 = (name) => med(results.rounds.map((r) => r.scenarios[name].latency.latency_ms.p50));
const added = Number((p50('cross') - p50('single')).toFixed(3));
results.added_p50_ms_cross_vs_single = added;
results.added_p50_ms_amqp_same_vs_single = Number((p50('amqp-same') - p50('single')).toFixed(3));
results.goal_added_p50_le_1ms = added <= 1;
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nadded p50 latency, cross-node vs single node: ${added} ms (goal ≤ 1 ms: ${added <= 1 ? 'met' : 'NOT met'}); ` +
  `cluster mode on one node vs single: ${results.added_p50_ms_amqp_same_vs_single} ms`);
if (results.connections) {
  for (const [k, c] of Object.entries(results.connections)) {
    console.log(`memory, ${k}: ${c.connections} idle members (rooms of ${c.members_per_room}, heart-beats), ${c.dropped} dropped, RSS KB per connection: ${JSON.stringify(c.kb_per_connection)}`);
  }
}
if (lostJoins.lost) console.log(`pair setup: ${lostJoins.lost} of ${lostJoins.attempts} target joins never reached the sender (set up again in a new room)`);
console.log(`results: ${path.relative(process.cwd(), out)}`);
process.exit(0);
