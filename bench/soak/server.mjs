// The parley process under soak: start it on a free loopback port, read its RSS and /metrics,
// ask /api/health, stop it with SIGTERM.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';

const READY = /parley listening on 127\.0\.0\.1:(\d+)/;

// Spawns `bin --bind 127.0.0.1 --port 0 ...args` (the kernel picks a free port; parley prints
// it) and resolves once it listens.
export function startParley(bin, args = [], { readyTimeoutMs = 10_000 } = {}) {
  if (!existsSync(bin)) {
    throw new Error(`parley binary not found at ${bin} (build it, or pass --parley / PARLEY_BIN)`);
  }
  const fullArgs = ['--bind', '127.0.0.1', '--port', '0', ...args];
  const child = spawn(bin, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const server = {
    child,
    pid: child.pid,
    args: fullArgs,
    exited,
    exitStatus: null,
    stderr: () => stderr,
  };
  exited.then((status) => {
    server.exitStatus = status;
  });
  process.on('exit', () => {
    if (!server.exitStatus) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    const fail = (why) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}\nargs: ${fullArgs.join(' ')}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`parley did not listen within ${readyTimeoutMs} ms`), readyTimeoutMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const m = READY.exec(stdout);
      if (m && !server.port) {
        clearTimeout(timer);
        server.port = Number(m[1]);
        server.httpUrl = `http://127.0.0.1:${server.port}`;
        server.wsBase = `ws://127.0.0.1:${server.port}`;
        resolve(server);
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.length > 1_000_000) stderr = stderr.slice(-500_000);
    });
    child.on('error', (err) => fail(`cannot start parley: ${err.message}`));
    exited.then(({ code, signal }) => {
      if (!server.port) fail(`parley exited before listening (code ${code}, signal ${signal})`);
    });
  });
}

// The binary may be being rebuilt (missing, or not yet executable) for a moment: wait for it.
export async function waitForBinary(bin, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (existsSync(bin)) return parleyFlags(bin);
    } catch {
      // half-written (ETXTBSY, exec format error): retry
    }
    if (Date.now() > deadline) throw new Error(`parley binary not usable at ${bin} after ${timeoutMs / 1000} s (pass --parley or PARLEY_BIN)`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// The long options `bin --help` lists.
export function parleyFlags(bin) {
  const help = execFileSync(bin, ['--help'], { encoding: 'utf8' });
  return new Set(help.match(/--[a-z][a-z0-9-]+/g) ?? []);
}

// Resident set size of `pid` in KiB (VmRSS), or null once the process is gone.
export function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

// One GET on its own connection (no keep-alive: an idle pooled connection would show up in
// parley_connections).
export function httpGet(url, timeoutMs = 3000) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

// The unlabeled samples of /metrics as {name: value}. The scrape's own HTTP connection is
// counted in parley_connections (so an idle server reports 1).
export async function scrapeMetrics(httpUrl) {
  const res = await httpGet(`${httpUrl}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  const out = {};
  for (const line of res.text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

// SIGTERM, then waits for the exit (SIGKILL after timeoutMs). Returns {code, signal, ms, killed}.
export async function stopParley(server, timeoutMs) {
  const t0 = Date.now();
  if (server.exitStatus) return { ...server.exitStatus, ms: 0, killed: false };
  server.child.kill('SIGTERM');
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  const first = await Promise.race([server.exited, late]);
  clearTimeout(timer);
  if (first === 'late') {
    server.child.kill('SIGKILL');
    return { ...(await server.exited), ms: Date.now() - t0, killed: true };
  }
  return { ...first, ms: Date.now() - t0, killed: false };
}
