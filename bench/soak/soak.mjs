// Bounded soak (issue 8): mixed room traffic against one parley for a few minutes; the server's
// memory must stay flat and every session must end cleanly.
//
//   cd bench && node soak/soak.mjs [--minutes 2] [--plot ../docs/soak-rss.svg]
//       [--parley ../build/server/parley]  (or PARLEY_BIN)  [--members 200] [--rooms 32]
//       [--max-members 8] [--action-ms 1000] [--lifetime-min-s 5] [--lifetime-max-s 40]
//       [--probe-ms 1000] [--full-probe-ms 2500] [--seed N] [--csv soak/results.csv]
//   (make soak SOAK_MINUTES=10)
//
// It starts its own parley (--log-level warn, a free loopback port) and drives it with the
// traffic of traffic.mjs: ~--members members over raw WebSocket STOMP and SockJS, joining,
// chatting, exchanging offer/answer/ice, leaving in every way (some abruptly), replaced as they
// go; rooms that fill up and get a refused 9th join; garbage frames and requests. Every second
// it samples parley's RSS (/proc/<pid>/status VmRSS) and its /metrics gauges.
//
// Fails (exit 1, naming the reason) when:
//   - a correctness check broke (ledger.mjs): a targeted message reached anyone but its target,
//     or did not reach it; a chat missed a member of the room; a leave was missing, repeated or
//     carried the wrong streamId; an ERROR nobody provoked; a member's connection dropped; a
//     garbage probe got another answer than PROTOCOL.md promises; /metrics did not answer;
//   - RSS grew after warm-up beyond the bound explained in analysis.mjs;
//   - after all clients closed, parley_sessions, parley_sockjs_sessions and parley_members did
//     not return to 0 and parley_connections to 1 (the scrape itself) within
//     --sockjs-disconnect-delay-ms + 5 s (an abandoned SockJS HTTP session lives that long);
//   - /api/health did not answer ok at the end, or SIGTERM did not end parley with exit code 0
//     within its shutdown timeout + 5 s.
// Writes the samples to --csv and, with --plot, an SVG of the RSS curve.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { rssVerdict } from './analysis.mjs';
import { Ledger } from './ledger.mjs';
import { presence } from './members.mjs';
import { renderRssSvg } from './plot.mjs';
import { httpGet, rssKiB, scrapeMetrics, startParley, stopParley, waitForBinary } from './server.mjs';
import { Traffic } from './traffic.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error('#', ...a);
const MiB = (kib) => (kib == null ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`);

const SOCKJS_DISCONNECT_DELAY_MS = 5000;
const SOCKJS_HEARTBEAT_MS = 25_000; // parley's default, passed explicitly
const SHUTDOWN_TIMEOUT_MS = 5000;
const DELIVERY_GRACE_MS = 5000;

// ---------------------------------------------------------------------------------------------
// Options

const NUMERIC = {
  minutes: 2,
  members: 200,
  rooms: 32,
  'max-members': 8,
  'action-ms': 1000,
  'lifetime-min-s': 5,
  'lifetime-max-s': 40,
  'probe-ms': 1000,
  'full-probe-ms': 2500,
  'join-timeout-ms': 10_000,
  seed: null,
};

function parseOptions() {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(Object.keys(NUMERIC).map((k) => [k, { type: 'string' }])),
      parley: { type: 'string' },
      plot: { type: 'string' },
      csv: { type: 'string' },
    },
  });
  const camel = (k) => k.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  const opts = {};
  for (const [k, d] of Object.entries(NUMERIC)) {
    const v = values[k] === undefined ? d : Number(values[k]);
    if (v !== null && (!Number.isFinite(v) || v < 0)) throw new Error(`--${k}: not a number: ${values[k]}`);
    opts[camel(k)] = v;
  }
  if (!(opts.minutes > 0)) throw new Error('--minutes must be > 0');
  if (opts.lifetimeMaxS < opts.lifetimeMinS) throw new Error('--lifetime-max-s < --lifetime-min-s');
  opts.seed ??= Date.now() % 2 ** 31;
  opts.parley = path.resolve(values.parley ?? process.env.PARLEY_BIN ?? path.join(here, '..', '..', 'build', 'server', 'parley'));
  opts.csv = path.resolve(values.csv ?? path.join(here, 'results.csv'));
  opts.plot = values.plot ? path.resolve(values.plot) : null;
  return opts;
}

// Deterministic traffic for a given --seed (timing still varies).
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Sampling

const GAUGES = ['parley_connections', 'parley_sessions', 'parley_sockjs_sessions', 'parley_rooms', 'parley_members'];

function startSampler(server, traffic, t0) {
  const sampler = { samples: [], phase: 'traffic', scrapeFailures: [], timer: null };
  const take = async () => {
    const t = (Date.now() - t0) / 1000;
    const row = { t, phase: sampler.phase, rssKiB: rssKiB(server.pid) };
    try {
      const m = await scrapeMetrics(server.httpUrl);
      for (const g of GAUGES) row[g] = m[g] ?? null;
    } catch (err) {
      if (!server.exitStatus) sampler.scrapeFailures.push(`t=${t.toFixed(1)} s: ${err.message}`);
    }
    row.members = row.parley_members ?? null;
    row.liveMembers = traffic.live;
    row.sent = traffic.counters.sent;
    row.received = traffic.counters.received;
    row.violations = traffic.ledger.violationCount;
    sampler.samples.push(row);
  };
  sampler.first = take();
  sampler.timer = setInterval(take, 1000);
  sampler.stop = () => clearInterval(sampler.timer);
  return sampler;
}

function writeCsv(file, samples) {
  const cols = [
    ['time_s', (s) => s.t.toFixed(1)],
    ['phase', (s) => s.phase],
    ['rss_kib', (s) => s.rssKiB],
    ['connections', (s) => s.parley_connections],
    ['sessions', (s) => s.parley_sessions],
    ['sockjs_sessions', (s) => s.parley_sockjs_sessions],
    ['rooms', (s) => s.parley_rooms],
    ['members', (s) => s.parley_members],
    ['client_live_members', (s) => s.liveMembers],
    ['sent_total', (s) => s.sent],
    ['received_total', (s) => s.received],
    ['violations', (s) => s.violations],
  ];
  const lines = [cols.map(([h]) => h).join(',')];
  for (const s of samples) lines.push(cols.map(([, f]) => f(s) ?? '').join(','));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------------
// The end: gauges back to zero, health, SIGTERM

async function waitGaugesIdle(server, timeoutMs) {
  const t0 = Date.now();
  let last = null;
  for (;;) {
    try {
      last = await scrapeMetrics(server.httpUrl);
      const idle =
        last.parley_sessions === 0 &&
        last.parley_sockjs_sessions === 0 &&
        last.parley_members === 0 &&
        last.parley_connections <= 1; // the scrape's own connection
      if (idle) return { ok: true, ms: Date.now() - t0, gauges: last };
    } catch (err) {
      last = { error: err.message };
    }
    if (Date.now() - t0 > timeoutMs) return { ok: false, ms: Date.now() - t0, gauges: last };
    await sleep(250);
  }
}

// When sessions outlive the deadline: who is still a member where (x-presence), as the harness
// knew them, and whether they end later at all (a leak) or only late.
async function diagnoseLingering(server, traffic, gauges) {
  const ghosts = [];
  for (const room of traffic.rooms) {
    for (const p of (await presence(server, room.key)) ?? []) {
      const m = traffic.byId.get(p.from);
      const how = m ? `${m.transport}, left by ${m.departMode}, socket closed ${((Date.now() - m.closedAt) / 1000).toFixed(1)} s ago` : 'unknown to the harness';
      ghosts.push(`${p.from} in ${room.key} (${how})`);
    }
  }
  const later = await waitGaugesIdle(server, SOCKJS_HEARTBEAT_MS + SOCKJS_DISCONNECT_DELAY_MS + 5000);
  const total = gauges.ms + later.ms;
  return {
    ghosts,
    text: later.ok ? `they ended only ${(total / 1000).toFixed(1)} s after the clients closed` : `still there ${(total / 1000).toFixed(1)} s after the clients closed`,
  };
}

async function checkHealth(server) {
  try {
    const res = await httpGet(`${server.httpUrl}/api/health`);
    const body = JSON.parse(res.text);
    return { ok: res.status === 200 && body.status === 'ok', detail: `${res.status} ${res.text}` };
  } catch (err) {
    return { ok: false, detail: err.message };
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const pct = (part, whole) => (whole ? `${((100 * part) / whole).toFixed(1)} %` : '-');
const fmtCounts = (obj) =>
  Object.entries(obj)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

function summary({ opts, durationS, traffic, ledger, verdict, gauges, closeMs, health, stop, sampler, server }) {
  const c = traffic.counters;
  const st = ledger.stats;
  const slope = `${verdict.slopeKiBPerMin >= 0 ? '+' : ''}${verdict.slopeKiBPerMin.toFixed(1)} KiB/min`;
  const sessions = c.connects;
  const steadyShare = (verdict.final[1] - verdict.baseline[0]) / durationS;
  const lines = [
    `parley soak: ${(durationS / 60).toFixed(2)} min, ${opts.members} members over ${opts.rooms} rooms (max ${opts.maxMembers} each), seed ${opts.seed}`,
    `traffic: ${c.sent} SENDs (${(c.sent / durationS).toFixed(0)}/s: ${fmtCounts(c.sentByType)}); ` +
      `${c.received} MESSAGEs received (${(c.received / durationS).toFixed(0)}/s)`,
    `members: ${c.connects} connections (${fmtCounts(c.transports)}), ${c.joins} joins; departures: ${fmtCounts(c.departures)}`,
    `probes: ${Object.values(c.probes).reduce((a, b) => a + b, 0)} garbage (${Object.keys(c.probes).length} kinds), ` +
      `${c.fullRoomRejections} joins into full rooms refused, ${c.expectedErrors} provoked ERRORs`,
    `checks: ${st.signalsChecked} targeted (${st.signalsExcused} excused: an end departed), ` +
      `${st.chatsChecked} chats / ${st.chatDeliveriesChecked} deliveries (${st.chatDeliveriesExcused} excused), ` +
      `${st.leavesChecked} leaves / ${st.leaveDeliveriesChecked} deliveries (${st.leaveDeliveriesExcused} excused); ` +
      `${ledger.violationCount} violations`,
    `RSS: start ${MiB(verdict.startKiB)}, after warm-up (${verdict.warmupS.toFixed(0)} s) ${MiB(verdict.afterWarmupKiB)}, ` +
      `end ${MiB(sampler.samples.at(-1)?.rssKiB)}, max ${MiB(verdict.maxKiB)}`,
    `RSS verdict: baseline max ${MiB(verdict.baselineMax)} (${verdict.baseline.map((t) => t.toFixed(0)).join('-')} s), ` +
      `final max ${MiB(verdict.finalMax)} (${verdict.final.map((t) => t.toFixed(0)).join('-')} s): ` +
      `growth ${verdict.growth == null ? 'n/a' : `${(verdict.growth / 1024).toFixed(2)} MiB`} ` +
      `(bound ${verdict.bound == null ? 'n/a' : `${(verdict.bound / 1024).toFixed(2)} MiB`}); slope after warm-up ${slope}`,
    `sensitivity: the bound is a leak of ~${verdict.bound ? Math.round((verdict.bound * 1024) / Math.max(1, sessions * steadyShare * (2 / 3))) : '-'} B per connection ` +
      `or ~${verdict.bound ? Math.round((verdict.bound * 1024) / Math.max(1, (c.sent + c.received) * steadyShare * (2 / 3))) : '-'} B per message between the windows`,
    `end: clients closed in ${(closeMs / 1000).toFixed(1)} s; gauges idle ${gauges.ok ? `after ${(gauges.ms / 1000).toFixed(1)} s` : 'NEVER'} ` +
      `(${GAUGES.map((g) => `${g.replace('parley_', '')}=${gauges.gauges?.[g]}`).join(' ')}); ` +
      `/api/health ${health.ok ? 'ok' : 'FAILED'}; SIGTERM: exit code ${stop.code}${stop.signal ? ` signal ${stop.signal}` : ''} in ${stop.ms} ms`,
  ];
  const warnings = server
    .stderr()
    .split('\n')
    .filter((l) => / (warn|error|critical) /.test(l));
  if (warnings.length) {
    const distinct = [...new Set(warnings.map((l) => l.replace(/^\S+ /, '').replace(/\d+/g, 'N')))];
    lines.push(`parley logged ${warnings.length} warning/error lines, e.g.: ${distinct.slice(0, 4).join(' | ')}`);
  }
  return lines;
}

function plotTitles(opts, durationS, traffic, verdict) {
  const signed = (x, digits) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
  const minutes = Number((durationS / 60).toFixed(1));
  const c = traffic.counters;
  return {
    title: `parley RSS during a ${minutes} min soak: slope after warm-up ${signed(verdict.slopeKiBPerMin, 0)} KiB/min`,
    subtitle:
      `~${opts.members} members over WebSocket + SockJS, ${c.joins} joins, ` +
      `${Math.round(c.sent / durationS)} SENDs/s, ${Math.round(c.received / durationS)} deliveries/s; ` +
      `peak growth ${signed((verdict.growth ?? 0) / 1024, 2)} MiB (bound ${((verdict.bound ?? 0) / 1024).toFixed(1)} MiB)`,
    note:
      `RSS: start ${MiB(verdict.startKiB)}, after warm-up ${MiB(verdict.afterWarmupKiB)}, ` +
      `max ${MiB(verdict.maxKiB)} (drain: traffic stops, then every client leaves)`,
  };
}

function failures({ ledger, verdict, gauges, health, stop, sampler, traffic }) {
  const out = [];
  if (traffic.counters.joins === 0 || traffic.counters.sent === 0) out.push('no traffic: no member ever joined or sent');
  if (ledger.violationCount > 0) {
    const kinds = [...ledger.violationsByKind].map(([k, n]) => `${k} ×${n}`).join(', ');
    out.push(`correctness: ${ledger.violationCount} violations (${kinds}); first ones:\n    ${ledger.kept.slice(0, 12).join('\n    ')}`);
    if (ledger.lateLeaves.length) out.push(`leaves that missed their deadline but came later: ${ledger.lateLeaves.join(', ')}`);
  }
  if (sampler.scrapeFailures.length) out.push(`/metrics failed ${sampler.scrapeFailures.length}×: ${sampler.scrapeFailures.slice(0, 3).join('; ')}`);
  if (!verdict.valid) out.push('RSS: not enough samples for a verdict');
  else if (!verdict.ok) {
    out.push(
      `RSS grew after warm-up: final-window max ${MiB(verdict.finalMax)} − baseline max ${MiB(verdict.baselineMax)} = ` +
        `${(verdict.growth / 1024).toFixed(2)} MiB > bound ${(verdict.bound / 1024).toFixed(2)} MiB (slope ${verdict.slopeKiBPerMin.toFixed(0)} KiB/min)`,
    );
  }
  if (!gauges.ok) {
    const g = gauges.gauges ?? {};
    const l = gauges.lingering;
    out.push(
      `sessions did not all end within ${(gauges.ms / 1000).toFixed(1)} s after every client closed ` +
        `(--sockjs-disconnect-delay-ms ${SOCKJS_DISCONNECT_DELAY_MS} + 5 s): ` +
        `${GAUGES.map((k) => `${k.replace('parley_', '')}=${g[k]}`).join(' ')}; ${l?.text}` +
        (l?.ghosts.length ? `; members still in rooms:\n    ${l.ghosts.join('\n    ')}` : ''),
    );
  }
  if (!health.ok) out.push(`/api/health at the end: ${health.detail}`);
  if (stop.killed || stop.code !== 0) out.push(`SIGTERM: parley ${stop.killed ? 'had to be killed' : `exited with code ${stop.code} signal ${stop.signal}`}`);
  return out;
}

// ---------------------------------------------------------------------------------------------

function serverArgs(opts, known) {
  const args = [
    '--log-level', 'warn',
    '--max-members', String(opts.maxMembers),
    '--sockjs-disconnect-delay-ms', String(SOCKJS_DISCONNECT_DELAY_MS),
    '--sockjs-heartbeat-ms', String(SOCKJS_HEARTBEAT_MS),
    '--shutdown-timeout-ms', String(SHUTDOWN_TIMEOUT_MS),
  ];
  // Every simulated member comes from 127.0.0.1: per-address admission limits (where this
  // parley has them) would refuse the crowd, which is not what the soak is about.
  for (const flag of ['--max-connections-per-ip', '--sockjs-max-sessions-per-ip']) {
    if (known.has(flag)) args.push(flag, '0');
  }
  return args;
}

async function main() {
  const opts = parseOptions();
  const durationS = opts.minutes * 60;
  const known = await waitForBinary(opts.parley);
  const server = await startParley(opts.parley, serverArgs(opts, known));
  log(`parley ${opts.parley} pid ${server.pid} on ${server.httpUrl}; soak for ${opts.minutes} min, seed ${opts.seed}`);
  const ledger = new Ledger({ graceMs: DELIVERY_GRACE_MS, leaveGraceMs: SOCKJS_DISCONNECT_DELAY_MS + 5000 });
  const traffic = new Traffic({ server, rng: mulberry32(opts.seed), opts, ledger });

  const t0 = Date.now();
  const sampler = startSampler(server, traffic, t0);
  await sampler.first;
  traffic.start();
  const progressEvery = Math.max(10, Math.min(60, durationS / 8));
  for (let next = progressEvery; next < durationS; next += progressEvery) {
    await sleep(t0 + next * 1000 - Date.now());
    const s = sampler.samples.at(-1);
    log(
      `t=${next.toFixed(0)} s: RSS ${MiB(s?.rssKiB)}, members ${s?.parley_members} (client ${traffic.live}), ` +
        `connections ${s?.parley_connections}, sent ${traffic.counters.sent}, received ${traffic.counters.received}, ` +
        `violations ${ledger.violationCount}`,
    );
  }
  await sleep(t0 + durationS * 1000 - Date.now());

  sampler.phase = 'drain';
  await traffic.quiesce();
  const closeStart = Date.now();
  await traffic.closeAll();
  const closeMs = Date.now() - closeStart;
  const gauges = await waitGaugesIdle(server, SOCKJS_DISCONNECT_DELAY_MS + 5000);
  if (!gauges.ok) gauges.lingering = await diagnoseLingering(server, traffic, gauges);
  await traffic.finish();
  await sleep(1000); // one more sample at rest
  sampler.stop();
  const health = await checkHealth(server);
  const stop = await stopParley(server, SHUTDOWN_TIMEOUT_MS + 5000);

  const samples = sampler.samples;
  const verdict = rssVerdict(samples.filter((s) => s.phase === 'traffic'), durationS);
  writeCsv(opts.csv, samples);
  log(`samples: ${path.relative(process.cwd(), opts.csv)}`);
  if (opts.plot) {
    mkdirSync(path.dirname(opts.plot), { recursive: true });
    writeFileSync(opts.plot, renderRssSvg({ samples, durationS, verdict, ...plotTitles(opts, durationS, traffic, verdict) }));
    log(`plot: ${path.relative(process.cwd(), opts.plot)}`);
  }

  const ctx = { opts, durationS, traffic, ledger, verdict, gauges, closeMs, health, stop, sampler, server };
  console.log(summary(ctx).join('\n'));
  const failed = failures(ctx);
  if (failed.length) {
    console.log(`FAIL\n  ${failed.join('\n  ')}`);
    const tail = server.stderr().slice(-3000);
    if (tail) console.log(`--- parley stderr (tail) ---\n${tail}`);
    process.exit(1);
  }
  console.log('PASS');
  process.exit(0);
}

main().catch((err) => {
  console.error(`soak: ${err.stack ?? err}`);
  process.exit(1);
});
