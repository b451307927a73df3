// STOMP signaling load: parley against RabbitMQ Web-STOMP, same load generator (the C++
// bench/loadgen/parley-loadgen), same machine, one after the other; writes the section between
// <!-- stomp-bench:begin --> and <!-- stomp-bench:end --> of docs/BENCHMARKS.md, the plots
// docs/bench/stomp-*.png (gnuplot, bench/stomp/plot.gp) and the raw results
// bench/stomp/results.json.
//
//   cd bench && node stomp/run.mjs [--parley ../build/server/parley]
//       [--loadgen ../build/bench/loadgen/parley-loadgen] [--quick] [--only parley|rabbitmq]
//       [--seconds 8] [--warmup 2] [--idle-connections 4000] [--relay-connections 1000]
//       [--fanout-connections 256] [--storm-connections 1000] [--sockjs-connections 1000]
//       [--window 8] [--relay-rate R] [--callgrind-messages 2000,12000] [--no-callgrind]
//       [--write | --no-write] [--doc ../docs/BENCHMARKS.md] [--keep] [--from-results FILE]
//
// On a machine with 2+ cores the server under test runs on core 0 and the load generator on
// core 1 (taskset). Parley: a fresh process per scenario, --threads 1, with the limits in
// PARLEY_LIMITS raised (printed in the doc with the reason for each). RabbitMQ: one private node
// for all its scenarios (scripts/rabbitmq-test.sh with rabbitmq_web_stomp on its own port, the
// topic exchange chat.exchange from a definitions file, Erlang +S 1:1), idle first. Scenarios, each
// against parley then RabbitMQ: idle connections (memory), targeted relay at maximum throughput
// (closed loop) and at 50 % of parley's maximum (latency), fan-out for room sizes 2/4/8/16, a
// join storm, and relay over SockJS xhr-streaming (parley only: RabbitMQ 3.10 has no SockJS).
// Then instructions per relayed message from two callgrind runs of parley.
//
// --quick: short runs and fewer connections, for a smoke test; it writes nothing under docs/ or
// bench/ unless --write is given (its results.json goes to the temporary directory).
// --only parley: skip RabbitMQ; --only rabbitmq: skip parley (the 50 % rate then comes from
// --relay-rate or from parley's maximum in the previous bench/stomp/results.json).
// --from-results FILE: run nothing, rewrite the doc section and plots from an earlier results.json.
// Exit status: 0 when every run produced a result (goals met or not; RabbitMQ falling short with
// errors or timeouts is a result), 1 when a run produced none or a parley run failed.

import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const RABBITMQ_SCRIPT = path.join(repo, 'scripts', 'rabbitmq-test.sh');
const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const RABBITMQ_LIB = '/usr/lib/rabbitmq/lib';
const PLOT_SCRIPT = path.join(here, 'plot.gp');
const BEGIN = '<!-- stomp-bench:begin -->';
const END = '<!-- stomp-bench:end -->';
const SERVER_CORE = 0;
const LOADGEN_CORE = 1;

// ---------------------------------------------------------------------------------------------
// Options

const usageText = `usage: node stomp/run.mjs [--parley PATH] [--loadgen PATH] [--quick] [--only parley|rabbitmq]
  [--seconds S] [--warmup S] [--idle-connections N] [--relay-connections N] [--fanout-connections N]
  [--storm-connections N] [--sockjs-connections N] [--window W] [--relay-rate R]
  [--callgrind-messages M1,M2] [--no-callgrind] [--write|--no-write] [--doc PATH] [--keep]
  [--from-results results.json]   (no runs: rewrite the doc section and plots from earlier results)`;

let cli;
try {
  ({ values: cli } = parseArgs({
    options: {
      parley: { type: 'string', default: path.join(repo, 'build', 'server', 'parley') },
      loadgen: { type: 'string', default: path.join(repo, 'build', 'bench', 'loadgen', 'parley-loadgen') },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      'idle-connections': { type: 'string' },
      'relay-connections': { type: 'string' },
      'fanout-connections': { type: 'string' },
      'storm-connections': { type: 'string' },
      'sockjs-connections': { type: 'string' },
      window: { type: 'string' },
      'relay-rate': { type: 'string' },
      'callgrind-messages': { type: 'string' },
      'no-callgrind': { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      doc: { type: 'string', default: path.join(repo, 'docs', 'BENCHMARKS.md') },
      keep: { type: 'boolean', default: false },
      'from-results': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (err) {
  console.error(`stomp-bench: ${err.message}\n${usageText}`);
  process.exit(2);
}
if (cli.help) {
  console.log(usageText);
  process.exit(0);
}

function die(message) {
  console.error(`stomp-bench: ${message}`);
  process.exit(1);
}

function count(name, fallback, { min = 1 } = {}) {
  const raw = cli[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) die(`--${name} needs an integer >= ${min}, got '${raw}'`);
  return n;
}

const quick = cli.quick;
if (cli.only !== undefined && !['parley', 'rabbitmq'].includes(cli.only)) {
  die(`--only takes parley or rabbitmq, got '${cli.only}'`);
}
if (cli.write && cli['no-write']) die('--write and --no-write together');
const cfg = {
  seconds: count('seconds', quick ? 3 : 8),
  warmup: count('warmup', quick ? 1 : 2, { min: 0 }),
  idleN: count('idle-connections', quick ? 1000 : 4000, { min: 2 }),
  relayN: count('relay-connections', quick ? 200 : 1000, { min: 2 }),
  fanoutN: count('fanout-connections', 256, { min: 2 }),
  stormN: count('storm-connections', quick ? 250 : 1000, { min: 2 }),
  window: count('window', 8),
  fanoutSizes: [2, 4, 8, 16],
  loadFraction: 0.5,
  relayPayload: 300,
  fanoutPayload: 100,
  callgrindN: 20,
  callgrindMessages: [2000, 12000],
  runParley: cli.only !== 'rabbitmq',
  runRabbit: cli.only !== 'parley',
  write: cli.write || (!quick && !cli['no-write']),
};
cfg.sockjsN = count('sockjs-connections', cfg.relayN, { min: 2 });
if (cli['callgrind-messages'] !== undefined) {
  const m = cli['callgrind-messages'].split(',').map(Number);
  if (m.length !== 2 || !m.every((x) => Number.isInteger(x) && x > 0) || m[1] <= m[0]) {
    die(`--callgrind-messages needs M1,M2 with 0 < M1 < M2, got '${cli['callgrind-messages']}'`);
  }
  cfg.callgrindMessages = m;
} else if (quick) {
  cfg.callgrindMessages = [1000, 6000];
}
const relayRateOverride = cli['relay-rate'] === undefined ? null : count('relay-rate', 0);

const parleyBin = path.resolve(cli.parley);
const loadgenBin = path.resolve(cli.loadgen);
const docPath = path.resolve(cli.doc);
const resultsPath = path.join(here, 'results.json');
const pngDir = path.join(path.dirname(docPath), 'bench');

// ---------------------------------------------------------------------------------------------
// Child processes: every one is tracked by PID and killed on exit, error or signal.

const children = new Map(); // pid -> name
let rabbitDir = null; // a running private RabbitMQ node, stopped on exit
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-stomp-bench-'));
let keepTmp = cli.keep;

process.on('exit', () => {
  for (const [pid] of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (rabbitDir) {
    try {
      execFileSync(RABBITMQ_SCRIPT, ['stop', rabbitDir, '--kill'], { stdio: 'ignore', timeout: 60_000 });
    } catch {
      // best effort on the way out; the script's --owner watcher also stops the node
    }
  }
  if (!keepTmp) fs.rmSync(tmp, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\nstomp-bench: ${signal}: stopping every process started here`);
    process.exit(130);
  });
}

const log = (...a) => console.error('#', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(':')) {
    const p = path.join(dir || '.', cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

function isExecutable(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

const CORES = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
const PIN = CORES >= 2 && which('taskset') !== null;
const pinned = (core, argv) => (PIN ? ['taskset', '-c', String(core), ...argv] : argv);

function spawnTracked(name, argv, options = {}) {
  const child = spawn(argv[0], argv.slice(1), options);
  if (child.pid) {
    children.set(child.pid, name);
    child.on('exit', () => children.delete(child.pid));
  }
  return child;
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

// SIGTERM, then SIGKILL after graceMs; resolves with how it ended.
async function stopChild(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return exited(child);
  try {
    child.kill('SIGTERM');
  } catch {
    // gone
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const how = await exited(child);
  clearTimeout(timer);
  return how;
}

// Runs a command to completion; stdout and stderr collected.
function run(name, argv, { env, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(name, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function capture(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 }).trim();
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// /proc

const CLK_TCK = Number(capture('getconf', ['CLK_TCK'])) || 100;

function cpuTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return null;
  }
}

function rssKib(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return null;
  }
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// Waits until the server uses under idlePercent of a core over half a second (connections
// from the previous run torn down), at most maxMs.
async function settle(pid, { maxMs = 60_000, idlePercent = 3 } = {}) {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const t0 = cpuTicks(pid);
    await sleep(500);
    const t1 = cpuTicks(pid);
    if (t0 === null || t1 === null) return;
    const percent = ((t1 - t0) / CLK_TCK / 0.5) * 100;
    if (percent < idlePercent || Date.now() > deadline) return;
  }
}

// ---------------------------------------------------------------------------------------------
// Parley: the command line in one place. Each raised limit says why; its default comes from
// `parley --help`, which also proves the flag exists.

const PARLEY_BASE = ['--bind', '127.0.0.1', '--threads', '1', '--log-level', 'warn'];
const PARLEY_LIMITS = [
  ['--max-members', '1000', 'the join storm puts up to 1000 members in one room'],
  ['--rate-limit', '1000000', 'a closed-loop relay or fan-out sender sends far more than 200 SEND frames per second (the limit is per session, against abuse)'],
  ['--max-connections', '20000', 'headroom above the 4000 idle sessions (SockJS uses two TCP connections per session)'],
  ['--max-connections-per-ip', '20000', 'every client of the bench comes from 127.0.0.1'],
  ['--max-rooms', '20000', '4000 idle sessions in rooms of 2 are 2000 rooms; headroom'],
  ['--max-outbound-bytes', '67108864', 'in a closed-loop run the load generator, on the other core, may fall behind and let more than 4 MiB queue for one client; the bench measures throughput, not slow-consumer eviction'],
  ['--ws-idle-timeout-s', '600', 'same as RabbitMQ\'s web_stomp.ws_opts.idle_timeout here (600 s); a live peer answers parley\'s ping at half the timeout anyway, so this only keeps those pings out of the idle measurement'],
  ['--sockjs-max-sessions', '20000', 'headroom above the SockJS relay\'s sessions'],
  ['--sockjs-max-sessions-per-ip', '0', 'every SockJS session comes from 127.0.0.1 (0: no per-address limit)'],
];
const parleyArgs = (port) => [...PARLEY_BASE, '--port', String(port), ...PARLEY_LIMITS.flatMap(([f, v]) => [f, v])];

function parleyDefaults() {
  const help = capture(parleyBin, ['--help']);
  if (!help) die(`${parleyBin} --help failed`);
  const defaults = {};
  for (const flag of [...PARLEY_LIMITS.map(([f]) => f), '--threads', '--log-level', '--bind', '--port']) {
    const line = help.split('\n').find((l) => new RegExp(`^\\s+(-\\w,)?${flag}[\\s,]`).test(l));
    if (!line) die(`parley --help lists no ${flag}: update PARLEY_LIMITS in bench/stomp/run.mjs`);
    const m = /=([^\s(]+)/.exec(line);
    defaults[flag] = m ? m[1] : '';
  }
  return defaults;
}

let parleyRuns = 0;
async function startParley({ valgrindOut = null } = {}) {
  const n = ++parleyRuns;
  const logFile = path.join(tmp, `parley-${n}.log`);
  let argv = [parleyBin, ...parleyArgs(0)];
  if (valgrindOut) argv = ['valgrind', '--tool=callgrind', `--callgrind-out-file=${valgrindOut}`, ...argv];
  argv = pinned(SERVER_CORE, argv);
  const out = fs.openSync(logFile, 'a');
  const child = spawnTracked('parley', argv, { stdio: ['ignore', 'pipe', out] });
  fs.closeSync(out);
  const timeoutMs = valgrindOut ? 180_000 : 20_000;
  const port = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`parley did not listen within ${timeoutMs / 1000} s`)), timeoutMs);
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`parley exited during startup (${signal || `code ${code}`})`));
    });
  }).catch((err) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}; its log: ${logFile}\n${tail(logFile)}`);
  });
  child.stdout.resume();
  return { child, pid: child.pid, port, logFile };
}

function tail(file, lines = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// RabbitMQ: a private node through scripts/rabbitmq-test.sh, Web-STOMP on its own port, the
// exchange from a definitions file, one Erlang scheduler, pinned to the server core.

const RABBIT_ERL_ARGS = '+S 1:1';
const RABBIT_CONF = [
  ['web_stomp.ws_opts.idle_timeout = 600000', 'Web-STOMP closes a WebSocket on which the client sent nothing for 60 s (Cowboy\'s default `idle_timeout`). The idle sessions are set up over many seconds and then stay silent, and on RabbitMQ the 1000-member join storm lasts over a minute during which most members only receive, so they would be dropped mid-run. 600 s, like parley\'s `--ws-idle-timeout-s`'],
];
const RABBIT_NOT_RAISED = 'Not raised: `web_stomp.max_connections` (default: unlimited), Cowboy\'s WebSocket `max_frame_size` (default: unlimited; the largest frame here is a few hundred bytes), and rabbitmq_stomp 3.10 has no frame-size setting.';

function rabbitDefinitions() {
  // Importing definitions at boot makes RabbitMQ skip creating its default vhost and user, so
  // both are declared here too: guest/guest (loopback only, as always), full rights on "/".
  const salt = crypto.randomBytes(4);
  const digest = crypto.createHash('sha256').update(Buffer.concat([salt, Buffer.from('guest')])).digest();
  return {
    users: [{ name: 'guest', password_hash: Buffer.concat([salt, digest]).toString('base64'), hashing_algorithm: 'rabbit_password_hashing_sha256', tags: ['administrator'], limits: {} }],
    vhosts: [{ name: '/' }],
    permissions: [{ user: 'guest', vhost: '/', configure: '.*', write: '.*', read: '.*' }],
    exchanges: [{ name: 'chat.exchange', vhost: '/', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} }],
  };
}

async function startRabbit() {
  if (!fs.existsSync(RABBITMQ_SERVER)) die(`${RABBITMQ_SERVER} not found: run scripts/deps.sh (or pass --only parley)`);
  const dir = path.join(tmp, 'rabbitmq');
  fs.mkdirSync(dir, { recursive: true });
  const definitions = path.join(dir, 'definitions.json');
  fs.writeFileSync(definitions, `${JSON.stringify(rabbitDefinitions(), null, 2)}\n`);
  // Ports below the kernel's ephemeral range, so that no client socket of an earlier run (ours or
  // anyone's) holds one: AMQP p, epmd p+1000, distribution p+2000, Web-STOMP p+3000.
  let low = 32768;
  try {
    low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // keep the usual default
  }
  const [from, to] = low - 3000 > 12000 ? [10000, low - 3001] : [61000, 62500];
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const amqpPort = from + Math.floor(Math.random() * (to - from));
    const webPort = amqpPort + 3000; // the script uses +1000 (epmd) and +2000 (distribution)
    const env = {
      ...process.env,
      RABBITMQ_TEST_WEB_STOMP_PORT: String(webPort),
      RABBITMQ_TEST_DEFINITIONS: definitions,
      RABBITMQ_TEST_EXTRA_CONF: RABBIT_CONF.map(([line]) => line).join('\n'),
      RABBITMQ_TEST_ERL_ARGS: RABBIT_ERL_ARGS,
    };
    const argv = pinned(SERVER_CORE, [RABBITMQ_SCRIPT, 'start', dir, String(amqpPort), '--owner', String(process.pid)]);
    rabbitDir = dir;
    const started = Date.now();
    const r = await run('rabbitmq-test.sh start', argv, { env, timeoutMs: 180_000 });
    if (r.code === 0) {
      const pid = Number(fs.readFileSync(path.join(dir, 'beam.pid'), 'utf8').trim());
      const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm !== 'beam.smp') die(`${dir}/beam.pid names process ${pid} (${comm}), not beam.smp`);
      const affinity = capture('taskset', ['-pc', String(pid)]);
      return {
        dir, pid, amqpPort, webPort, startSeconds: (Date.now() - started) / 1000,
        affinity: affinity ? affinity.replace(/^.*: /, '') : null,
        conf: fs.readFileSync(path.join(dir, 'rabbitmq.conf'), 'utf8'),
        erlArgs: (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').match(/-S \d+:\d+/) || [null])[0],
      };
    }
    lastError = (r.stderr || r.stdout || `exit ${r.code}`).trim();
    if (!/already in use|eaddrinuse/i.test(lastError)) break;
    log(`RabbitMQ: port ${amqpPort} or ${webPort} taken, trying others`);
  }
  keepTmp = true;
  throw new RabbitStartError(`could not start RabbitMQ (logs kept in ${dir}/log): ${lastError.split('\n').slice(-4).join(' ')}`);
}

async function stopRabbit() {
  if (!rabbitDir) return;
  const r = await run('rabbitmq-test.sh stop', [RABBITMQ_SCRIPT, 'stop', rabbitDir], { timeoutMs: 90_000 });
  if (r.code !== 0) log(`rabbitmq-test.sh stop: ${r.stderr.trim()}`);
  else rabbitDir = null;
}

function rabbitSockjsCheck() {
  const entries = fs.existsSync(RABBITMQ_LIB) ? fs.readdirSync(RABBITMQ_LIB).filter((d) => d.startsWith('rabbitmq_server-')) : [];
  if (!entries.length) return null;
  const pluginsDir = path.join(RABBITMQ_LIB, entries.sort().at(-1), 'plugins');
  const plugins = fs.readdirSync(pluginsDir);
  const found = plugins.filter((p) => /sockjs/i.test(p));
  for (const p of plugins.filter((x) => x.startsWith('rabbitmq_web_stomp-'))) {
    const ebin = path.join(pluginsDir, p, 'ebin');
    if (fs.existsSync(ebin)) found.push(...fs.readdirSync(ebin).filter((f) => /sockjs/i.test(f)).map((f) => `${p}/ebin/${f}`));
  }
  return { plugins_dir: pluginsDir, web_stomp: plugins.filter((p) => /stomp/.test(p)), sockjs_entries: found };
}

// ---------------------------------------------------------------------------------------------
// The load generator

class Fatal extends Error {}
class RabbitStartError extends Error {}

function scenarioArgs(id, extra = {}) {
  const common = ['--seconds', String(cfg.seconds), '--warmup', String(cfg.warmup)];
  const relay = (n) => ['--scenario', 'relay', '--connections', String(n), '--payload-bytes', String(cfg.relayPayload)];
  if (id === 'idle') return ['--scenario', 'idle', '--connections', String(cfg.idleN), ...common];
  if (id === 'relay-max') return [...relay(cfg.relayN), '--rate', '0', '--window', String(cfg.window), ...common];
  if (id === 'relay-load') return [...relay(cfg.relayN), '--rate', String(extra.rate), ...common];
  if (id === 'sockjs-relay-max') return [...relay(cfg.sockjsN), '--rate', '0', '--window', String(cfg.window), ...common];
  if (id.startsWith('fanout-')) {
    return ['--scenario', 'fanout', '--connections', String(cfg.fanoutN), '--room-size', id.slice(7),
      '--payload-bytes', String(cfg.fanoutPayload), '--rate', '0', '--window', String(cfg.window), ...common];
  }
  if (id === 'storm') return ['--scenario', 'storm', '--connections', String(cfg.stormN), ...common];
  if (id === 'callgrind') {
    return [...relay(cfg.callgrindN), '--rate', '0', '--window', String(cfg.window), '--messages', String(extra.messages), '--warmup', '0'];
  }
  throw new Error(`unknown scenario ${id}`);
}

// RabbitMQ needs longer than the load generator's default set-up timeout (180 s) for nothing but
// its 1000-member join storm on a bad day (about 100 s on a quiet machine).
const RABBIT_SETUP_TIMEOUT_S = 300;

function targetArgs(server, { port, transport = 'ws' }) {
  if (server === 'rabbitmq') {
    return ['--url', `ws://127.0.0.1:${port}/ws`, '--send-prefix', '/exchange/chat.exchange/room.', '--login', 'guest', '--passcode', 'guest',
      '--setup-timeout', String(RABBIT_SETUP_TIMEOUT_S)];
  }
  if (transport === 'xhr-streaming') return ['--url', `http://127.0.0.1:${port}/stomp`, '--transport', 'xhr-streaming'];
  return ['--url', `ws://127.0.0.1:${port}/ws`];
}

const connectionsOf = (id) => (id === 'idle' ? cfg.idleN : id === 'storm' ? cfg.stormN : id.startsWith('fanout') ? cfg.fanoutN
  : id === 'sockjs-relay-max' ? cfg.sockjsN : id === 'callgrind' ? cfg.callgrindN : cfg.relayN);

// Runs the load generator once; returns its JSON plus how the run went. Never throws for a
// failed run (the result says why), only for a usage error (the interface does not match).
async function loadgen(server, id, { port, pid, transport, rate, messages, timeoutMs }) {
  const label = `${server}:${id}${messages ? `:${messages}` : ''}`;
  // Room keys differ from one scenario to the next: RabbitMQ serves them all from one node, and
  // the last run's exclusive queues could still be bound to a reused key.
  const rooms = ['--room-prefix', id.replace(/[^A-Za-z0-9]/g, '')];
  const args = [...targetArgs(server, { port, transport }), ...scenarioArgs(id, { rate, messages }), ...rooms, '--server-pid', String(pid), '--label', label];
  const shown = [...targetArgs(server, { port: server === 'rabbitmq' ? 'WSPORT' : 'PORT', transport }),
    ...scenarioArgs(id, { rate, messages }), ...rooms, '--server-pid', 'PID', '--label', label];
  const argv = pinned(LOADGEN_CORE, [loadgenBin, ...args]);
  const command = pinned(LOADGEN_CORE, ['parley-loadgen', ...shown]).join(' ');
  const n = connectionsOf(id);
  // A safety net only (the load generator has its own set-up timeout): RabbitMQ accepts a few
  // hundred connections per second here and a 1000-member storm on it is ~1M deliveries.
  timeoutMs ??= ((server === 'rabbitmq' ? RABBIT_SETUP_TIMEOUT_S + 60 + n * 0.05 : 120 + n * 0.02) + cfg.warmup + cfg.seconds) * 1000;
  log(`${label}: ${argv.join(' ')}`);
  const started = Date.now();
  const child = spawnTracked('parley-loadgen', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  const errTail = [];
  let partial = '';
  child.stdout.on('data', (c) => { stdout += c; });
  child.stderr.on('data', (c) => {
    partial += c;
    const lines = partial.split('\n');
    partial = lines.pop();
    for (const line of lines) {
      process.stderr.write(`    ${line}\n`);
      errTail.push(line);
      if (errTail.length > 20) errTail.shift();
    }
  });
  let spawnError = null;
  child.on('error', (err) => { spawnError = err; });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    log(`${label}: no result after ${Math.round(timeoutMs / 1000)} s, stopping the load generator`);
    stopChild(child, 5000);
  }, timeoutMs);
  const { code, signal } = await exited(child);
  clearTimeout(timer);
  if (partial) errTail.push(partial);
  const wall = (Date.now() - started) / 1000;
  if (spawnError) throw new Fatal(`cannot run ${loadgenBin}: ${spawnError.message}`);
  if (code === 2) {
    throw new Fatal(`the load generator rejected its arguments (exit 2): the interface does not match.\n  ${argv.join(' ')}\n  ${errTail.join('\n  ')}`);
  }
  let json = null;
  for (const line of stdout.trim().split('\n').reverse()) {
    try {
      const v = JSON.parse(line);
      if (v && typeof v === 'object') {
        json = v;
        break;
      }
    } catch {
      // progress or garbage; keep looking
    }
  }
  if (!json) {
    try {
      json = JSON.parse(stdout);
    } catch {
      json = null;
    }
  }
  const result = { ...(json || {}), command, wall_s: Math.round(wall * 10) / 10, exit_code: code };
  if (timedOut) result.failure = `timed out after ${Math.round(timeoutMs / 1000)} s`;
  else if (!json) result.failure = `exit ${signal || code} without a JSON result`;
  else if (code !== 0) result.failure = `exit ${code}: ${json.errors ?? '?'} errors${json.error_samples?.length ? ` (${json.error_samples.slice(0, 3).join('; ')})` : ''}`;
  if (result.failure) {
    result.stderr_tail = errTail.slice(-10);
    log(`${label}: FAILED: ${result.failure}`);
  } else {
    log(`${label}: ${summary(result)} (${result.wall_s} s)`);
  }
  return result;
}

function summary(r) {
  const parts = [];
  if (r.scenario === 'idle') parts.push(`${fmtKib(r.rss_per_connection_bytes)} KiB/conn`);
  if (r.scenario === 'relay' || r.scenario === 'fanout') {
    parts.push(`${fmtInt(r.messages_per_s)} msg/s`, `${fmtInt(r.deliveries_per_s)} deliveries/s`,
      `p50 ${fmtMs(r.latency_us?.p50)} p99 ${fmtMs(r.latency_us?.p99)} ms`);
  }
  if (r.scenario === 'storm') parts.push(`storm ${fmtInt(r.storm_ms)} ms`);
  parts.push(`server CPU ${fmt1(r.server_cpu_percent)} %`);
  return parts.join(', ');
}

// ---------------------------------------------------------------------------------------------
// Formatting

const num = (x) => typeof x === 'number' && Number.isFinite(x);
const fmtInt = (x) => (num(x) ? Math.round(x).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ') : '—');
const fmt1 = (x) => (num(x) ? x.toFixed(1) : '—');
const fmtMs = (us) => (num(us) ? (us / 1000).toFixed(us < 10_000 ? 2 : 1) : '—');
const fmtKib = (bytes) => (num(bytes) ? (bytes / 1024).toFixed(1) : '—');
const fmtRatio = (x) => (num(x) && x > 0 ? `${x >= 9.95 ? x.toFixed(0) : x.toFixed(1)}×` : '—');
const ok = (r) => r && !r.failure;

// ---------------------------------------------------------------------------------------------
// The runs

const started = Date.now();
const failures = []; // runs without a result, or parley failing: exit status 1
const shortfalls = []; // RabbitMQ runs with a result but errors or timeouts: reported only
const results = {
  generated: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  argv: process.argv.slice(2),
  config: cfg,
  machine: {},
  versions: {},
  pinning: PIN ? { server_core: SERVER_CORE, loadgen_core: LOADGEN_CORE } : null,
  parley: null,
  rabbitmq: null,
  relay_load_rate: null,
  callgrind: null,
};

function machineInfo() {
  const lscpu = capture('lscpu', []) || '';
  const model = /^Model name:\s+(.+)$/m.exec(lscpu);
  const osRelease = fs.existsSync('/etc/os-release') ? /^PRETTY_NAME="?([^"\n]+)"?/m.exec(fs.readFileSync('/etc/os-release', 'utf8')) : null;
  return {
    cpu: model ? model[1].trim() : os.cpus()[0]?.model,
    cores: CORES,
    ram_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    os: osRelease ? osRelease[1] : os.type(),
  };
}

function versionInfo() {
  const v = { node: process.version };
  v.parley = capture(parleyBin, ['--version']);
  const comment = capture('readelf', ['-p', '.comment', parleyBin]);
  const gcc = comment && /GCC: (\([^)]*\) )?(\S+)/.exec(comment);
  const clang = comment && /clang version (\S+)/.exec(comment);
  v.compiler = gcc ? `g++ ${gcc[2]}` : clang ? `clang++ ${clang[1]}` : (capture('g++', ['--version']) || '').split('\n')[0] || null;
  try {
    const cache = fs.readFileSync(path.join(path.dirname(parleyBin), '..', 'CMakeCache.txt'), 'utf8');
    v.parley_build_type = (/^CMAKE_BUILD_TYPE:STRING=(.*)$/m.exec(cache) || [])[1] || null;
  } catch {
    v.parley_build_type = null;
  }
  v.rabbitmq_package = capture('dpkg-query', ['-W', '-f=${Version}', 'rabbitmq-server']);
  const lib = fs.existsSync(RABBITMQ_LIB) ? fs.readdirSync(RABBITMQ_LIB).filter((d) => d.startsWith('rabbitmq_server-')).sort().at(-1) : null;
  v.rabbitmq = lib ? lib.replace('rabbitmq_server-', '') : null;
  try {
    const rel = fs.readdirSync('/usr/lib/erlang/releases').filter((d) => /^\d+$/.test(d)).sort((a, b) => b - a)[0];
    v.erlang_otp = fs.readFileSync(`/usr/lib/erlang/releases/${rel}/OTP_VERSION`, 'utf8').trim();
  } catch {
    v.erlang_otp = null;
  }
  v.valgrind = capture('valgrind', ['--version']);
  v.gnuplot = capture('gnuplot', ['--version']);
  const head = capture('git', ['-C', repo, 'rev-parse', '--short', 'HEAD']);
  const dirty = capture('git', ['-C', repo, 'status', '--porcelain', '--untracked-files=no']);
  v.git = head ? `${head}${dirty ? ' (with uncommitted changes)' : ''}` : null;
  return v;
}

const PARLEY_SCENARIOS = () => ['idle', 'relay-max', 'relay-load', ...cfg.fanoutSizes.map((k) => `fanout-${k}`), 'storm', 'sockjs-relay-max'];
const RABBIT_SCENARIOS = () => ['idle', 'relay-max', 'relay-load', ...cfg.fanoutSizes.map((k) => `fanout-${k}`), 'storm'];

function relayLoadRate() {
  if (relayRateOverride !== null) return relayRateOverride;
  const max = results.parley?.runs?.['relay-max'];
  if (ok(max) && num(max.messages_per_s) && max.messages_per_s > 0) return Math.max(1, Math.round(max.messages_per_s * cfg.loadFraction));
  if (!cfg.runParley) {
    try {
      const prev = JSON.parse(fs.readFileSync(resultsPath, 'utf8'));
      const r = prev.parley?.runs?.['relay-max'];
      if (ok(r) && num(r.messages_per_s)) return Math.max(1, Math.round(r.messages_per_s * cfg.loadFraction));
    } catch {
      // none
    }
  }
  return null;
}

async function runParley(defaults) {
  const out = {
    command: ['taskset', '-c', String(SERVER_CORE), 'parley', ...parleyArgs('0')].slice(PIN ? 0 : 3).join(' '),
    limits: PARLEY_LIMITS.map(([flag, value, why]) => ({ flag, value, default: defaults[flag], why })),
    runs: {},
  };
  results.parley = out;
  for (const id of PARLEY_SCENARIOS()) {
    let rate;
    if (id === 'relay-load') {
      rate = relayLoadRate();
      if (!rate) {
        out.runs[id] = { failure: 'skipped: no maximum relay rate from the closed-loop run' };
        failures.push(`parley ${id}: ${out.runs[id].failure}`);
        continue;
      }
      results.relay_load_rate = rate;
    }
    const server = await startParley();
    const transport = id.startsWith('sockjs') ? 'xhr-streaming' : 'ws';
    const r = await loadgen('parley', id, { port: server.port, pid: server.pid, transport, rate });
    const crashed = !alive(server.pid);
    const how = await stopChild(server.child);
    if (crashed || how.signal || how.code !== 0) {
      r.server_exit = how.signal || how.code;
      r.failure = `${r.failure ? `${r.failure}; ` : ''}parley ${crashed ? 'died during the run' : 'did not exit cleanly'} (${how.signal || `code ${how.code}`}); log tail: ${tail(server.logFile, 5)}`;
      log(`parley ${id}: ${r.failure}`);
    }
    out.runs[id] = r;
    if (r.failure) failures.push(`parley ${id}: ${r.failure}`);
  }
}

async function runRabbit() {
  log('starting a private RabbitMQ node (Web-STOMP, chat.exchange, +S 1:1, pinned to core 0)');
  const rabbit = await startRabbit();
  log(`RabbitMQ up in ${rabbit.startSeconds.toFixed(1)} s: beam.smp pid ${rabbit.pid}, Web-STOMP ws://127.0.0.1:${rabbit.webPort}/ws, affinity ${rabbit.affinity}`);
  const out = {
    command: `${PIN ? `taskset -c ${SERVER_CORE} ` : ''}scripts/rabbitmq-test.sh start DIR AMQPPORT --owner RUNPID`,
    env: {
      RABBITMQ_TEST_WEB_STOMP_PORT: 'WSPORT',
      RABBITMQ_TEST_DEFINITIONS: 'DIR/definitions.json',
      RABBITMQ_TEST_EXTRA_CONF: RABBIT_CONF.map(([line]) => line).join('\n'),
      RABBITMQ_TEST_ERL_ARGS: RABBIT_ERL_ARGS,
    },
    raised: RABBIT_CONF.map(([line, why]) => ({ line, why })),
    conf: rabbit.conf.split(rabbit.dir).join('DIR').replace(/:\d+$/m, ':AMQPPORT').replace(/port = \d+/, 'port = WSPORT'),
    definitions: { exchanges: rabbitDefinitions().exchanges, users: ['guest (loopback only)'], vhosts: ['/'] },
    erl_scheduler_flag: rabbit.erlArgs,
    affinity: rabbit.affinity,
    start_s: rabbit.startSeconds,
    sockjs: rabbitSockjsCheck(),
    runs: {},
  };
  results.rabbitmq = out;
  try {
    for (const id of RABBIT_SCENARIOS()) {
      let rate;
      if (id === 'relay-load') {
        rate = relayLoadRate();
        if (!rate) {
          out.runs[id] = { failure: 'skipped: no parley maximum relay rate to take 50 % of (pass --relay-rate)' };
          failures.push(`rabbitmq ${id}: ${out.runs[id].failure}`);
          continue;
        }
        results.relay_load_rate = rate;
      }
      if (!alive(rabbit.pid)) {
        out.runs[id] = { failure: 'RabbitMQ (beam.smp) is no longer running' };
        failures.push(`rabbitmq ${id}: ${out.runs[id].failure}`);
        continue;
      }
      await settle(rabbit.pid);
      const r = await loadgen('rabbitmq', id, { port: rabbit.webPort, pid: rabbit.pid, rate });
      if (!alive(rabbit.pid)) r.failure = `${r.failure ? `${r.failure}; ` : ''}RabbitMQ died during the run (logs in ${rabbit.dir}/log)`;
      out.runs[id] = r;
      if (r.failure && r.scenario && alive(rabbit.pid)) {
        // The load generator measured and reported, but RabbitMQ fell short (errors, timeouts):
        // a result, shown as such, not a failure of the benchmark.
        shortfalls.push(`rabbitmq ${id}: ${r.failure}`);
      } else if (r.failure) {
        failures.push(`rabbitmq ${id}: ${r.failure}`);
        keepTmp = true; // RabbitMQ's logs, for the post-mortem
      }
    }
  } finally {
    log('stopping RabbitMQ');
    await stopRabbit();
  }
}

async function runCallgrind() {
  if (!which('valgrind')) {
    results.callgrind = { skipped: 'valgrind is not installed (scripts/deps.sh bench installs it)' };
    log(`callgrind: ${results.callgrind.skipped}`);
    return;
  }
  const [m1, m2] = cfg.callgrindMessages;
  const runs = [];
  for (const messages of [m1, m2]) {
    const file = path.join(tmp, `callgrind.${messages}.out`);
    let server;
    try {
      server = await startParley({ valgrindOut: file });
    } catch (err) {
      results.callgrind = { skipped: `parley under valgrind did not start: ${err.message}` };
      failures.push(`callgrind: ${results.callgrind.skipped}`);
      return;
    }
    const r = await loadgen('parley', 'callgrind', { port: server.port, pid: server.pid, messages, timeoutMs: 600_000 });
    await stopChild(server.child, 60_000);
    let ir = null;
    try {
      const text = fs.readFileSync(file, 'utf8');
      const m = /^(?:totals|summary):\s+(\d+)/m.exec(text);
      ir = m ? Number(m[1]) : null;
    } catch {
      ir = null;
    }
    runs.push({ messages, ir, delivered: r.delivered ?? null, failure: r.failure ?? (ir === null ? `no totals in ${file}` : undefined), command: r.command });
    log(`callgrind ${messages} messages: ${ir === null ? 'no total' : `${fmtInt(ir)} Ir`}`);
  }
  const bad = runs.find((x) => x.failure);
  const perMessage = !bad && runs[1].ir > runs[0].ir ? (runs[1].ir - runs[0].ir) / (m2 - m1) : null;
  results.callgrind = {
    connections: cfg.callgrindN,
    runs,
    ir_per_message: perMessage === null ? null : Math.round(perMessage),
    server_command: `valgrind --tool=callgrind --callgrind-out-file=FILE parley ${parleyArgs('0').join(' ')}`,
  };
  if (bad) failures.push(`callgrind ${bad.messages}: ${bad.failure}`);
  else log(`callgrind: ${fmtInt(perMessage)} instructions per relayed message`);
}

// ---------------------------------------------------------------------------------------------
// The comparison table

const GOAL_RATIO = 5;

function rows() {
  const P = results.parley?.runs || {};
  const R = results.rabbitmq?.runs || {};
  const rabbitSkipped = !results.rabbitmq ? (results.rabbitmq_error ? 'did not start' : 'skipped') : false;
  const pSkipped = !results.parley;
  const out = [];
  const cell = (r, f, skipped) => {
    if (skipped) return typeof skipped === 'string' ? skipped : 'skipped';
    if (!r) return '—';
    if (!r.failure) return f(r);
    return r.scenario ? `${f(r)} — run failed (${shortFailure(r)})` : `failed (${shortFailure(r)})`;
  };
  const verdict = (goalOk, ratio) => {
    const misses = [];
    if (goalOk === false) misses.push('goal');
    if (num(ratio) && ratio < GOAL_RATIO) misses.push(`${fmtRatio(ratio)} < ${GOAL_RATIO}×`);
    if (goalOk === null || goalOk === undefined) return '—';
    if (!num(ratio)) return goalOk ? 'goal yes; 5×: —' : 'no (goal)';
    return misses.length ? `no (${misses.join(', ')})` : 'yes';
  };

  // idle
  {
    const p = P.idle;
    const r = R.idle;
    const pv = ok(p) ? p.rss_per_connection_bytes : null;
    const rv = ok(r) ? r.rss_per_connection_bytes : null;
    const ratio = num(pv) && num(rv) && pv > 0 ? rv / pv : null;
    out.push({
      id: 'idle',
      scenario: `idle sessions (${fmtInt(cfg.idleN)}, rooms of 2): RSS per session`,
      parley: cell(p, (x) => `${fmtKib(x.rss_per_connection_bytes)} KiB`, pSkipped),
      rabbit: cell(r, (x) => `${fmtKib(x.rss_per_connection_bytes)} KiB`, rabbitSkipped),
      ratio: fmtRatio(ratio),
      goal: '≤ 8 KiB per session; ≥ 5× less',
      met: verdict(num(pv) ? pv <= 8192 : null, ratio),
    });
  }
  // relay max
  {
    const p = P['relay-max'];
    const r = R['relay-max'];
    const pv = ok(p) ? p.messages_per_s : null;
    const rv = ok(r) ? r.deliveries_per_s : null;
    const ratio = num(pv) && num(rv) && rv > 0 ? pv / rv : null;
    out.push({
      id: 'relay-max',
      scenario: `targeted relay, maximum (${fmtInt(cfg.relayN)} members in pairs, window ${cfg.window}, ${cfg.relayPayload} B)`,
      parley: cell(p, (x) => `${fmtInt(x.messages_per_s)} msg/s`, pSkipped),
      rabbit: cell(r, (x) => `${fmtInt(x.deliveries_per_s)} deliveries/s*`, rabbitSkipped),
      ratio: fmtRatio(ratio),
      goal: '≥ 150 000 msg/s; ≥ 5×',
      met: verdict(num(pv) ? pv >= 150_000 : null, ratio),
    });
  }
  // relay at 50 %
  {
    const p = P['relay-load'];
    const r = R['relay-load'];
    const rate = results.relay_load_rate;
    const sustained = (x) => ok(x) && num(x.messages_per_s) && num(x.rate_target ?? rate) && x.messages_per_s >= 0.95 * (x.rate_target || rate);
    const lat = (x) => `p50 ${fmtMs(x.latency_us?.p50)} / p99 ${fmtMs(x.latency_us?.p99)} / p99.9 ${fmtMs(x.latency_us?.p999)} ms`
      + (sustained(x) ? '' : ` (not sustained: ${fmtInt(x.messages_per_s)} of ${fmtInt(x.rate_target || rate)} msg/s delivered)`);
    const pv = ok(p) ? p.latency_us?.p99 : null;
    const rv = ok(r) ? r.latency_us?.p99 : null;
    const ratio = num(pv) && num(rv) && pv > 0 ? rv / pv : null;
    out.push({
      id: 'relay-load',
      scenario: `targeted relay at 50 % of parley's maximum (${rate ? `${fmtInt(rate)} msg/s` : 'rate unknown'}, open loop): latency`,
      parley: cell(p, lat, pSkipped),
      rabbit: cell(r, lat, rabbitSkipped),
      ratio: ratio ? `${fmtRatio(ratio)} (p99)` : '—',
      goal: 'p99 ≤ 5 ms; ≥ 5×',
      met: verdict(num(pv) ? pv <= 5000 && sustained(p) : null, ratio),
    });
  }
  // fan-out, each size, then the best
  let bestP = null;
  let bestR = null;
  for (const k of cfg.fanoutSizes) {
    const id = `fanout-${k}`;
    const p = P[id];
    const r = R[id];
    const pv = ok(p) ? p.deliveries_per_s : null;
    const rv = ok(r) ? r.deliveries_per_s : null;
    if (num(pv) && (!bestP || pv > bestP.v)) bestP = { v: pv, k };
    if (num(rv) && (!bestR || rv > bestR.v)) bestR = { v: rv, k };
    out.push({
      id,
      scenario: `fan-out, rooms of ${k} (${fmtInt(cfg.fanoutN)} members, ${cfg.fanoutPayload} B)`,
      parley: cell(p, (x) => `${fmtInt(x.deliveries_per_s)} deliveries/s`, pSkipped),
      rabbit: cell(r, (x) => `${fmtInt(x.deliveries_per_s)} deliveries/s`, rabbitSkipped),
      ratio: fmtRatio(num(pv) && num(rv) && rv > 0 ? pv / rv : null),
      goal: '',
      met: '',
    });
  }
  {
    const ratio = bestP && bestR ? bestP.v / bestR.v : null;
    out.push({
      id: 'fanout-best',
      scenario: 'fan-out, best room size',
      parley: pSkipped ? 'skipped' : bestP ? `${fmtInt(bestP.v)} deliveries/s (rooms of ${bestP.k})` : '—',
      rabbit: rabbitSkipped ? rabbitSkipped : bestR ? `${fmtInt(bestR.v)} deliveries/s (rooms of ${bestR.k})` : '—',
      ratio: fmtRatio(ratio),
      goal: '≥ 500 000 deliveries/s; ≥ 5×',
      met: verdict(bestP ? bestP.v >= 500_000 : null, ratio),
    });
  }
  // storm
  {
    const p = P.storm;
    const r = R.storm;
    const pv = ok(p) ? p.storm_ms : null;
    const rv = ok(r) ? r.storm_ms : null;
    const ratio = num(pv) && num(rv) && pv > 0 ? rv / pv : null;
    const f = (x) => `${fmtInt(x.storm_ms)} ms (member p50 ${fmtInt(x.storm_p50_ms)}, p99 ${fmtInt(x.storm_p99_ms)} ms)`;
    out.push({
      id: 'storm',
      scenario: `join storm: ${fmtInt(cfg.stormN)} members join one room`,
      parley: cell(p, f, pSkipped),
      rabbit: cell(r, f, rabbitSkipped),
      ratio: fmtRatio(ratio),
      goal: '1000 within 2 s; ≥ 5×',
      met: cfg.stormN === 1000 ? verdict(num(pv) ? pv <= 2000 : null, ratio) : `— (goal is for 1000, this run had ${cfg.stormN})`,
    });
  }
  // SockJS
  {
    const p = P['sockjs-relay-max'];
    out.push({
      id: 'sockjs-relay-max',
      scenario: `targeted relay over SockJS xhr-streaming, maximum (${fmtInt(cfg.sockjsN)} members)`,
      parley: cell(p, (x) => `${fmtInt(x.messages_per_s)} msg/s (p99 ${fmtMs(x.latency_us?.p99)} ms)`, pSkipped),
      rabbit: 'no SockJS endpoint',
      ratio: '—',
      goal: '',
      met: '',
    });
  }
  // callgrind
  {
    const c = results.callgrind;
    out.push({
      id: 'callgrind',
      scenario: 'instructions per relayed message (callgrind)',
      parley: !c ? '—' : c.skipped ? `skipped (${c.skipped})` : num(c.ir_per_message) ? `${fmtInt(c.ir_per_message)} Ir` : 'failed',
      rabbit: '—',
      ratio: '—',
      goal: '',
      met: '',
    });
  }
  return out;
}

function shortFailure(r) {
  const f = r.failure || '';
  return f.length > 80 ? `${f.slice(0, 77)}…` : f;
}

function table(rs) {
  const lines = ['| scenario | Parley | RabbitMQ Web-STOMP | ratio | goal | met? |', '|---|---|---|---:|---|---|'];
  for (const r of rs) lines.push(`| ${r.scenario} | ${r.parley} | ${r.rabbit} | ${r.ratio} | ${r.goal} | ${r.met} |`);
  return lines.join('\n');
}

const SCENARIO_TITLES = {
  idle: 'idle', 'relay-max': 'relay, max', 'relay-load': 'relay, 50 %', storm: 'join storm', 'sockjs-relay-max': 'relay over SockJS, max',
};

function detailsTable() {
  const lines = ['| server | scenario | connections | msgs/s | deliveries/s | p50 ms | p99 ms | p99.9 ms | max ms | server CPU % | loadgen CPU % | host steal % | RSS before → after MiB | errors | wall s |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const [name, block] of [['Parley', results.parley], ['RabbitMQ', results.rabbitmq]]) {
    if (!block) continue;
    for (const [id, r] of Object.entries(block.runs)) {
      const title = SCENARIO_TITLES[id] || id.replace('fanout-', 'fan-out, rooms of ');
      if (!num(r.sent) && r.failure) {
        lines.push(`| ${name} | ${title} | — | failed: ${r.failure.replace(/\|/g, '/').split('\n')[0].slice(0, 100)} | | | | | | | | | | | ${r.wall_s ?? ''} |`);
        continue;
      }
      const mib = (k) => (num(k) ? (k / 1024).toFixed(1) : '—');
      lines.push(`| ${name} | ${title} | ${fmtInt(r.connections)} | ${fmtInt(r.messages_per_s)} | ${fmtInt(r.deliveries_per_s)} | `
        + `${fmtMs(r.latency_us?.p50)} | ${fmtMs(r.latency_us?.p99)} | ${fmtMs(r.latency_us?.p999)} | ${fmtMs(r.latency_us?.max)} | `
        + `${fmt1(r.server_cpu_percent)} | ${fmt1(r.loadgen_cpu_percent)} | ${fmt1(r.host_steal_percent)} | ${mib(r.server_rss_kib_before)} → ${mib(r.server_rss_kib_after)} | ${fmtInt(r.errors)}${r.failure ? ' (failed)' : ''} | ${r.wall_s ?? '—'} |`);
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Plots (gnuplot, bench/stomp/plot.gp)

const PLOTS = [
  ['stomp-fanout.png', 'Fan-out deliveries per second by room size, both servers'],
  ['stomp-relay-latency.png', 'Targeted relay latency percentiles at 50 % load, both servers'],
  ['stomp-idle-memory.png', 'RSS per idle session, both servers'],
];

async function plots(outDir) {
  if (!which('gnuplot')) return 'gnuplot is not installed (scripts/deps.sh bench installs gnuplot-nox)';
  const P = results.parley?.runs || {};
  const R = results.rabbitmq?.runs || {};
  const v = (r, f) => (ok(r) && num(f(r)) ? f(r) : '?');
  const data = path.join(tmp, 'plot');
  fs.mkdirSync(data, { recursive: true });
  fs.writeFileSync(path.join(data, 'fanout.dat'), `# room_size parley_deliveries_per_s rabbitmq_deliveries_per_s\n${
    cfg.fanoutSizes.map((k) => `${k} ${v(P[`fanout-${k}`], (x) => x.deliveries_per_s)} ${v(R[`fanout-${k}`], (x) => x.deliveries_per_s)}`).join('\n')}\n`);
  const pct = [['p50', 'p50'], ['p90', 'p90'], ['p99', 'p99'], ['p99.9', 'p999']];
  fs.writeFileSync(path.join(data, 'latency.dat'), `# percentile parley_ms rabbitmq_ms\n${
    pct.map(([label, key]) => `${label} ${v(P['relay-load'], (x) => x.latency_us?.[key] / 1000)} ${v(R['relay-load'], (x) => x.latency_us?.[key] / 1000)}`).join('\n')}\n`);
  fs.writeFileSync(path.join(data, 'idle.dat'), `# server kib_per_session color\n"Parley" ${v(P.idle, (x) => x.rss_per_connection_bytes / 1024)} 0\n"RabbitMQ Web-STOMP" ${v(R.idle, (x) => x.rss_per_connection_bytes / 1024)} 1\n`);
  const probe = await run('gnuplot', ['gnuplot', '-e', 'set terminal'], { timeoutMs: 20_000 });
  const term = /\bpngcairo\b/.test(probe.stdout + probe.stderr) ? 'pngcairo' : 'png'; // gnuplot lists them on stderr
  const latencies = ['relay-load'].flatMap((id) => [P[id], R[id]]).filter(ok)
    .flatMap((x) => pct.map(([, key]) => x.latency_us?.[key] / 1000)).filter((x) => num(x) && x > 0);
  const rate = results.relay_load_rate ? `${fmtInt(results.relay_load_rate)} msg/s` : 'rate unknown';
  const sub = results.mode === 'quick' ? ' (quick run)' : '';
  const vars = [
    `datadir='${data}'`, `outdir='${outDir}'`, `term='${term}'`,
    `fanout_title='Fan-out: deliveries per second by room size (${cfg.fanoutN} members, ${cfg.fanoutPayload}-byte messages)${sub}'`,
    `latency_title='Targeted relay at 50 % of parley maximum (${rate}, ${cfg.relayN} members)${sub}'`,
    `idle_title='Memory per idle STOMP session (${cfg.idleN} sessions, rooms of 2)${sub}'`,
    ...(latencies.length ? [`lat_ymin=${Math.min(...latencies, 5) / 3}`, `lat_ymax=${Math.max(...latencies, 5) * 3}`] : []),
  ].join('; ');
  fs.mkdirSync(outDir, { recursive: true });
  const r = await run('gnuplot', ['gnuplot', '-e', vars, PLOT_SCRIPT], { timeoutMs: 60_000 });
  if (r.code !== 0) return `gnuplot failed: ${(r.stderr || '').trim().split('\n').slice(-3).join(' ')}`;
  const missing = PLOTS.filter(([f]) => !fs.existsSync(path.join(outDir, f)));
  if (missing.length) return `gnuplot wrote no ${missing.map(([f]) => f).join(', ')}`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// The doc section

function docSection(rs, plotError) {
  const m = results.machine;
  const v = results.versions;
  const rb = results.rabbitmq;
  const pa = results.parley;
  const date = results.generated.slice(0, 10);
  const L = [];
  L.push('## STOMP signaling load: parley vs RabbitMQ Web-STOMP', '');
  L.push(`*Generated by \`make bench\` (\`bench/stomp/run.mjs\`) on ${date}${results.mode === 'quick' ? ' — a **quick** smoke run (short runs, fewer connections): not for comparison' : ''}; `
    + 'edit the script, not this section. Raw results: `bench/stomp/results.json`.*', '');
  L.push('The same load generator (`parley-loadgen`, C++, `bench/loadgen/`) drives parley and RabbitMQ\'s '
    + 'Web-STOMP plugin, one after the other, with the same parameters: STOMP 1.2 over WebSocket '
    + '(`v12.stomp`), every member subscribed to `/exchange/chat.exchange/room.<key>`. '
    + `${PIN ? `The server under test is pinned to core ${SERVER_CORE} and the load generator to core ${LOADGEN_CORE} (\`taskset\`), so each has one core of its own and` : 'This machine has fewer than 2 cores (or no `taskset`), so nothing is pinned and'} `
    + 'each server runs one scheduler thread: parley `--threads 1`, RabbitMQ `+S 1:1`.', '');
  L.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.ram_gib} GiB RAM, ${m.os}, Linux ${m.kernel}. `
    + `Versions: ${v.parley || 'parley ?'} (${v.parley_build_type || 'build type ?'}, ${v.compiler || 'compiler ?'}${v.git ? `, git ${v.git}` : ''}); `
    + `RabbitMQ ${v.rabbitmq || '?'} (Debian package ${v.rabbitmq_package || '?'}) on Erlang/OTP ${v.erlang_otp || '?'}; node ${v.node}. `
    + `${fmtInt(cfg.seconds)} s measured after ${cfg.warmup} s of warm-up per run; wall time of the whole run ${Math.round(results.wall_s)} s.`, '');
  L.push(table(rs), '');
  L.push('\\* RabbitMQ does not do targeted delivery: a message sent to the room\'s exchange goes to every '
    + 'subscriber of the room, the sender included, and each client drops what is not addressed to it. Its relay figure '
    + 'is therefore `deliveries_per_s` — every MESSAGE frame it had to deliver (here 2 per message: the target and the '
    + 'sender\'s own echo) — while parley\'s is messages delivered to their target alone (`messages_per_s`). '
    + 'Ratio: throughput and deliveries are parley ÷ RabbitMQ, memory, latency and storm time RabbitMQ ÷ parley '
    + '(higher is better for parley in every row). "met?" checks the absolute goal and the 5× goal.', '');
  const rl = rb?.runs?.['relay-load'];
  if (rl && ok(rl) && num(rl.messages_per_s) && rl.messages_per_s < 0.95 * (rl.rate_target || results.relay_load_rate)) {
    L.push(`RabbitMQ could not sustain the 50 % rate (${fmtInt(results.relay_load_rate)} msg/s): it delivered `
      + `${fmtInt(rl.messages_per_s)} msg/s to their targets, so its latencies include queueing behind the backlog.`, '');
  } else if (rl && !ok(rl)) {
    L.push(`RabbitMQ at the 50 % rate (${fmtInt(results.relay_load_rate)} msg/s): the run failed (${shortFailure(rl)}); `
      + 'it did not sustain the rate.', '');
  }
  if (rb?.sockjs) {
    const s = rb.sockjs;
    L.push(s.sockjs_entries.length
      ? `SockJS: RabbitMQ's plugin directory has ${s.sockjs_entries.join(', ')}, but this script drives only its Web-STOMP WebSocket endpoint.`
      : `SockJS: RabbitMQ ${v.rabbitmq} ships no SockJS endpoint — \`${s.plugins_dir}\` has no SockJS plugin or module `
        + `(${s.web_stomp.map((x) => `\`${x}\``).join(', ')}; Web-STOMP serves plain WebSocket at \`/ws\` only) — so the SockJS row is parley's alone.`, '');
  } else if (!rb) {
    L.push('SockJS: parley only (RabbitMQ\'s Web-STOMP has no SockJS endpoint).', '');
  }
  if (results.rabbitmq_error) L.push(`RabbitMQ was not measured: ${results.rabbitmq_error}`, '');
  else if (!rb) L.push('RabbitMQ was not measured in this run (`--only parley`).', '');
  if (plotError) {
    L.push(`(No plots: ${plotError}.)`, '');
  } else {
    L.push('![Fan-out deliveries per second by room size, parley and RabbitMQ Web-STOMP](bench/stomp-fanout.png)', '');
    L.push('![Relay latency percentiles at 50 % load, parley and RabbitMQ Web-STOMP](bench/stomp-relay-latency.png)', '');
    L.push('![RSS per idle STOMP session, parley and RabbitMQ Web-STOMP](bench/stomp-idle-memory.png)', '');
  }
  L.push('### Every run', '');
  L.push(detailsTable(), '');
  L.push('`msgs/s`: messages sent and delivered to every intended receiver per second; `deliveries/s`: every MESSAGE '
    + 'frame any client received per second. Latency is from send to receipt by the target (fan-out: by every '
    + 'receiver), on the load generator\'s clock. Server CPU is the server process\'s `utime + stime` over the '
    + 'measured window, in percent of one core; loadgen CPU the same for the load generator (near 100 % it, not '
    + 'the server, would be the limit); host steal is the share of all CPU time the hypervisor took from this '
    + 'virtual machine during the window (`/proc/stat`), which is what makes the latency tails of a run noisy. '
    + 'In the open-loop runs each message is stamped when it goes out; the load generator paces every 100 µs. '
    + 'RSS from `/proc/<pid>/status` (idle: growth ÷ sessions). `wall s` includes connection set-up.', '');
  L.push('### How it was run', '');
  L.push('Scenarios: **idle** — sessions connected and subscribed in rooms of 2, then silent; **relay** — pairs, '
    + 'one sender and one target per room, `ice` messages addressed to the target, closed loop '
    + `(${cfg.window} messages in flight per sender) for the maximum, open loop at a fixed total rate for latency; `
    + '**fan-out** — every message goes to every member of its room; **join storm** — all members join one room at '
    + 'once, done when every member has seen every join; **SockJS** — the relay over SockJS `xhr-streaming` '
    + '(`http://…/stomp`).', '');
  if (pa) {
    L.push('Parley, a fresh process for every scenario (so each idle/RSS figure starts from a clean process):', '');
    L.push('```sh', pa.command.replace('--port 0', '--port PORT'), '```', '');
    L.push('The limits raised above their defaults for the benchmark, and why (the defaults protect a public '
      + 'server; here one trusted client on loopback opens thousands of sessions):', '');
    L.push('| flag | bench | default | why |', '|---|---:|---:|---|');
    for (const l of pa.limits) L.push(`| \`${l.flag}\` | ${l.value} | ${l.default} | ${l.why} |`);
    L.push('');
  }
  if (rb) {
    L.push(`RabbitMQ, one private node for all its scenarios (idle first; the script waits until the node is idle `
      + `again between runs), started in ${rb.start_s.toFixed(0)} s by the project's own script with its Web-STOMP `
      + 'options (`DIR`: a temporary directory; `RUNPID`: the benchmark script, whose death stops the node):', '');
    L.push('```sh', ...Object.entries(rb.env).map(([k, val]) => `${k}=${val.includes('\n') || val.includes(' ') ? `'${val}'` : val} \\`),
      `  ${rb.command}`, '```', '');
    L.push('The generated `rabbitmq.conf`:', '', '```ini', rb.conf.trimEnd(), '```', '');
    L.push('`chat.exchange` (topic, durable) comes from a definitions file imported at boot (`definitions.local.path`); '
      + 'because RabbitMQ then skips creating its default vhost and user, the file also declares `/` and `guest` '
      + '(loopback only, as by default). The load generator logs in as guest/guest and sends to '
      + '`/exchange/chat.exchange/room.<key>` (the seed client\'s RabbitMQ relay destination). '
      + `Erlang runs one scheduler (\`${RABBIT_ERL_ARGS}\`${rb.erl_scheduler_flag ? ', as `beam.smp`\'s command line confirms' : ''}; `
      + 'Debian\'s default flags already disable scheduler busy-waiting, `+sbwt none`), CPU affinity '
      + `${rb.affinity ?? '—'}; CPU and RSS are \`beam.smp\`'s.`, '');
    L.push('Raised for the benchmark:', '');
    for (const r of rb.raised) L.push(`- \`${r.line}\`: ${r.why}.`);
    L.push(`- ${RABBIT_NOT_RAISED}`, '');
  }
  L.push('The load generator, one run per row (`PORT`/`WSPORT`: the server\'s port; `PID`: parley\'s or beam.smp\'s PID):', '');
  L.push('```sh');
  const c = results.callgrind;
  for (const block of [pa, rb]) for (const r of Object.values(block?.runs || {})) if (r.command) L.push(r.command);
  for (const r of c?.runs || []) if (r.command) L.push(r.command);
  L.push('```', '');
  L.push('### Instructions per relayed message', '');
  if (!c || c.skipped) {
    L.push(`Skipped: ${c?.skipped || 'not run'}.`, '');
  } else {
    L.push(`Parley under callgrind (\`${c.server_command.replace(/ --port 0/, ' --port PORT')}\`), the closed-loop relay with `
      + `${c.connections} connections, once for ${c.runs.map((x) => fmtInt(x.messages)).join(' and once for ')} messages: `
      + `${c.runs.map((x) => `${fmtInt(x.ir)} Ir`).join(' and ')} in total, so `
      + `**${num(c.ir_per_message) ? fmtInt(c.ir_per_message) : '—'} instructions per relayed message** `
      + '(the difference divided by the difference in messages: start-up, connection set-up and shutdown cancel out). '
      + 'It counts what parley itself executes in user space for one message, from reading the SEND to writing the '
      + 'MESSAGE to the target; the kernel\'s share (the loopback `recvmsg`/`sendmsg`) is not counted.', '');
  }
  return L.join('\n').trimEnd();
}

function writeDoc(section) {
  let text = fs.readFileSync(docPath, 'utf8');
  const block = `${BEGIN}\n${section}\n${END}`;
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  if (b >= 0 && e > b) {
    text = text.slice(0, b) + block + text.slice(e + END.length);
  } else if (b >= 0 || e >= 0) {
    die(`${docPath} has only one of ${BEGIN} and ${END}: fix it by hand`);
  } else {
    // After the first heading and the paragraph that follows it.
    const lines = text.split('\n');
    let i = lines.findIndex((l) => /^# /.test(l));
    if (i < 0) i = -1;
    i++;
    while (i < lines.length && lines[i].trim() === '') i++;
    while (i < lines.length && lines[i].trim() !== '' && !/^#/.test(lines[i])) i++;
    lines.splice(i, 0, '', block);
    text = lines.join('\n');
  }
  fs.writeFileSync(docPath, text);
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  if (cli['from-results']) {
    // Only the outputs, from an earlier run's results.json (doc wording, plots).
    const file = path.resolve(cli['from-results']);
    let prev;
    try {
      prev = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      die(`--from-results ${file}: ${err.message}`);
    }
    Object.assign(results, prev);
    Object.assign(cfg, prev.config, { write: cfg.write });
    if (cfg.write && !fs.existsSync(docPath)) die(`${docPath} not found (pass --doc, or --no-write)`);
    await writeOutputs();
    return;
  }
  if (!isExecutable(loadgenBin)) {
    die(`load generator not found or not executable: ${loadgenBin} (cmake builds it into build/bench/loadgen/; pass --loadgen)`);
  }
  if (cfg.runParley && !isExecutable(parleyBin)) die(`parley not found or not executable: ${parleyBin} (make build; pass --parley)`);
  if (cfg.runRabbit && !fs.existsSync(RABBITMQ_SERVER)) die(`${RABBITMQ_SERVER} not found: run scripts/deps.sh, or pass --only parley`);
  if (cfg.write && !fs.existsSync(docPath)) die(`${docPath} not found (pass --doc, or --no-write)`);
  if (!PIN) log(`warning: ${CORES < 2 ? `${CORES} core(s)` : 'no taskset'}: server and load generator are not pinned`);
  results.machine = machineInfo();
  results.versions = versionInfo();
  const defaults = isExecutable(parleyBin) ? parleyDefaults() : {};
  log(`${results.machine.cpu}, ${CORES} cores; ${results.versions.parley}; RabbitMQ ${results.versions.rabbitmq}; ${quick ? 'quick' : 'full'} run, temporary files in ${tmp}`);

  try {
    if (cfg.runParley) {
      await runParley(defaults);
      if (!cli['no-callgrind']) await runCallgrind();
      else results.callgrind = { skipped: '--no-callgrind' };
    } else {
      results.callgrind = { skipped: '--only rabbitmq' };
    }
    if (cfg.runRabbit) {
      try {
        await runRabbit();
      } catch (err) {
        if (!(err instanceof RabbitStartError)) throw err;
        results.rabbitmq_error = err.message;
        failures.push(err.message);
        log(err.message);
      }
    }
  } catch (err) {
    if (err instanceof Fatal) die(err.message);
    throw err;
  }
  results.wall_s = (Date.now() - started) / 1000;
  results.failures = failures;
  results.shortfalls = shortfalls;
  await writeOutputs();
}

async function writeOutputs() {
  const rs = rows();
  results.table = rs;
  let plotError = null;
  const outResults = cfg.write ? resultsPath : path.join(tmp, 'results.json');
  if (cfg.write) {
    plotError = await plots(pngDir);
    if (plotError) log(`plots: ${plotError}`);
    writeDoc(docSection(rs, plotError));
    log(`wrote ${path.relative(process.cwd(), docPath)} (section ${BEGIN}), ${PLOTS.map(([f]) => path.relative(process.cwd(), path.join(pngDir, f))).join(', ')}`);
  } else {
    plotError = await plots(path.join(tmp, 'png'));
    keepTmp = true;
    fs.writeFileSync(path.join(tmp, 'section.md'), `${docSection(rs, plotError)}\n`);
    log(`not writing docs/ (${quick ? 'quick run; pass --write to' : '--no-write; omit it to'} write): section, plots and results in ${tmp}`);
  }
  fs.writeFileSync(outResults, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${path.relative(process.cwd(), outResults)}`);

  console.log(`\nSTOMP signaling load, ${results.mode} run, ${results.generated}:\n`);
  console.log(table(rs));
  console.log(`\n${detailsTable()}`);
  console.log(`\nwall time ${Math.round(results.wall_s)} s`);
  if (results.shortfalls?.length) {
    console.error(`\nstomp-bench: RabbitMQ fell short in ${results.shortfalls.length} run(s) (reported in the table):\n  ${results.shortfalls.join('\n  ')}`);
  }
  if (results.failures?.length) {
    console.error(`\nstomp-bench: ${results.failures.length} run(s) failed:\n  ${results.failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(`stomp-bench: ${err.stack || err.message}`);
  process.exit(1);
});
