// coturn (Debian package `coturn`) for the TURN tests: an unprivileged `turnserver` with the
// TURN REST API secret (`use-auth-secret`), its own pid file and SQLite file in a temp dir, no
// config file (-n), and a readiness check that is a real STUN Binding request.
//
//   startCoturn(opts)          spawn turnserver; resolves once it answers STUN on its port
//   turnCredentials(secret, id, expiry)   what Parley's /api/ice-servers computes, for any expiry

import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { sleep } from '../integration/helpers.mjs';

export const TURNSERVER_BIN = process.env.TURNSERVER_BIN ?? '/usr/bin/turnserver';

export function turnCredentials(secret, id, expiry) {
  const username = `${expiry}:${id}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

function udpPortFree(port, host) {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.once('error', () => resolve(false));
    sock.bind(port, host, () => sock.close(() => resolve(true)));
  });
}

function tcpPortFree(port, host) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

// A listening port free on both UDP and TCP, and a relay range of `count` free UDP ports.
async function pickPorts(host, count) {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const base = 20_000 + 2 * Math.floor(Math.random() * 15_000); // even: TURN likes even relay ports
    const listen = base + count + 1;
    const checks = [tcpPortFree(listen, host), udpPortFree(listen, host)];
    for (let p = base; p < base + count; p += 1) checks.push(udpPortFree(p, host));
    if ((await Promise.all(checks)).every(Boolean)) return { listen, min: base, max: base + count - 1 };
  }
  throw new Error('no free UDP/TCP port range for turnserver after 20 attempts');
}

// One STUN Binding request (RFC 5389); true when a Binding success response comes back.
function stunPing(port, host, timeoutMs = 300) {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const txid = randomBytes(12);
    const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), txid]);
    const done = (ok) => {
      clearTimeout(timer);
      sock.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on('message', (msg) => done(msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.subarray(8, 20).equals(txid)));
    sock.on('error', () => done(false));
    sock.send(request, port, host);
  });
}

// A UDP socket bound to `port` inside network namespace `netns` (which this process cannot reach).
export function udpListeningIn(netns, port) {
  const out = spawnSync('ip', ['netns', 'exec', netns, 'ss', '-Huln', `sport = :${port}`], { encoding: 'utf8' });
  return out.status === 0 && out.stdout.trim() !== '';
}

// opts: {secret, realm, listeningIp, relayIp, relayPorts, netns}. `netns`: run it inside that
// network namespace (`ip netns exec`) on the standard ports; readiness is then its UDP socket in
// `ss`, since the STUN check from here cannot reach it. Returns {port, pid, uris, log(), stop()}.
export async function startCoturn({
  secret,
  realm = 'parley.test',
  listeningIp = '127.0.0.1',
  relayIp = listeningIp,
  relayPorts = 40,
  netns = null,
  readyTimeoutMs = 8000,
} = {}) {
  const probe = spawnSync(TURNSERVER_BIN, ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error(`no turnserver at ${TURNSERVER_BIN} (${probe.error.code}): apt-get install coturn (or set TURNSERVER_BIN)`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-coturn-'));
  const ports = netns ? { listen: 3478, min: 49152, max: 49152 + relayPorts - 1 } : await pickPorts(listeningIp, relayPorts);
  const args = [
    '-n', // no /etc/turnserver.conf
    '--listening-ip', listeningIp,
    '--listening-port', String(ports.listen),
    '--relay-ip', relayIp,
    '--min-port', String(ports.min),
    '--max-port', String(ports.max),
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    '--realm', realm,
    '--allow-loopback-peers',
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    '--no-tcp-relay',
    '--pidfile', path.join(dir, 'turnserver.pid'),
    '--userdb', path.join(dir, 'turndb'), // not /var/lib/turn: writable without root
    '--log-file', 'stdout',
    '--simple-log',
    '--verbose', // session lines: who allocated (the username), what was refused
  ];
  // `ip netns exec` execs turnserver in place: child.pid is turnserver's pid either way.
  const [cmd, argv] = netns ? ['ip', ['netns', 'exec', netns, TURNSERVER_BIN, ...args]] : [TURNSERVER_BIN, args];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));
  const turn = {
    port: ports.listen,
    pid: child.pid,
    uris: [`turn:${listeningIp}:${ports.listen}?transport=udp`],
    log: () => output,
    async stop() {
      if (!exited) {
        process.kill(child.pid, 'SIGTERM');
        const killer = setTimeout(() => !exited && process.kill(child.pid, 'SIGKILL'), 3000);
        await exit;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  process.on('exit', () => !exited && child.kill('SIGKILL'));

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`turnserver exited (${JSON.stringify(exited)}) before it listened:\n${output.slice(-3000)}`);
    if (netns ? udpListeningIn(netns, ports.listen) : await stunPing(ports.listen, listeningIp)) return turn;
    if (Date.now() > deadline) {
      await turn.stop();
      throw new Error(`turnserver did not answer STUN on ${listeningIp}:${ports.listen} within ${readyTimeoutMs} ms:\n${output.slice(-3000)}`);
    }
    await sleep(50);
  }
}
