// Runs the SockJS echo benchmark against parley (--sockjs-test-services, /echo) and against
// the reference sockjs-node echo server, same client, same machine, same run; prints a
// Markdown table for docs/BENCHMARKS.md.
//
//   node sockjs/run.mjs [--parley ../build/server/parley] [--seconds 10] [--sessions 50]
//                       [--window 4] [--threads 1]
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    parley: { type: 'string', default: path.resolve(here, '../../build/server/parley') },
    seconds: { type: 'string', default: '10' },
    sessions: { type: 'string', default: '50' },
    window: { type: 'string', default: '4' },
    size: { type: 'string', default: '64' },
    threads: { type: 'string', default: '1' },
  },
});

function start(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', reject);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
  });
}

function load(baseUrl, transport, pid) {
  return new Promise((resolve, reject) => {
    const args = [path.join(here, 'load.mjs'), '--base', baseUrl, '--transport', transport,
      '--sessions', opt.sessions, '--window', opt.window, '--size', opt.size,
      '--seconds', opt.seconds, '--server-pid', String(pid)];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`load exited ${code}`))));
  });
}

const servers = [
  { name: `parley (--threads ${opt.threads})`, cmd: opt.parley,
    args: ['--port', '0', '--log-level', 'warn', '--threads', opt.threads, '--sockjs-test-services'] },
  { name: 'sockjs-node 0.3 (node ' + process.version + ')', cmd: process.execPath,
    args: [path.join(here, 'ref-echo-server.mjs'), '0'] },
];

const rows = [];
for (const transport of ['websocket', 'xhr-streaming']) {
  for (const server of servers) {
    const { child, port } = await start(server.cmd, server.args);
    try {
      const r = await load(`http://127.0.0.1:${port}/echo`, transport, child.pid);
      rows.push({ server: server.name, ...r });
      console.error(`${server.name} ${transport}: ${JSON.stringify(r)}`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
  }
}

console.log(`SockJS echo, ${opt.sessions} sessions × ${opt.window} messages in flight, ` +
  `${opt.size}-byte messages, ${opt.seconds} s per run, client and server on one 2-core machine.\n`);
console.log('| transport | server | messages/s | p50 ms | p99 ms | server CPU ms / 10k msgs | server RSS MB |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.transport} | ${r.server} | ${r.msgs_per_s} | ${r.p50_ms} | ${r.p99_ms} | ` +
    `${r.server_cpu_ms_per_10k} | ${r.server_rss_mb} |`);
}
